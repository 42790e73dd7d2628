// execve(): replace a process's program. Reads the ELF image, builds a brand-new address
// space (segments, bss, heap start, stack with argv/envp/auxv) and only then swaps it in, so
// a bad image leaves the caller untouched.
#pragma once

#include "initial_stack.h"
#include "process.h"

// `path` is normalized (see normalize_path). On success `thread`'s user registers are set to
// start the new program; it returns to user mode through them.
Result<void> exec_program(Process&, Thread&, char const* path, StringList argv, StringList envp);
