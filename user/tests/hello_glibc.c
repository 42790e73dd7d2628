// hello_glibc — the same kind of greeting, but linked statically against glibc
// (the runner builds *_glibc.c with `gcc -static`). glibc's static start-up uses more of
// the kernel than musl's (TLS set-up through brk, arch_prctl, IRELATIVE relocations,
// set_tid_address, ...), so running it at all is the first check; then write() return
// values and malloc on both its paths (brk heap, mmap for large blocks).
#include "tap.h"

#include <errno.h>
#include <gnu/libc-version.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    tap_plan(6);
    printf("# Hello from a glibc %s static binary!\n", gnu_get_libc_version());
    fflush(stdout);

    static const char greeting[] = "# hello, world (via write)\n";
    ssize_t n = write(1, greeting, sizeof greeting - 1);
    ok(n == (ssize_t)(sizeof greeting - 1), "write(1, greeting) returns its length (%zd)", n);

    n = write(1, greeting, 0);
    ok(n == 0, "zero-length write returns 0 (%zd)", n);

    errno = 0;
    n = write(-1, greeting, 5);
    ok(n == -1 && errno == EBADF, "write to fd -1 fails with EBADF (n=%zd errno=%d)", n, errno);

    // Small blocks come from the brk heap.
    char* small = malloc(100);
    int small_ok = small != NULL;
    if (small_ok) {
        memset(small, 0x5a, 100);
        for (int i = 0; i < 100; ++i)
            small_ok &= small[i] == 0x5a;
    }
    ok(small_ok, "malloc(100) gives writable memory");

    // Large blocks (above M_MMAP_THRESHOLD, 128 KiB) come from mmap and are zero-filled.
    size_t big_size = 1 << 20;
    unsigned char* big = malloc(big_size);
    int big_ok = big != NULL && ((uintptr_t)big & 15) == 0;
    if (big) {
        for (size_t i = 0; i < big_size; i += 4096)
            big_ok &= big[i] == 0;
        for (size_t i = 0; i < big_size; i += 4096)
            big[i] = (unsigned char)(i >> 12);
        for (size_t i = 0; i < big_size; i += 4096)
            big_ok &= big[i] == (unsigned char)(i >> 12);
    }
    ok(big_ok, "malloc(1 MiB) gives zero-filled, writable, 16-byte aligned memory");
    free(big);
    free(small);

    char* s = strdup("pagoda");
    ok(s != NULL && strcmp(s, "pagoda") == 0, "strdup after free works");
    free(s);

    return tap_done();
}
