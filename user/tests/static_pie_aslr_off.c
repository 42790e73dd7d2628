// static_pie_aslr_off — static_pie_aslr's program with Pagoda booted aslr=off: the kernel
// reports randomize_va_space 0, and three runs find everything at the same, Linux's fixed,
// addresses. On the host (randomize_va_space 2) it checks the randomized case again.
// link: -fPIE -Wl,-pie -Wl,--no-dynamic-linker -nostartfiles /usr/lib/x86_64-linux-musl/rcrt1.o /usr/lib/x86_64-linux-musl/crti.o /usr/lib/x86_64-linux-musl/crtn.o
// pagoda-options: --append aslr=off
#include "aslr_check.h"

int main(int argc, char** argv) { return aslr_check_main(argc, argv); }
