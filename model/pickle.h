/* A restricted unpickler for torch.save's data.pkl (spec 7.3). It builds a tree of plain values
 * and never runs anything: the only globals it accepts are the OrderedDict/Counter constructors,
 * torch's tensor-rebuild functions and the storage classes; any other global is refused by name.
 * Counts of values, stack entries, memo slots and MARK nesting are bounded so that a hostile
 * file cannot exhaust the stack or memory. */
#ifndef IRRA_PICKLE_H
#define IRRA_PICKLE_H

#include "model/err.h"
#include "model/tensors.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    IRRA_PK_NONE, IRRA_PK_BOOL, IRRA_PK_INT, IRRA_PK_FLOAT, IRRA_PK_STR,
    IRRA_PK_TUPLE, IRRA_PK_LIST, IRRA_PK_DICT, /* a dict's items are key, value, key, value... */
    IRRA_PK_GLOBAL,  /* a whitelisted callable; aux says which */
    IRRA_PK_STORAGE, /* a persistent id; aux indexes irra_pickle.st */
    IRRA_PK_TENSOR,  /* aux indexes irra_pickle.t */
    IRRA_PK_OTHER    /* a value we keep no data for (a LONG1 wider than 64 bits) */
} irra_pk_kind;

typedef struct {
    int kind;
    int32_t aux;
    int32_t n, cap; /* STR: byte length; TUPLE/LIST/DICT: used and allocated item slots */
    union {
        int64_t i; /* INT, BOOL */
        double f;
        char *s;       /* NUL-terminated */
        int32_t *item; /* indices into irra_pickle.v */
    } u;
} irra_pk_val;

typedef struct {
    char *key;       /* the storage's name inside the archive: data/<key> */
    int dtype;       /* an irra_dtype, or -1 for a storage class we do not convert */
    const char *cls; /* e.g. "HalfStorage", for messages */
    size_t elsize;
    int64_t numel;
} irra_pk_storage;

typedef struct {
    int storage; /* index into irra_pickle.st */
    int64_t offset;
    int ndim;
    int64_t shape[IRRA_MAX_DIMS], stride[IRRA_MAX_DIMS];
} irra_pk_tensor;

typedef struct {
    irra_pk_val *v;
    int nv, capv;
    irra_pk_storage *st;
    int nst, capst;
    irra_pk_tensor *t;
    int nt, capt;
    int root; /* index of the unpickled object */
} irra_pickle;

/* Unpickles buf[0..len). path only names the file in error messages. */
int irra_pickle_load(irra_pickle *pk, const uint8_t *buf, size_t len, const char *path,
                     irra_err *e);
void irra_pickle_free(irra_pickle *pk);

/* The value stored under string key `key` in dict d (the last one, as Python keeps), or -1. */
int irra_pickle_dict_get(const irra_pickle *pk, int d, const char *key);

#endif
