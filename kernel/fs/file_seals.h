// File seals (fcntl F_ADD_SEALS / F_GET_SEALS): a file's promise, set once and never taken
// back, that it will not change in some way — so a process handed a memfd by another it
// does not trust may use its contents without copying them first. Only tmpfs files have
// seals (Linux's shmem: memfds and files of a tmpfs mount); a plain tmpfs file and a memfd
// made without MFD_ALLOW_SEALING start with F_SEAL_SEAL (no more seals), a memfd with it
// with none. Any other file cannot be sealed (EINVAL).
//
//   F_SEAL_SHRINK        truncate smaller: EPERM (open's O_TRUNC too)
//   F_SEAL_GROW          truncate larger, fallocate past the end, write past the end: EPERM
//                        (a write across the end stops short at the page before it)
//   F_SEAL_WRITE         write(), fallocate's PUNCH_HOLE (and madvise's MADV_REMOVE, through
//                        Pager::may_punch_hole), a new MAP_SHARED mapping that
//                        may write: EPERM (mprotect cannot add PROT_WRITE to a shared one:
//                        EACCES); refused (EBUSY) while a shared mapping may write
//   F_SEAL_FUTURE_WRITE  the same, but existing writable mappings keep writing
//   F_SEAL_EXEC          the execute bits of the mode can no longer change (chmod: EPERM)
#pragma once

#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

class Inode;
class OpenFile;

constexpr u32 F_SEAL_SEAL = 0x01, F_SEAL_SHRINK = 0x02, F_SEAL_GROW = 0x04, F_SEAL_WRITE = 0x08, F_SEAL_FUTURE_WRITE = 0x10,
              F_SEAL_EXEC = 0x20;
constexpr u32 F_ALL_SEALS = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC;

// F_GET_SEALS: the file's seals; Invalid if it cannot have any.
Result<u32> file_seals(OpenFile&);
// F_ADD_SEALS, in Linux's order: NotPermitted unless the file was opened for writing,
// Invalid for unknown seals or a file that cannot have any, NotPermitted once F_SEAL_SEAL
// is on, Busy for F_SEAL_WRITE while a shared mapping of it may write.
Result<void> add_file_seals(OpenFile&, u32 seals);

// The checks the file's operations make (0 seals for a file that has none).
u32 seals_of(Inode&);
// How many of `count` bytes at `offset` a write may put in a file of `size` bytes: all,
// or up to the page the end falls in under F_SEAL_GROW (each page's piece is checked on its
// own, as Linux's shmem_write_begin); NotPermitted under a write seal or if none may go.
Result<usize> sealed_write_length(Inode&, u64 offset, usize count, u64 size);
// Truncating from `old_size` to `new_size`.
Result<void> check_sealed_resize(Inode&, u64 old_size, u64 new_size);
// fallocate: allocating [offset, offset+length) (F_SEAL_GROW past `size`, KEEP_SIZE or not)
// or punching a hole (a write seal).
Result<void> check_sealed_allocate(Inode&, u64 offset, u64 length, u64 size);
Result<void> check_sealed_punch_hole(Inode&);
// mmap: a shared mapping of a write-sealed file may not write (NotPermitted for PROT_WRITE;
// else `max_prot` loses VM_WRITE so mprotect cannot add it).
Result<void> check_sealed_mapping(Inode&, bool shared, u32 prot, u32& max_prot);
// chmod: under F_SEAL_EXEC the execute bits stay as they are.
Result<void> check_sealed_mode_change(Inode&, u32 old_mode, u32 new_mode);
