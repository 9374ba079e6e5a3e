/* The subcommands, one entry point each. Add a command here and in IRRA_COMMANDS when it works. */
#ifndef IRRA_COMMANDS_H
#define IRRA_COMMANDS_H

/* With no arguments, irra runs this command (the browser, once it exists). */
#define IRRA_DEFAULT_COMMAND "help"

int cmd_tokenize(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_gallery(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_eval(int argc, char **argv);

#define IRRA_COMMANDS \
    {"tokenize", cmd_tokenize, "print the CLIP token ids of captions as JSON"}, \
    {"synth", cmd_synth, "write a synthetic CUHK-PEDES-style dataset from Fashion-MNIST"}, \
    {"gallery", cmd_gallery, "build a gallery from images or a dataset split; summarise one"}, \
    {"search", cmd_search, "rank a gallery's images by a text query"}, \
    {"eval", cmd_eval, "R@1/5/10, mAP and mINP on a dataset split, as IRRA reports them"},

#endif
