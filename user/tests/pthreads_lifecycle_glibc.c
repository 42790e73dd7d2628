// pthreads_lifecycle_glibc — pthreads_lifecycle.c against glibc (static).
#include "pthreads_lifecycle.c"
