#include "train/train_args.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char irra_train_usage[] =
    "usage: irra train --dataset FORMAT:DIR -o RUN_DIR [--init MODEL | --preset NAME] [options]\n"
    "       irra train --resume RUN_DIR\n"
    "       irra train --init MODEL --replay BATCHES.jsonl --num-epoch E -o RUN_DIR\n\n"
    "Trains or fine-tunes an IRRA model: the official recipe by default (Adam with per-name\n"
    "groups, eps 1e-3, L2 decay; 5 warmup epochs then cosine, stepped per epoch), R@1/5/10, mAP\n"
    "and mINP on the val split after each epoch, the best epoch kept. RUN_DIR gets\n"
    "best.safetensors, last.safetensors, checkpoint.safetensors, log.jsonl and curves.png; a\n"
    "killed or interrupted run continues exactly with --resume RUN_DIR (man irra-train).\n\n"
    "data:\n"
    "  --dataset F:DIR        cuhk-pedes:, icfg-pedes:, rstpreid: (irra synth output is cuhk-pedes:)\n"
    "  --val-split S          val (default) or test (the official selection on test, which\n"
    "                         is a deviation from good practice: the test split picks the model)\n"
    "  --sampler S            random (default), identity, or similar (identity batches of\n"
    "                         identities described alike: hard negatives); --num-instance N (4)\n"
    "  --img-aug, --no-img-aug  spec 4.5's augmentation (default on)\n"
    "  --clean-captions       SDM and ID see unmasked captions (default: the official aliasing)\n"
    "  --replay F             batches from F, one irra grad batch a line (no evaluation)\n"
    "model:\n"
    "  --init M               fine-tune an official best.pth or an irra model file; with\n"
    "                         --img-size, at another input size (positional embedding resized)\n"
    "  --preset P             from scratch: tiny, small or vit-b16 (default tiny)\n"
    "  --vision-width W --vision-layers L --text-width W --text-layers L --embed-dim E\n"
    "  --patch-size P --img-size HxW --stride-size S --text-length N --cmt-depth D\n"
    "  --vocab F              BPE merges file (default: the model's, else the shipped CLIP one)\n"
    "recipe (official names; defaults as the official code; from scratch: adamw, lr 1e-3):\n"
    "  --lr --lr-factor --bias-lr-factor --weight-decay --weight-decay-bias --alpha --beta\n"
    "  --optimizer adam|adamw --num-epoch --warmup-epochs --warmup-factor --target-lr\n"
    "  --batch-size --loss-names --id-loss-weight --mlm-loss-weight --temperature\n"
    "run:\n"
    "  -o, --output DIR       the run directory (refused if it holds another run)\n"
    "  --resume DIR           continue the run in DIR exactly where it stopped\n"
    "  --seed S               every random choice (1)\n"
    "  --checkpoint-every N   steps between checkpoints (200; also at every epoch's end)\n"
    "  --threads N            data-loading threads (2)\n"
    "  --dry-run              print the parameter groups, the size and the time per epoch\n"
    "  -q, --quiet            no progress line\n";

enum {
    O_DATASET = 0x2000, O_VAL, O_SAMPLER, O_NUMINST, O_AUG, O_NOAUG, O_CLEAN, O_REPLAY, O_INIT,
    O_PRESET, O_VW, O_VL, O_TW, O_TL, O_ED, O_PATCH, O_IMG, O_STRIDE, O_TLEN, O_CMT, O_VOCAB,
    O_LR, O_LRF, O_BLRF, O_WD, O_WDB, O_ALPHA, O_BETA, O_OPT, O_EPOCH, O_WE, O_WF, O_TLR,
    O_BS, O_LOSS, O_IDW, O_MLMW, O_TEMP, O_RESUME, O_SEED, O_CKPT, O_THREADS, O_DRY
};

