// memfd_create(2): an anonymous file — a regular tmpfs file that no directory names, known
// only by the descriptors and mappings that hold it. Its pages are shared memory that the
// creator may size with ftruncate, map MAP_SHARED and hand on by fork or exec.
//
// The files live in one tmpfs instance of their own (Linux's internal shm mount), made on
// the first call, so they are limited as any tmpfs is (tmpfs.h). /proc's maps names a
// mapping of one "/memfd:NAME (deleted)", as Linux does.
#pragma once

#include "kernel/lib/credentials.h"

#include "file.h"

// The longest name memfd_create takes: NAME_MAX less the "memfd:" prefix.
constexpr usize MEMFD_NAME_MAX = 249;

// A new, empty file opened for reading and writing; `name` (at most MEMFD_NAME_MAX bytes)
// is only for display.
Result<RefPtr<OpenFile>> memfd_open(char const* name, Credentials const& who);
