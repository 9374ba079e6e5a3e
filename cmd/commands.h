/* The subcommands, one entry point each. Add a command here and in IRRA_COMMANDS when it works. */
#ifndef IRRA_COMMANDS_H
#define IRRA_COMMANDS_H

/* With no arguments, irra runs this command (the browser, once it exists). */
#define IRRA_DEFAULT_COMMAND "help"

int cmd_tokenize(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_fill_mask(int argc, char **argv);

#define IRRA_COMMANDS \
    {"tokenize", cmd_tokenize, "print the CLIP token ids of captions as JSON"}, \
    {"embed", cmd_embed, "print IRRA features of texts and images as JSON lines"}, \
    {"fill-mask", cmd_fill_mask, "predict <|mask|> words of a description from an image"}, \
    {"import", cmd_import, "convert an official checkpoint (.pth) to an irra model file"}, \
    {"synth", cmd_synth, "write a synthetic CUHK-PEDES-style dataset from Fashion-MNIST"},

#endif