static const struct option longopts[] = {
    {"dataset", required_argument, 0, O_DATASET}, {"val-split", required_argument, 0, O_VAL},
    {"sampler", required_argument, 0, O_SAMPLER}, {"num-instance", required_argument, 0, O_NUMINST},
    {"img-aug", no_argument, 0, O_AUG}, {"no-img-aug", no_argument, 0, O_NOAUG},
    {"clean-captions", no_argument, 0, O_CLEAN}, {"replay", required_argument, 0, O_REPLAY},
    {"init", required_argument, 0, O_INIT}, {"preset", required_argument, 0, O_PRESET},
    {"vision-width", required_argument, 0, O_VW}, {"vision-layers", required_argument, 0, O_VL},
    {"text-width", required_argument, 0, O_TW}, {"text-layers", required_argument, 0, O_TL},
    {"embed-dim", required_argument, 0, O_ED}, {"patch-size", required_argument, 0, O_PATCH},
    {"img-size", required_argument, 0, O_IMG}, {"stride-size", required_argument, 0, O_STRIDE},
    {"text-length", required_argument, 0, O_TLEN}, {"cmt-depth", required_argument, 0, O_CMT},
    {"vocab", required_argument, 0, O_VOCAB}, {"lr", required_argument, 0, O_LR},
    {"lr-factor", required_argument, 0, O_LRF}, {"bias-lr-factor", required_argument, 0, O_BLRF},
    {"weight-decay", required_argument, 0, O_WD}, {"weight-decay-bias", required_argument, 0, O_WDB},
    {"alpha", required_argument, 0, O_ALPHA}, {"beta", required_argument, 0, O_BETA},
    {"optimizer", required_argument, 0, O_OPT}, {"num-epoch", required_argument, 0, O_EPOCH},
    {"warmup-epochs", required_argument, 0, O_WE}, {"warmup-factor", required_argument, 0, O_WF},
    {"target-lr", required_argument, 0, O_TLR}, {"batch-size", required_argument, 0, O_BS},
    {"loss-names", required_argument, 0, O_LOSS}, {"id-loss-weight", required_argument, 0, O_IDW},
    {"mlm-loss-weight", required_argument, 0, O_MLMW}, {"temperature", required_argument, 0, O_TEMP},
    {"output", required_argument, 0, 'o'}, {"resume", required_argument, 0, O_RESUME},
    {"seed", required_argument, 0, O_SEED}, {"checkpoint-every", required_argument, 0, O_CKPT},
    {"threads", required_argument, 0, O_THREADS}, {"dry-run", no_argument, 0, O_DRY},
    {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};

static const char *opt_name(int c)
{
    for (int i = 0; longopts[i].name; i++)
        if (longopts[i].val == c) return longopts[i].name;
    return "?";
}

static int num(int c, const char *s, double lo, double hi, double *out, irra_err *e)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi))
        return irra_fail(e, "train: --%s wants a number from %g to %g, got '%s'", opt_name(c), lo,
                         hi, s);
    *out = v;
    return 0;
}

static int integer(int c, const char *s, int lo, int hi, int *out, irra_err *e)
{
    double v;
    if (num(c, s, lo, hi, &v, e) < 0) return -1;
    if (v != floor(v)) return irra_fail(e, "train: --%s wants a whole number, got '%s'", opt_name(c), s);
    *out = (int)v;
    return 0;
}

static void defaults(irra_train_args *a)
{
    memset(a, 0, sizeof *a);
    irra_optim_defaults(&a->oa);
    irra_loader_opts_default(&a->lo);
    a->val_split = "val";
    a->loss_names = "sdm+id+mlm";
    a->id_loss_weight = a->mlm_loss_weight = 1.0;
    a->temperature = 0.02;
    a->checkpoint_every = 200;
}

/* The options that set a number: where each one goes. */
static int number_opt(irra_train_args *a, int c, const char *s, irra_err *e)
{
    irra_optim_args *o = &a->oa;
    int big = 1 << 20;
    switch (c) {
    case O_LR: a->lr_given = 1; return num(c, s, 0, 10, &o->lr, e);
    case O_LRF: return num(c, s, 0, 1e4, &o->lr_factor, e);
    case O_BLRF: return num(c, s, 0, 1e4, &o->bias_lr_factor, e);
    case O_WD: return num(c, s, 0, 10, &o->weight_decay, e);
    case O_WDB: return num(c, s, 0, 10, &o->weight_decay_bias, e);
    case O_ALPHA: return num(c, s, 0, 0.999999, &o->alpha, e);
    case O_BETA: return num(c, s, 0, 0.99999999, &o->beta, e);
    case O_EPOCH: return integer(c, s, 1, 100000, &o->num_epoch, e);
    case O_WE: return integer(c, s, 0, 100000, &o->warmup_epochs, e);
    case O_WF: return num(c, s, 0, 1, &o->warmup_factor, e);
    case O_TLR: return num(c, s, 0, 10, &o->target_lr, e);
    case O_BS: return integer(c, s, 1, 65536, &a->lo.batch_size, e);
    case O_IDW: return num(c, s, 0, 1e4, &a->id_loss_weight, e);
    case O_MLMW: return num(c, s, 0, 1e4, &a->mlm_loss_weight, e);
    case O_TEMP: return num(c, s, 1e-4, 10, &a->temperature, e);
    case O_NUMINST: return integer(c, s, 1, 4096, &a->lo.num_instance, e);
    case O_CKPT: return integer(c, s, 0, big, &a->checkpoint_every, e);
    case O_THREADS: return integer(c, s, 0, 64, &a->lo.threads, e);
    case O_VW: return integer(c, s, 64, 4096, &a->v_width, e);
    case O_VL: return integer(c, s, 1, 64, &a->v_layers, e);
    case O_TW: return integer(c, s, 64, 4096, &a->t_width, e);
    case O_TL: return integer(c, s, 1, 64, &a->t_layers, e);
    case O_ED: return integer(c, s, 64, 4096, &a->embed_dim, e);
    case O_PATCH: return integer(c, s, 1, 256, &a->patch, e);
    case O_STRIDE: return integer(c, s, 1, 256, &a->stride, e);
    case O_TLEN: return integer(c, s, 3, 1024, &a->context, e);
    case O_CMT: return integer(c, s, 0, 64, &a->cmt_depth, e);
    }
    return 1; /* not a number option */
}

