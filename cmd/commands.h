/* The subcommands, one entry point each. Add a command here and in IRRA_COMMANDS when it works. */
#ifndef IRRA_COMMANDS_H
#define IRRA_COMMANDS_H

/* With no arguments, irra runs this command (the browser, once it exists). */
#define IRRA_DEFAULT_COMMAND "browse"

int cmd_tokenize(int argc, char **argv);
int cmd_browse(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

#define IRRA_COMMANDS \
    {"tokenize", cmd_tokenize, "print the CLIP token ids of captions as JSON"}, \
    {"browse", cmd_browse, "the terminal retrieval browser (the default command)"}, \
    {"doctor", cmd_doctor, "what the terminal supports and why; --bench: browser speed"},

#endif
