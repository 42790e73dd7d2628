// dynamic_musl — a dynamically linked musl program runs: its interpreter is mapped as a
// second image, AT_BASE/AT_ENTRY/AT_PHDR lead it to the program, fork keeps the interpreter's
// mappings, and two runs differ in both bases (dynamic_musl_check.h).
// build: dynamic
#include "dynamic_musl_check.h"

int main(int argc, char** argv) { return dynamic_check_main(argc, argv); }
