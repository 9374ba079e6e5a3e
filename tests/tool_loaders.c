/* Drives the tensor-file loaders for tests/test_loaders.sh. */
#include "model/tensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* dump FILE: one line per tensor "name dtype d0,d1,... contiguous first-values" */
static int dump(const char *path)
{
    irra_err e;
    irra_tensors *ts = irra_tensors_open(path, &e);
    if (!ts) {
        fprintf(stderr, "%s\n", e.msg);
        return 2;
    }
    for (int i = 0; i < ts->n; i++) {
        const irra_tensor *t = &ts->t[i];
        printf("%s %s ", t->name, irra_dtype_name(t->dtype));
        for (int k = 0; k < t->ndim; k++) printf("%s%lld", k ? "," : "", (long long)t->shape[k]);
        int64_t n = irra_tensor_numel(t);
        float *v = malloc((size_t)(n ? n : 1) * sizeof *v);
        irra_tensor_to_f32(t, v);
        printf(" %d", irra_tensor_is_contiguous(t));
        for (int64_t j = 0; j < n && j < 6; j++) printf(" %g", v[j]);
        printf("\n");
        free(v);
    }
    irra_tensors_free(ts);
    return 0;
}

/* convert IN OUT F32|F16: IN's tensors to a safetensors file, with metadata "source" = IN */
static int convert(const char *in, const char *out, const char *dt)
{
    irra_err e;
    irra_tensors *ts = irra_tensors_open(in, &e);
    if (!ts) {
        fprintf(stderr, "%s\n", e.msg);
        return 2;
    }
    const char *k[] = {"source"}, *v[] = {in};
    int rc = irra_safetensors_write(out, ts->t, ts->n, strcmp(dt, "F16") ? IRRA_F32 : IRRA_F16,
                                    k, v, 1, &e);
    if (rc) fprintf(stderr, "%s\n", e.msg);
    irra_tensors_free(ts);
    return rc ? 2 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "dump")) return dump(argv[2]);
    if (argc == 5 && !strcmp(argv[1], "convert")) return convert(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: tool_loaders dump FILE\n");
    return 2;
}
