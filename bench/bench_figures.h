// bench_figures.h — what the benchmark programs (vmbench.c, scalebench.c) share: the clock,
// the median, the selection by --only, and the figures they report, as one "name=value unit"
// line each and, at the end, one JSON line that tools/bench reads:
//   {"tool":"TOOL","version":1,"quick":B,"kernel":"SYSNAME RELEASE",EXTRA"errors":N,
//    "figures":{"name":{"value":V,"unit":"U"},...}}
// Each program is one .c file built with musl-gcc -static, so this header holds the
// definitions themselves (static: each program includes it once).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#define MAX_FIGURES 96

static const char *only; // --only: a comma list of group and figure names; NULL: everything

struct figure {
    char name[40];
    double value;
    const char *unit;
};
static struct figure figures[MAX_FIGURES];
static int figure_count;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, compare_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void report(const char *name, double value, const char *unit) {
    printf("%s=%.1f %s\n", name, value, unit);
    fflush(stdout);
    if (figure_count < MAX_FIGURES) {
        struct figure *f = &figures[figure_count++];
        snprintf(f->name, sizeof f->name, "%s", name);
        f->value = value;
        f->unit = unit;
    }
}

// Is the figure NAME of group GROUP selected by --only (a comma list of groups and names)?
static int wanted(const char *group, const char *name) {
    if (!only) return 1;
    const char *p = only;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if ((strlen(group) == len && strncmp(p, group, len) == 0)
            || (name && strlen(name) == len && strncmp(p, name, len) == 0))
            return 1;
        if (!end) break;
        p = end + 1;
    }
    return 0;
}

// The options every benchmark takes: [--quick] [--only NAME,...] [DIR]. 0, or 2 after a
// usage line naming PROGRAM (what main returns).
static int parse_options(int argc, char **argv, const char *program, int *quick, const char **dir) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            *quick = 1;
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strncmp(argv[i], "--only=", 7) == 0)
            only = argv[i] + 7;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: %s [--quick] [--only NAME,...] [DIR]\n", program);
            return 2;
        } else
            *dir = argv[i];
    }
    return 0;
}

// The closing JSON line; EXTRA is more fields, each followed by a comma (or "").
static void print_figures_json(const char *tool, int quick, const struct utsname *u, const char *extra, int errors) {
    printf("{\"tool\":\"%s\",\"version\":1,\"quick\":%s,\"kernel\":\"%s %s\",%s\"errors\":%d,\"figures\":{", tool,
           quick ? "true" : "false", u->sysname, u->release, extra, errors);
    for (int i = 0; i < figure_count; i++)
        printf("%s\"%s\":{\"value\":%.1f,\"unit\":\"%s\"}", i ? "," : "", figures[i].name, figures[i].value,
               figures[i].unit);
    printf("}}\n");
    fflush(stdout);
}
