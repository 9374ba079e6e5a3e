/* The datasets IRRA is trained and evaluated on (spec section 6), and plain folders of images.
 *
 * A dataset is opened for one split and read entirely into memory: its images in annotation
 * order, and its captions flattened in the same order, each knowing the image it describes.
 * This reproduces the official readers (datasets/cuhkpedes.py, icfgpedes.py, rstpreid.py):
 *   - an entry whose "split" is "train" belongs to train, "test" to test, anything else to val;
 *   - JSON order is kept; image i of a split is the i-th entry of that split (the train
 *     image_id counter);
 *   - test and val keep the raw "id" as the identity (only equality matters);
 *   - train remaps CUHK-PEDES ids to id - 1 and keeps ICFG-PEDES and RSTPReid ids as they are,
 *     then requires them to be exactly 0..N-1 (N = num_classes) as the official assert does.
 * Image files are not opened here: a missing image is the gallery builder's warning, not an
 * error of the annotation file. */
#ifndef GAL_DATASET_H
#define GAL_DATASET_H

#include "model/err.h"

typedef enum {
    GAL_DS_FOLDER, /* "images:DIR", or gal_dataset_open_folder */
    GAL_DS_CUHK,   /* "cuhk-pedes:DIR": DIR/reid_raw.json, paths in "file_path" */
    GAL_DS_ICFG,   /* "icfg-pedes:DIR": DIR/ICFG-PEDES.json, paths in "file_path" */
    GAL_DS_RSTP,   /* "rstpreid:DIR": DIR/data_captions.json, paths in "img_path" */
} gal_ds_kind;

typedef struct {
    char *rel;  /* as written in the annotation (a path under DIR/imgs/); for a folder, the
                   path under the folder */
    char *path; /* absolute path of the file */
    int pid;    /* identity: raw id (test/val), remapped id (train), -1 for a folder */
    int camera; /* from the file name ("0000_c14_0031.jpg" -> 14, Market's "..._c3s1_..." -> 3),
                   -1 when it has no "_c<digits>" */
} gal_ds_image;

typedef struct {
    char *text;
    int pid;   /* the identity of its image */
    int image; /* index into images: the image it describes */
} gal_ds_caption;

typedef struct {
    gal_ds_kind kind;
    char *root;   /* DIR, absolute */
    char *split;  /* "train", "test" or "val"; "" for a folder */
    gal_ds_image *images;
    int n_images;
    gal_ds_caption *captions;
    int n_captions;
    int n_ids;       /* distinct identities among the images (0 for a folder) */
    int num_classes; /* train: the classifier size N (pids are 0..N-1); 0 for other splits */
} gal_dataset;

/* spec: "cuhk-pedes:DIR", "icfg-pedes:DIR", "rstpreid:DIR" (DIR holds the annotation file and
 * imgs/), or "images:DIR" (a plain folder; split is ignored). split: "train", "test" or "val".
 * Errors name the file, and for a bad entry its index in the JSON array. */
gal_dataset *gal_dataset_open(const char *spec, const char *split, irra_err *e);

/* Every image under DIR, recursively (following no directory links), chosen by extension
 * (jpg jpeg png bmp gif tga psd hdr pic pnm ppm pgm webp tif tiff, any case), sorted by their
 * byte-wise relative paths so that the order never depends on the file system. Hidden entries
 * (names starting with '.') are skipped. pid -1, no captions. */
gal_dataset *gal_dataset_open_folder(const char *dir, irra_err *e);

void gal_dataset_free(gal_dataset *d);

/* The camera of a file name: the digits after the first "_c" followed by a digit in its last
 * path component, or -1. */
int gal_camera_from_name(const char *path);

#endif
