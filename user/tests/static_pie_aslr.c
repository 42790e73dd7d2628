// static_pie_aslr — a static-pie program (musl's rcrt1.o, -pie without an interpreter) is
// loaded at a random base, and so are its stack, heap, mmap area and vDSO: three runs of
// it never agree on any of them (aslr_check.h). On Pagoda with aslr=off see
// static_pie_aslr_off.
// link: -fPIE -Wl,-pie -Wl,--no-dynamic-linker -nostartfiles /usr/lib/x86_64-linux-musl/rcrt1.o /usr/lib/x86_64-linux-musl/crti.o /usr/lib/x86_64-linux-musl/crtn.o
#include "aslr_check.h"

int main(int argc, char** argv) { return aslr_check_main(argc, argv); }
