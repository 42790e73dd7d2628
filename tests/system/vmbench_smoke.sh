#!/usr/bin/env bash
# tests/system/vmbench_smoke.sh — keeps the benchmark (bench/vmbench.c, docs/benchmarks.md)
# from rotting: builds vmbench, exit0 and bigprog with musl-gcc -static and runs `vmbench
# --quick DIR` on the host Linux (DIR a fresh mktemp -d holding exit0 and bigprog) and on
# Pagoda (DIR = /mnt, a fresh 32 MiB ext2 image holding them, attached with --disk; e2fsck -fn
# must pass afterwards). The cold figures drop the page cache (/proc/sys/vm/drop_caches) on
# both. Then, on the same DIR, `scalebench --quick DIR` (bench/scalebench.c, the scalability
# benchmark: threads, fork, TLB shootdowns; on Pagoda with the CPUs of PAGODA_CPUS).
# A platform passes when both exit 0 and print their JSON line with no "errors". It checks
# that every figure can be measured, never how fast: timing is not a pass/fail criterion.
#
#   tests/system/vmbench_smoke.sh [--timeout S] [--host-only | --pagoda-only]
#
# Run by tests/system/run; prints "PASS vmbench_smoke [linux]" / "FAIL vmbench_smoke [pagoda]:
# reason (log: ...)" and exits non-zero on a failure. Environment as persistence.sh:
# PAGODA_RUN, PAGODA_SYSTEST_BUILD (binaries go to its bin/, logs and images to its logs/).
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="${PAGODA_SYSTEST_BUILD:-$ROOT/build-sys/system-tests}"
PAGODA_RUN="${PAGODA_RUN:-$ROOT/tools/pagoda-run}"
TIMEOUT=120
platforms=(linux pagoda)
while [ $# -gt 0 ]; do
    case "$1" in
    --timeout) TIMEOUT="$2"; shift ;;
    --timeout=*) TIMEOUT="${1#*=}" ;;
    --host-only) platforms=(linux) ;;
    --pagoda-only) platforms=(pagoda) ;;
    -h | --help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "vmbench_smoke.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

BIN="$BUILD/bin"
LOGS="$BUILD/logs"
mkdir -p "$BIN" "$LOGS"
failed=0
fail() { # platform reason log
    echo "FAIL vmbench_smoke [$1]: $2${3:+ (log: ${3#"$ROOT"/})}"
    failed=1
}

for prog in vmbench scalebench exit0 bigprog; do
    if ! musl-gcc -static -O2 -g -Wall -Wextra -o "$BIN/bench_$prog" "$ROOT/bench/$prog.c" > "$LOGS/vmbench_smoke.build.log" 2>&1; then
        for p in "${platforms[@]}"; do fail "$p" "build of bench/$prog.c failed" "$LOGS/vmbench_smoke.build.log"; done
        exit 1
    fi
done
rm -f "$LOGS/vmbench_smoke.build.log"

judge() { # platform status output [program]
    local program=${4:-vmbench}
    if [ "$2" != 0 ]; then
        fail "$1" "$program --quick exited with status $2" "$3"
    elif ! tr -d '\r' < "$3" | grep -q "^{\"tool\":\"$program\".*\"errors\":0,"; then
        fail "$1" "no $program JSON line with \"errors\":0" "$3"
    else
        return 0
    fi
    return 1
}

for platform in "${platforms[@]}"; do
    out="$LOGS/vmbench_smoke.$platform.log"
    if [ "$platform" = linux ]; then
        dir=$(mktemp -d "${TMPDIR:-/tmp}/pagoda-vmbench.XXXXXX")
        cp "$BIN/bench_exit0" "$dir/exit0"
        cp "$BIN/bench_bigprog" "$dir/bigprog"
        timeout -k 5 "$TIMEOUT" "$BIN/bench_vmbench" --quick "$dir" < /dev/null > "$out" 2>&1
        status=$?
        if judge linux "$status" "$out"; then
            timeout -k 5 "$TIMEOUT" "$BIN/bench_scalebench" --quick "$dir" < /dev/null > "$out" 2>&1
            judge linux $? "$out" scalebench && { echo "PASS vmbench_smoke [linux]"; rm -f "$out"; }
        fi
        rm -rf "$dir"
    else
        img="$LOGS/vmbench_smoke.img"
        stage=$(mktemp -d "${TMPDIR:-/tmp}/pagoda-vmbench.XXXXXX")
        cp "$BIN/bench_exit0" "$stage/exit0"
        cp "$BIN/bench_bigprog" "$stage/bigprog"
        if ! mke2fs -q -F -t ext2 -b 4096 -d "$stage" "$img" 32M > "$out" 2>&1; then
            rm -rf "$stage"
            fail pagoda "mke2fs failed" "$out"
            continue
        fi
        rm -rf "$stage"
        "$PAGODA_RUN" --timeout "$TIMEOUT" --disk "$img" "$BIN/bench_vmbench" --quick /mnt < /dev/null > "$out" 2> "$out.stderr"
        status=$?
        if judge pagoda "$status" "$out" \
            && { "$PAGODA_RUN" --timeout "$TIMEOUT" --disk "$img" "$BIN/bench_scalebench" --quick /mnt < /dev/null > "$out" 2> "$out.stderr"
                judge pagoda $? "$out" scalebench; }; then
            if e2fsck -fn "$img" > "$out.e2fsck" 2>&1; then
                echo "PASS vmbench_smoke [pagoda]"
                rm -f "$out" "$out.stderr" "$out.e2fsck" "$img"
            else
                fail pagoda "e2fsck -fn of the disk image found errors" "$out.e2fsck"
            fi
        fi
    fi
done
exit $failed
