// pthreads_sync_glibc — pthreads_sync.c against glibc's pthreads (static): its own futex
// use (FUTEX_WAIT_BITSET, private futexes), clone3 first, rseq refused.
#include "pthreads_sync.c"
