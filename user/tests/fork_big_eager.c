// fork_big under Pagoda's eager-copy fork (boot option fork=copy, the "traditional fork"):
// copying more than half of memory cannot fit, so fork must fail cleanly with ENOMEM and the
// parent go on — no panic, nothing leaked. On Linux this is the same test as fork_big.
// pagoda-options: --fork-copy
#include "fork_big.c"
