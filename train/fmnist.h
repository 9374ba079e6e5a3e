/* Fashion-MNIST (Xiao et al. 2017) as Debian's dataset-fashion-mnist ships it: gzipped IDX files
 * of 28x28 grey garment photos (0 = background) and their class labels. */
#ifndef SYN_FMNIST_H
#define SYN_FMNIST_H

#include "model/err.h"

#include <stddef.h>
#include <stdint.h>

#define SYN_FMNIST_DIR "/usr/share/datasets/fashion-mnist"
#define SYN_FMNIST_SIDE 28
#define SYN_FMNIST_CLASSES 10

/* The classes, numbered as in the labels files. */
enum {
    SYN_TSHIRT, SYN_TROUSERS, SYN_PULLOVER, SYN_DRESS, SYN_COAT,
    SYN_SANDAL, SYN_SHIRT, SYN_SNEAKER, SYN_BAG, SYN_BOOT
};

typedef struct {
    int n;                               /* images */
    uint8_t *pixels;                     /* n x 28 x 28, row-major */
    uint8_t *labels;                     /* n, each < 10 */
    int *by_class[SYN_FMNIST_CLASSES];   /* indices of the images of each class */
    int count[SYN_FMNIST_CLASSES];
} syn_fmnist;

/* Loads DIR/PREFIX-images-idx3-ubyte.gz and DIR/PREFIX-labels-idx1-ubyte.gz (PREFIX "train" or
 * "t10k"), checking the IDX magic numbers, the 28x28 shape, that both files hold the same count
 * and exactly that many bytes, and that every label is a class. Returns 0 or -1 with e set. */
int syn_fmnist_load(syn_fmnist *fm, const char *dir, const char *prefix, irra_err *e);
void syn_fmnist_free(syn_fmnist *fm);

/* The 28x28 image of item i (0 <= i < n). */
static inline const uint8_t *syn_fmnist_image(const syn_fmnist *fm, int i)
{
    return fm->pixels + (size_t)i * SYN_FMNIST_SIDE * SYN_FMNIST_SIDE;
}

#endif
