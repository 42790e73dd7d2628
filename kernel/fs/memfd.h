// memfd_create(2): an anonymous file — a regular tmpfs file that no directory names, known
// only by the descriptors and mappings that hold it. Its pages are shared memory that the
// creator may size with ftruncate, map MAP_SHARED and hand on by fork or exec.
//
// The files live in one tmpfs instance of their own (Linux's internal shm mount), made on
// the first call, so they are limited as any tmpfs is (tmpfs.h). /proc's maps names a
// mapping of one "/memfd:NAME (deleted)", as Linux does. Made with MFD_ALLOW_SEALING, it
// can be sealed (file_seals.h) and handed to a process that need not trust its sender.
#pragma once

#include "kernel/lib/credentials.h"

#include "file.h"

// The longest name memfd_create takes: NAME_MAX less the "memfd:" prefix.
constexpr usize MEMFD_NAME_MAX = 249;

// What seals the file starts with (file_seals.h): F_SEAL_SEAL (none can be added), none
// (MFD_ALLOW_SEALING), or F_SEAL_EXEC on a mode without execute bits (MFD_NOEXEC_SEAL).
enum class MemfdSealing {
    None,
    Allowed,
    NoExec
};

// A new, empty file opened for reading and writing; `name` (at most MEMFD_NAME_MAX bytes)
// is only for display.
Result<RefPtr<OpenFile>> memfd_open(char const* name, Credentials const& who, MemfdSealing = MemfdSealing::None);
