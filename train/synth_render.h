/* Draws a synthetic pedestrian photo: a person built from simple shapes (skin, hair) wearing
 * real Fashion-MNIST garments, each stretched onto its body part and tinted with its named
 * colour, over a street-like background, with the photo's nuisance factors applied. */
#ifndef SYN_RENDER_H
#define SYN_RENDER_H

#include "train/fmnist.h"
#include "train/synth_attrs.h"

#include <stdint.h>

/* Allowed canvas sizes: height = 3 x width, width 32..128. */
#define SYN_MIN_W 32
#define SYN_MAX_W 128

/* Renders p as seen in nu into rgb (h x w x 3, row-major, interleaved). With cues (1), what
 * tells apart the types of top and footwear and the genders is drawn plainly: men's broad
 * shoulders against women's narrow ones, a coat's open front, a shirt's collar and buttons, a
 * pullover's ribbed hem, skin between a sandal's straps, a sneaker's white sole, an ankle
 * boot's high shaft, larger shoes and bags; 0 draws the people of datasets made before. The
 * picture depends only on its arguments. Returns 0, or -1 when the size is not allowed or
 * memory runs out. */
int syn_render(const syn_fmnist *pool, const syn_person *p, const syn_nuisance *nu, int cues,
               uint8_t *rgb, int h, int w);

#endif
