// dynamic_musl_aslr_off — dynamic_musl with Pagoda booted aslr=off: every run has the
// interpreter at the same AT_BASE and the program at 0x555555554000, Linux's ELF_ET_DYN_BASE
// (dynamic_musl_check.h). On the host (randomized) it checks the randomized case again.
// build: dynamic
// pagoda-options: --append aslr=off
#include "dynamic_musl_check.h"

int main(int argc, char** argv) { return dynamic_check_main(argc, argv); }
