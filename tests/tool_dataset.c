/* Drives gallery/dataset.h for tests/test_dataset.sh.
 *   tool_dataset SPEC SPLIT      open a dataset ("cuhk-pedes:DIR", "images:DIR", ...)
 *   tool_dataset --folder DIR    open a plain folder
 * prints
 *   kind K split S images N captions N ids N classes N
 *   I <TAB> rel <TAB> path <TAB> pid <TAB> camera      one line per image, in order
 *   C <TAB> pid <TAB> image <TAB> text                 one line per caption, in order
 * Errors: the library's message on stderr, exit status 2. */
#include "gallery/dataset.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: tool_dataset SPEC SPLIT | --folder DIR\n");
        return 2;
    }
    irra_err e = {{0}};
    gal_dataset *d = !strcmp(argv[1], "--folder") ? gal_dataset_open_folder(argv[2], &e)
                                                  : gal_dataset_open(argv[1], argv[2], &e);
    if (!d) {
        fprintf(stderr, "%s\n", e.msg);
        return 2;
    }
    printf("kind %d split %s images %d captions %d ids %d classes %d\n", (int)d->kind, d->split,
           d->n_images, d->n_captions, d->n_ids, d->num_classes);
    for (int i = 0; i < d->n_images; i++)
        printf("I\t%s\t%s\t%d\t%d\n", d->images[i].rel, d->images[i].path, d->images[i].pid,
               d->images[i].camera);
    for (int i = 0; i < d->n_captions; i++)
        printf("C\t%d\t%d\t%s\n", d->captions[i].pid, d->captions[i].image, d->captions[i].text);
    gal_dataset_free(d);
    return 0;
}
