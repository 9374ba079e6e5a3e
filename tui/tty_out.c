/* Counting output stream (fopencookie) over a file descriptor. */
#include "tui/tty_out.h"

#include <errno.h>
#include <unistd.h>

static ssize_t out_write(void *cookie, const char *buf, size_t n)
{
    tui_out *o = cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(o->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) { usleep(1000); continue; }
        if (w <= 0) return -1;
        done += (size_t)w;
    }
    o->bytes += n;
    return (ssize_t)n;
}

int tui_out_open(tui_out *o, int fd)
{
    o->fd = fd;
    o->bytes = 0;
    cookie_io_functions_t io = {.write = out_write};
    o->f = fopencookie(o, "w", io);
    int dupfd = dup(fd);
    o->curses = dupfd >= 0 ? fdopen(dupfd, "w") : NULL;
    if (!o->f || !o->curses) {
        if (dupfd >= 0 && !o->curses) close(dupfd);
        tui_out_close(o);
        return -1;
    }
    /* A big buffer: a sixel tile goes out in a few write()s, not hundreds. */
    setvbuf(o->f, NULL, _IOFBF, 1 << 16);
    return 0;
}

void tui_out_close(tui_out *o)
{
    if (o->f) fclose(o->f);
    if (o->curses) fclose(o->curses);
    o->f = o->curses = NULL;
}
