// pthreads_signals_glibc — pthreads_signals.c against glibc (static).
#include "pthreads_signals.c"
