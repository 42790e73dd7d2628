// execve_interpreter_errors — what execve says about a dynamically linked program whose
// interpreter cannot be used, as Linux's load_elf_binary says it: the test copies itself (a
// dynamic program) to /tmp and rewrites the copy's PT_INTERP path to name, in turn, a file
// that does not exist (ENOENT), a directory (EACCES), a file without execute permission
// (EACCES), a file shorter than an ELF header (EIO), a text file and an ELF file for another
// machine (ELIBBAD); a PT_INTERP without its NUL is ENOEXEC. Each failure leaves the caller
// running; the unchanged copy still runs.
// build: dynamic
#include "proc_util.h"
#include "tap.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char image[4 << 20];
static size_t image_size;
static size_t interp_offset, interp_size; // the PT_INTERP bytes in the file, NUL included

static int load_self(void)
{
    int fd = open("/proc/self/exe", O_RDONLY);
    ssize_t n;
    while (fd >= 0 && (n = read(fd, image + image_size, sizeof image - image_size)) > 0)
        image_size += (size_t)n;
    close(fd);
    const Elf64_Ehdr* header = (const Elf64_Ehdr*)image;
    const Elf64_Phdr* phdrs = (const Elf64_Phdr*)(image + header->e_phoff);
    for (int i = 0; i < header->e_phnum; ++i)
        if (phdrs[i].p_type == PT_INTERP) {
            interp_offset = phdrs[i].p_offset;
            interp_size = phdrs[i].p_filesz;
        }
    return interp_size > 0 ? 0 : -1;
}

static const char* const copy_path = "/tmp/execve_interpreter_errors.copy";

// Writes the copy with PT_INTERP = `interpreter` (NUL-padded), or unterminated if null.
static int write_copy(const char* interpreter)
{
    char saved[256];
    memcpy(saved, image + interp_offset, interp_size);
    memset(image + interp_offset, interpreter ? 0 : 'x', interp_size);
    if (interpreter)
        memcpy(image + interp_offset, interpreter, strlen(interpreter));
    unlink(copy_path);
    int fd = open(copy_path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    int fine = fd >= 0 && write(fd, image, image_size) == (ssize_t)image_size;
    close(fd);
    memcpy(image + interp_offset, saved, interp_size);
    return fine ? 0 : -1;
}

// execve's errno for the copy, from a child (0 if the exec worked and the child exited 0).
static int exec_errno(void)
{
    char* const argv[] = { (char*)copy_path, "run", NULL };
    int status;
    int e = exec_errno_in_child(copy_path, argv, &status);
    if (e == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        return -1;
    return e;
}

static void write_file(const char* path, const void* bytes, size_t size, mode_t mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd >= 0 && write(fd, bytes, size) < 0)
        size = 0;
    close(fd);
    chmod(path, mode);
}

static void check(const char* interpreter, int expected, const char* what)
{
    int e = write_copy(interpreter) == 0 ? exec_errno() : -1;
    ok(e == expected, "%s: errno %d (%s), wanted %d (%s)", what, e, e > 0 ? strerror(e) : "-", expected,
        expected ? strerror(expected) : "ran");
}

int main(int argc, char** argv)
{
    if (argc > 1 && strcmp(argv[1], "run") == 0)
        return 0;
    tap_plan(9);
    if (load_self() != 0 || interp_size < 24)
        bail("no PT_INTERP of at least 24 bytes in /proc/self/exe");
    ok(1, "the program's PT_INTERP is %zu bytes at offset %zu", interp_size, interp_offset);

    mkdir("/tmp/eie.d", 0755);
    write_file("/tmp/eie.nox", image, image_size, 0644);
    write_file("/tmp/eie.short", "\177ELF\2\1\1", 7, 0755);
    write_file("/tmp/eie.text", "#!/bin/sh\nexit 0\n" "padding padding padding padding padding padding padding!\n", 73, 0755);
    char foreign[128];
    memcpy(foreign, image, sizeof foreign);
    ((Elf64_Ehdr*)foreign)->e_machine = EM_AARCH64;
    write_file("/tmp/eie.arm", foreign, sizeof foreign, 0755);

    char original[256];
    memcpy(original, image + interp_offset, interp_size);
    check(original, 0, "the unchanged interpreter runs the copy");
    check("/tmp/eie.missing", ENOENT, "a missing interpreter");
    check("/tmp/eie.d", EACCES, "a directory as interpreter");
    check("/tmp/eie.nox", EACCES, "an interpreter without execute permission");
    check("/tmp/eie.short", EIO, "an interpreter shorter than an ELF header");
    check("/tmp/eie.text", ELIBBAD, "a text file as interpreter");
    check("/tmp/eie.arm", ELIBBAD, "an interpreter for another machine");
    check(NULL, ENOEXEC, "a PT_INTERP path without its NUL");

    unlink(copy_path);
    unlink("/tmp/eie.nox");
    unlink("/tmp/eie.short");
    unlink("/tmp/eie.text");
    unlink("/tmp/eie.arm");
    rmdir("/tmp/eie.d");
    return tap_done();
}
