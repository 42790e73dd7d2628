// /proc/<pid>/pagemap: one 64-bit entry per virtual page, in Linux's format, computed from
// the page table when read (the file is as large as the address space). Bit 63: present;
// bits 0-54: the physical frame number; bit 61: page-cache or shared page; bit 56: the frame
// is mapped by this process alone. Demos use it to show which frames processes share.
#pragma once

#include "kernel/fs/file.h"

class Process;
Result<RefPtr<File>> open_pagemap(Process&);
