/* The subcommands, one entry point each. Add a command here and in IRRA_COMMANDS when it works. */
#ifndef IRRA_COMMANDS_H
#define IRRA_COMMANDS_H

/* With no arguments, irra runs this command (the browser, once it exists). */
#define IRRA_DEFAULT_COMMAND "help"

int cmd_tokenize(int argc, char **argv);

#define IRRA_COMMANDS \
    {"tokenize", cmd_tokenize, "print the CLIP token ids of captions as JSON"},

#endif
