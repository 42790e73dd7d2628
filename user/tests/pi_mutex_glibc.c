// pi_mutex_glibc — pi_mutex.c against glibc's pthreads (static): its PTHREAD_PRIO_INHERIT
// mutexes probe for PI support with UNLOCK_PI of a free word (EPERM, not ENOSYS), lock with
// LOCK_PI (and LOCK_PI2 for pthread_mutex_clocklock), and unlock through UNLOCK_PI once the
// word says FUTEX_WAITERS; robust ones read FUTEX_OWNER_DIED as EOWNERDEAD.
#include "pi_mutex.c"
