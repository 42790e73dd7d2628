// bigprog — the 2 MiB program of vmbench's cold_exec figure (docs/benchmarks.md): 2 MiB of
// initialised read-only data, stored in the file, of which it reads one byte per page, so
// that starting it from a cold page cache reads the whole program from the disk.
#define BLOB_BYTES (2 * 1024 * 1024)

static const volatile unsigned char blob[BLOB_BYTES] = {1};

int main(void) {
    unsigned sum = 0;
    for (unsigned long off = 0; off < BLOB_BYTES; off += 4096) sum += blob[off];
    return sum == 1 ? 0 : 1;
}
