// execve(): replace a process's program. Reads the ELF image, builds a brand-new address
// space (segments, bss, heap start, stack with argv/envp/auxv) and only then swaps it in, so
// a bad image leaves the caller untouched.
#pragma once

#include "initial_stack.h"
#include "process.h"

// How far a failed exec got. While Checking (the file, its ELF headers, the arguments) the
// caller's program is untouched and execve returns the error. Past Linux's point of no
// return, Building the new address space, Linux kills the process with SIGSEGV instead —
// a bss larger than memory ends so — and the caller must do the same.
enum class ExecStage {
    Checking,
    Building
};

// `path` is normalized (see normalize_path); `execfn` is the path as the caller gave it, the
// new program's AT_EXECFN (Linux's bprm->filename, relative or through a symlink). On success `thread`'s user registers are set
// to start the new program; it returns to user mode through them. The process then holds its executable against writers
// (ExecutableHold): TextBusy if the file is open for writing.
Result<void> exec_program(
    Process&, Thread&, char const* path, char const* execfn, StringList argv, StringList envp, ExecStage& reached);
