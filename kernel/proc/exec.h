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

// What execveat() adds to a path: the program may already be found, and the name may be
// one a new program could not use.
struct ExecSource {
    RefPtr<Inode> file; // AT_EMPTY_PATH: the descriptor's file is the program; `path` names it
    bool follow_last_link { true }; // false with AT_SYMLINK_NOFOLLOW: a last link is ELOOP
    // The name goes through a close-on-exec descriptor, gone once the program runs: a "#!"
    // script could not be opened by its interpreter, so it is ENOENT (Linux's
    // BINPRM_FLAGS_PATH_INACCESSIBLE).
    bool path_inaccessible { false };
};
Result<void> exec_program(Process&, Thread&, char const* path, char const* execfn, StringList argv, StringList envp,
    ExecSource const&, ExecStage& reached);
