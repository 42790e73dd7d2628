// "#!" scripts (Linux's binfmt_script): a file whose first line is
//   #!INTERPRETER [ARGUMENT]
// is run as INTERPRETER [ARGUMENT] FILE ARGS..., where ARGUMENT is the rest of the line after
// the interpreter, trimmed, as one argument (spaces and all).
#pragma once

#include "kernel/lib/result.h"
#include "kernel/lib/types.h"

class PageCache;

// Linux reads the first 256 bytes (BINPRM_BUF_SIZE) and runs a chain of at most 5 scripts
// (a script whose interpreter is a script...); the sixth is ELOOP.
constexpr usize SCRIPT_HEADER_BYTES = 256;
constexpr int SCRIPT_NESTING_LIMIT = 5;

struct ScriptHeader {
    char interpreter[SCRIPT_HEADER_BYTES];
    char argument[SCRIPT_HEADER_BYTES];
    bool has_argument;
};

// False if the file does not start with "#!". NoExec for a "#!" line with no interpreter,
// or one whose interpreter name runs past the first 256 bytes.
Result<bool> read_script_header(PageCache&, ScriptHeader&);
