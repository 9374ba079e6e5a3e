/* Errors in the library: a function that can fail takes an `irra_err *` and returns -1 (or NULL)
 * after writing a one-line message into it; the caller decides how to show it. The library
 * never prints and never exits. */
#ifndef IRRA_ERR_H
#define IRRA_ERR_H

typedef struct {
    char msg[512];
} irra_err;

/* Formats the message into e (when e is not NULL) and returns -1, so `return irra_fail(...)`. */
int irra_fail(irra_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