static int other_opt(irra_train_args *a, int c, const char *s, irra_err *e)
{
    double seed;
    char tail;
    switch (c) {
    case O_DATASET: a->dataset = s; return 0;
    case O_VAL:
        if (strcmp(s, "val") && strcmp(s, "test"))
            return irra_fail(e, "train: --val-split wants val or test, got '%s'", s);
        a->val_split = s;
        return 0;
    case O_SAMPLER:
        if (irra_sampler_parse(s, &a->lo.sampler) < 0)
            return irra_fail(e, "train: --sampler wants random, identity or similar, got '%s'", s);
        return 0;
    case O_AUG: a->lo.img_aug = 1; return 0;
    case O_NOAUG: a->lo.img_aug = 0; return 0;
    case O_CLEAN: a->lo.clean_captions = 1; return 0;
    case O_REPLAY: a->replay = s; return 0;
    case O_INIT: a->init = s; return 0;
    case O_PRESET: a->preset = s; return 0;
    case O_VOCAB: a->vocab = s; return 0;
    case O_LOSS: a->loss_names = s; return 0;
    case 'o': a->out = s; return 0;
    case O_RESUME: a->resume = s; return 0;
    case O_DRY: a->dry_run = 1; return 0;
    case 'q': a->quiet = 1; return 0;
    case O_OPT:
        a->optimizer_given = 1;
        if (!strcmp(s, "adam")) a->oa.adamw = 0;
        else if (!strcmp(s, "adamw")) a->oa.adamw = 1;
        else return irra_fail(e, "train: --optimizer wants adam or adamw, got '%s'", s);
        return 0;
    case O_IMG:
        if (sscanf(s, "%dx%d%c", &a->img_h, &a->img_w, &tail) != 2 || a->img_h < 1 ||
            a->img_w < 1 || a->img_h > 4096 || a->img_w > 4096)
            return irra_fail(e, "train: --img-size wants HxW (e.g. 384x128), got '%s'", s);
        return 0;
    case O_SEED:
        if (num(c, s, 0, 9007199254740992.0, &seed, e) < 0) return -1;
        a->lo.seed = (uint64_t)seed;
        return 0;
    }
    return irra_fail(e, "train: unknown option (irra train --help)");
}

int irra_train_args_parse(irra_train_args *a, int argc, char **argv, irra_err *e)
{
    defaults(a);
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        if (c == 'h') return 1;
        if (c == '?' || c == ':') {
            const char *bad = argv[optind - 1];
            return irra_fail(e, "train: %s '%s' (irra train --help)",
                             c == ':' || optopt ? "option needs a value or is unknown:" : "unknown option",
                             bad);
        }
        int r = number_opt(a, c, optarg, e);
        if (r < 0) return -1;
        if (r == 1 && other_opt(a, c, optarg, e) < 0) return -1;
    }
    if (optind < argc) return irra_fail(e, "train: unexpected '%s' (irra train --help)", argv[optind]);
    return 0;
}

typedef struct {
    const char *name;
    int vw, vl, tw, tl, ed, patch, h, w, stride, ctx, cmt;
} preset;

static const preset presets[] = {
    {"tiny", 128, 2, 128, 2, 128, 16, 192, 64, 16, 77, 1},
    {"small", 256, 4, 256, 4, 256, 16, 192, 64, 16, 77, 1},
    {"vit-b16", 768, 12, 512, 12, 512, 16, 384, 128, 16, 77, 4},
};

int irra_train_preset(irra_train_args *a, const char *name, irra_err *e)
{
    for (size_t i = 0; i < sizeof presets / sizeof *presets; i++) {
        const preset *p = &presets[i];
        if (strcmp(p->name, name)) continue;
#define SET(f, v) if (!a->f) a->f = p->v
        SET(v_width, vw); SET(v_layers, vl); SET(t_width, tw); SET(t_layers, tl);
        SET(embed_dim, ed); SET(patch, patch); SET(img_h, h); SET(img_w, w); SET(stride, stride);
        SET(context, ctx);
#undef SET
        if (!a->cmt_depth) a->cmt_depth = p->cmt;
        return 0;
    }
    return irra_fail(e, "train: unknown preset '%s' (tiny, small, vit-b16)", name);
}
