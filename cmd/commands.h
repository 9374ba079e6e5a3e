/* The subcommands, one entry point each. Add a command here and in IRRA_COMMANDS when it works. */
#ifndef IRRA_COMMANDS_H
#define IRRA_COMMANDS_H

/* With no arguments, irra runs this command. */
#define IRRA_DEFAULT_COMMAND "browse"

int cmd_browse(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_gallery(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_fill_mask(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_grad(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_vocab(int argc, char **argv);

#define IRRA_COMMANDS \
    {"browse", cmd_browse, "the terminal retrieval browser (the default command)"}, \
    {"search", cmd_search, "rank a gallery's images by a text query"}, \
    {"gallery", cmd_gallery, "build a gallery from images or a dataset split; summarise one"}, \
    {"eval", cmd_eval, "R@1/5/10, mAP and mINP on a dataset split, as IRRA reports them"}, \
    {"embed", cmd_embed, "print IRRA features of texts and images as JSON lines"}, \
    {"fill-mask", cmd_fill_mask, "predict <|mask|> words of a description from an image"}, \
    {"tokenize", cmd_tokenize, "print the CLIP token ids of captions as JSON"}, \
    {"import", cmd_import, "convert an official checkpoint (.pth) to an irra model file"}, \
    {"export", cmd_export, "write a model as the official best.pth + configs.yaml"}, \
    {"synth", cmd_synth, "write a synthetic CUHK-PEDES-style dataset from Fashion-MNIST"}, \
    {"doctor", cmd_doctor, "what the terminal supports and why; --bench: browser speed"}, \
    {"grad", cmd_grad, "one training batch forward and backward: losses and gradients"}, \
    {"train", cmd_train, "train or fine-tune a model on a dataset; resumable"}, \
    {"vocab", cmd_vocab, "learn a BPE vocabulary from a dataset's captions (CLIP's format)"},

#endif
