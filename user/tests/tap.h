// tap.h — tiny TAP (Test Anything Protocol) helpers shared by the system tests.
//
// Every test in user/tests is a static Linux program that must pass both on the host
// Linux and on Pagoda. It prints:
//   1..N                          (tap_plan; optional — tap_done prints it if omitted)
//   ok 1 - description
//   not ok 2 - description # details
//   ok 3 - description # SKIP reason
//   N passed, N failed            (tap_done; the runner requires "N passed, 0 failed")
// and exits 0 only if nothing failed. Output is flushed after every line so that a test
// killed by a signal still shows everything it printed before dying.
#ifndef PAGODA_TESTS_TAP_H
#define PAGODA_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_count;   // tests reported so far
static int tap_failed;  // of which failed
static int tap_planned = -1;

// Announce the number of tests up front (TAP "1..N").
static inline void tap_plan(int n)
{
    tap_planned = n;
    printf("1..%d\n", n);
    fflush(stdout);
}

static inline void tap_vreport(int pass, const char* directive, const char* fmt, va_list ap)
{
    ++tap_count;
    if (!pass)
        ++tap_failed;
    printf("%sok %d - ", pass ? "" : "not ", tap_count);
    vprintf(fmt, ap);
    if (directive)
        printf(" # %s", directive);
    printf("\n");
    fflush(stdout);
}

// Report one check. Returns cond (so callers can chain: if (!ok(...)) return;).
// Put details for a failure in the description, e.g. ok(r == 0, "munmap (r=%d errno=%d)", r, errno).
__attribute__((format(printf, 2, 3))) static inline int ok(int cond, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_vreport(cond != 0, NULL, fmt, ap);
    va_end(ap);
    return cond != 0;
}

// Report a check that was not applicable here (counts as passed): "ok N - desc # SKIP why".
__attribute__((format(printf, 2, 3))) static inline void skip(const char* why, const char* fmt, ...)
{
    char directive[128];
    snprintf(directive, sizeof directive, "SKIP %s", why);
    va_list ap;
    va_start(ap, fmt);
    tap_vreport(1, directive, fmt, ap);
    va_end(ap);
}

// A TAP comment line ("# ..."): diagnostics that are not a check.
__attribute__((format(printf, 1, 2))) static inline void diag(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("# ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

// Abort the whole test: reports a failed check and exits 1 (for when continuing is pointless).
__attribute__((format(printf, 1, 2), noreturn)) static inline void bail(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_vreport(0, NULL, fmt, ap);
    va_end(ap);
    printf("%d passed, %d failed\n", tap_count - tap_failed, tap_failed);
    fflush(stdout);
    exit(1);
}

// Print the summary and return the exit status: `return tap_done();` at the end of main.
// A plan that does not match the number of checks run is itself a failure.
static inline int tap_done(void)
{
    if (tap_planned < 0) {
        printf("1..%d\n", tap_count);
    } else if (tap_planned != tap_count) {
        int ran = tap_count;
        ++tap_count;
        ++tap_failed;
        printf("not ok %d - planned %d tests but ran %d\n", tap_count, tap_planned, ran);
    }
    printf("%d passed, %d failed\n", tap_count - tap_failed, tap_failed);
    fflush(stdout);
    return tap_failed == 0 ? 0 : 1;
}

#endif
