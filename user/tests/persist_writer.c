// persist_writer — not a test by itself: the guest side of tests/system/persistence.sh,
// which checks on the host, with debugfs and e2fsck, what reached the disk image.
// helper
//   persist_writer FILE TEXT MODE [SECONDS]
// Opens FILE (O_RDWR|O_CREAT; if it is shorter than 8192 bytes it is filled up to 8192
// with '.' by write()), maps its 2 pages MAP_SHARED and stores TEXT through the mapping at
// offset 0 and at offset 5000 (so both pages are dirtied). Then, by MODE:
//   msync        msync(MS_SYNC), munmap, close, print "done", exit 0
//   munmap       munmap without msync, close, print "done", exit 0
//   flusher      close the descriptor, keep the mapping, sleep SECONDS (longer than the
//                kernel's flush interval + dirty age), print "slept", then sleep forever
//                (the host kills the machine; nothing but the flusher can have written)
//   msync-kill   msync(MS_SYNC), print "msync returned", then sleep forever (killed)
// Exit status 1 with a message on any failure.
#include "proc_util.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define SIZE 8192

static void die(const char* what)
{
    printf("persist_writer: %s failed (errno=%d)\n", what, errno);
    fflush(stdout);
    exit(1);
}

static void sleep_seconds(long s)
{
    struct timespec ts = { s, 0 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int main(int argc, char** argv)
{
    if (argc < 4) {
        printf("usage: persist_writer FILE TEXT msync|munmap|flusher|msync-kill [SECONDS]\n");
        return 2;
    }
    const char *path = argv[1], *text = argv[2], *mode = argv[3];
    size_t len = strlen(text);
    if (len == 0 || len > 1000)
        die("TEXT length check");
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0)
        die("open");
    struct stat st;
    if (fstat(fd, &st) != 0)
        die("fstat");
    static char dots[SIZE];
    memset(dots, '.', sizeof dots);
    if (st.st_size < SIZE && pwrite(fd, dots, SIZE - (size_t)st.st_size, st.st_size) != SIZE - st.st_size)
        die("filling the file up with write");
    char* p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        die("mmap");
    memcpy(p, text, len);
    memcpy(p + 5000, text, len);

    if (strcmp(mode, "msync") == 0 || strcmp(mode, "munmap") == 0) {
        if (strcmp(mode, "msync") == 0 && msync(p, SIZE, MS_SYNC) != 0)
            die("msync");
        if (munmap(p, SIZE) != 0)
            die("munmap");
        if (close(fd) != 0)
            die("close");
        printf("done\n");
        return 0;
    }
    if (strcmp(mode, "flusher") == 0) {
        if (close(fd) != 0)
            die("close");
        sleep_seconds(argc > 4 ? atol(argv[4]) : 5);
        printf("slept\n");
        fflush(stdout);
        for (;;)
            sleep_seconds(60);
    }
    if (strcmp(mode, "msync-kill") == 0) {
        if (msync(p, SIZE, MS_SYNC) != 0)
            die("msync");
        printf("msync returned\n");
        fflush(stdout);
        for (;;)
            sleep_seconds(60);
    }
    printf("persist_writer: unknown mode %s\n", mode);
    return 2;
}
