#!/usr/bin/env bash
# tests/system/pagoda_run_edges.sh — tools/pagoda-run and the kernel at their edges: a mistake
# gets one clear sentence, never a QEMU error, grep noise or a panic with raw addresses.
#
#   pagoda_run_memory         --mem abc: one line naming the option, exit 2, QEMU not run
#                             (and --kvm with --icount, which cannot both be honoured);
#                             --mem below the kernel's minimum (MINIMUM_MEMORY_MIB in
#                             kernel/arch/x86_64/kernel_memory.h) refused naming it; at the
#                             minimum a program runs
#   pagoda_run_kernel_memory  the kernel given less (QEMU -m through --qemu-args) panics with
#                             a sentence naming the minimum, status 125
#   pagoda_run_program        PROGRAM a directory, missing, not ELF, dynamically linked with
#                             an interpreter the host lacks: each one sentence saying which, exit 2
#   pagoda_run_arguments      300 arguments (empty ones, spaces, newlines, '%', a 100000-byte
#                             one) reach busybox sh byte for byte: the same digest as on the
#                             host; --env adds and replaces variables; more than 2 MiB in all
#                             (which the host passes with a larger stack limit) is refused with
#                             a sentence, as execve would
#   pagoda_run_disks          two --disk images are /mnt and /mnt1 (a file written to each is
#                             on that image afterwards); a fourth disk is refused
#   panic_source_paths        selftest=verify: the VERIFY's message names kernel/main.cpp
#                             relative to the repository, never the build machine's path
#
#   tests/system/pagoda_run_edges.sh [--timeout S] [--list] [CASE...]
#
# Run by tests/system/run (Pagoda only); prints "PASS case [pagoda]" / "FAIL case [pagoda]:
# reason (log: ...)" and exits non-zero on a failure. Environment: PAGODA_RUN,
# PAGODA_SYSTEST_BUILD (hello is taken from its bin/, logs go to its logs/).
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="${PAGODA_SYSTEST_BUILD:-$ROOT/build-sys/system-tests}"
PAGODA_RUN="${PAGODA_RUN:-$ROOT/tools/pagoda-run}"
TIMEOUT=60
CASES=(pagoda_run_memory pagoda_run_kernel_memory pagoda_run_program pagoda_run_arguments pagoda_run_disks panic_source_paths)
selected=()
while [ $# -gt 0 ]; do
    case "$1" in
    --timeout) TIMEOUT="$2"; shift ;;
    --timeout=*) TIMEOUT="${1#*=}" ;;
    --list) printf '%s\n' "${CASES[@]}"; exit 0 ;;
    -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "pagoda_run_edges.sh: unknown option $1" >&2; exit 2 ;;
    *) selected+=("$1") ;;
    esac
    shift
done
[ ${#selected[@]} -gt 0 ] || selected=("${CASES[@]}")

LOGS="$BUILD/logs"
mkdir -p "$LOGS"
HELLO="$BUILD/bin/hello"
MIN=$(sed -n 's/^constexpr u64 MINIMUM_MEMORY_MIB = \([0-9]*\);.*/\1/p' "$ROOT/kernel/arch/x86_64/kernel_memory.h")
failed=0
fail() { # case reason log
    echo "FAIL $1 [pagoda]: $2${3:+ (log: ${3#"$ROOT"/})}"
    failed=1
}
pass() { echo "PASS $1 [pagoda]"; rm -f "$LOGS/$1.pagoda.log"; }

# Runs pagoda-run with the arguments; its stdout and stderr go to the case's log, its
# status to $status.
run() { # case args...
    local name=$1
    shift
    "$PAGODA_RUN" --timeout "$TIMEOUT" "$@" < /dev/null > "$LOGS/$name.pagoda.log" 2>&1
    status=$?
}

# The log is exactly one line and it contains the text.
one_line_saying() { # log text
    [ "$(wc -l < "$1")" = 1 ] && grep -qF -- "$2" "$1"
}

case_pagoda_run_memory() {
    local name=pagoda_run_memory log="$LOGS/pagoda_run_memory.pagoda.log"
    if [ -z "$MIN" ]; then
        fail $name "no MINIMUM_MEMORY_MIB in kernel/arch/x86_64/kernel_memory.h"
        return
    fi
    run $name --mem abc "$HELLO"
    if [ $status != 2 ] || ! one_line_saying "$log" "--mem abc: not a number" || grep -qi qemu "$log"; then
        fail $name "--mem abc: wanted exit 2 and one sentence, got status $status" "$log"
        return
    fi
    run $name --mem $((MIN - 1)) "$HELLO"
    if [ $status != 2 ] || ! one_line_saying "$log" "at least $MIN MiB"; then
        fail $name "--mem $((MIN - 1)): wanted exit 2 and a sentence naming $MIN MiB, got status $status" "$log"
        return
    fi
    run $name --kvm --icount "$HELLO"
    if [ $status != 2 ] || ! one_line_saying "$log" "--kvm and --icount"; then
        fail $name "--kvm --icount: wanted exit 2 and one sentence, got status $status" "$log"
        return
    fi
    run $name --mem "$MIN" "$HELLO"
    if [ $status != 0 ] || ! grep -q '^[1-9][0-9]* passed, 0 failed' "$log"; then
        fail $name "--mem $MIN (the minimum): hello should run, got status $status" "$log"
        return
    fi
    pass $name
}

case_pagoda_run_kernel_memory() {
    local name=pagoda_run_kernel_memory log="$LOGS/pagoda_run_kernel_memory.pagoda.log"
    # QEMU takes the last -m: the kernel gets less than pagoda-run would allow.
    run $name --qemu-args "-m $((MIN - 1))" "$HELLO"
    if [ $status != 125 ] || ! grep -qE "KERNEL PANIC: memory: .*Pagoda needs at least $MIN MiB" "$log"; then
        fail $name "with $((MIN - 1)) MiB the kernel must panic naming the minimum of $MIN MiB (status $status)" "$log"
        return
    fi
    pass $name
}

case_pagoda_run_program() {
    local name=pagoda_run_program log="$LOGS/pagoda_run_program.pagoda.log"
    local scratch
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/pagoda-run-edges.XXXXXX")
    printf 'just text\n' > "$scratch/text"
    printf 'int main(void) { return 0; }\n' > "$scratch/dynamic.c"
    if ! gcc -Wl,--dynamic-linker=/lib/no-such-loader.so.1 -o "$scratch/dynamic" "$scratch/dynamic.c" > "$log" 2>&1; then
        fail $name "cannot build a dynamically linked program with gcc" "$log"
        rm -rf "$scratch"
        return
    fi
    local -a checks=(
        "$scratch|$scratch: is a directory"
        "$scratch/missing|$scratch/missing: no such file"
        "$scratch/text|$scratch/text: not an ELF program"
        "$scratch/dynamic|$scratch/dynamic is dynamically linked and needs /lib/no-such-loader.so.1, which this host does not have"
    )
    local check
    for check in "${checks[@]}"; do
        run $name "${check%%|*}"
        if [ $status != 2 ] || ! one_line_saying "$log" "${check#*|}"; then
            fail $name "PROGRAM ${check%%|*}: wanted exit 2 and '${check#*|}', got status $status" "$log"
            rm -rf "$scratch"
            return
        fi
    done
    rm -rf "$scratch"
    pass $name
}

case_pagoda_run_arguments() {
    local name=pagoda_run_arguments log="$LOGS/pagoda_run_arguments.pagoda.log"
    local -a args=("" "two words" "%41%" "a
newline" "tab	end" "$(head -c 100000 /dev/zero | tr '\0' x)")
    local i
    for ((i = 0; i < 294; i++)); do args+=("arg$i"); done
    # The script digests what it got; the same busybox gives the host's answer.
    local script='printf "%s\n" "$#" "$@" | md5sum'
    local want
    want=$(/bin/busybox sh -c "$script" sh "${args[@]}")
    run $name /bin/busybox sh -c "$script" sh "${args[@]}"
    if [ $status != 0 ] || [ "$(head -n 1 "$log")" != "$want" ]; then
        fail $name "300 arguments: wanted the host's digest $want, got status $status" "$log"
        return
    fi
    run $name --env A=1 --env 'B=x y' --env A=2 /bin/busybox env
    if [ $status != 0 ] || ! grep -qx 'A=2' "$log" || grep -qx 'A=1' "$log" || ! grep -qx 'B=x y' "$log" \
        || ! grep -qx 'PATH=/bin:/sbin:/usr/bin:/usr/sbin' "$log"; then
        fail $name "--env: wanted A=2 (not A=1), B=x y and the default PATH, got status $status" "$log"
        return
    fi
    local piece
    piece=$(head -c 100000 /dev/zero | tr '\0' y)
    local -a many=()
    for ((i = 0; i < 22; i++)); do many+=("$piece"); done
    # The host's own execve takes this many with a 64 MiB stack limit (ARG_MAX = limit / 4).
    (ulimit -s 65536 && "$PAGODA_RUN" --timeout "$TIMEOUT" /bin/busybox true "${many[@]}") < /dev/null > "$log" 2>&1
    status=$?
    if [ $status != 2 ] || ! one_line_saying "$log" "2097152 at most (ARG_MAX"; then
        fail $name "2.2 MB of arguments: wanted exit 2 and a sentence, got status $status" "$log"
        return
    fi
    pass $name
}

case_pagoda_run_disks() {
    local name=pagoda_run_disks log="$LOGS/pagoda_run_disks.pagoda.log"
    local scratch
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/pagoda-run-disks.XXXXXX")
    local d
    for d in 0 1 2 3; do mke2fs -q -F -t ext2 -b 4096 "$scratch/disk$d.img" 8M > /dev/null 2>&1; done
    run $name --disk "$scratch/disk0.img" --disk "$scratch/disk1.img" /bin/busybox sh -c \
        'echo first > /mnt/which && echo second > /mnt1/which && ls -d /mnt1'
    if [ $status != 0 ] || [ "$(debugfs -R 'cat /which' "$scratch/disk0.img" 2> /dev/null)" != first ] \
        || [ "$(debugfs -R 'cat /which' "$scratch/disk1.img" 2> /dev/null)" != second ]; then
        fail $name "two disks: /mnt and /mnt1 should be the first and second image (status $status)" "$log"
        rm -rf "$scratch"
        return
    fi
    run $name --disk "$scratch/disk0.img" --disk "$scratch/disk1.img" --disk "$scratch/disk2.img" \
        --disk "$scratch/disk3.img" "$HELLO"
    if [ $status != 2 ] || ! one_line_saying "$log" "--disk: at most 3 disks"; then
        fail $name "four disks: wanted exit 2 and a sentence, got status $status" "$log"
        rm -rf "$scratch"
        return
    fi
    rm -rf "$scratch"
    pass $name
}

case_panic_source_paths() {
    local name=panic_source_paths log="$LOGS/panic_source_paths.pagoda.log"
    run $name --append selftest=verify "$HELLO"
    if [ $status != 125 ] || ! grep -qE 'KERNEL PANIC: VERIFY\(!fail\) failed at kernel/main\.cpp:[0-9]+ in ' "$log"; then
        fail $name "the panic must name kernel/main.cpp relative to the repository (status $status)" "$log"
    elif grep -qF "$ROOT/" "$log"; then
        fail $name "the panic report names the build machine's path $ROOT" "$log"
    else
        pass $name
    fi
}

for c in "${selected[@]}"; do
    case " ${CASES[*]} " in
    *" $c "*) "case_$c" ;;
    *) echo "FAIL $c [pagoda]: no such case (--list shows them)"; failed=1 ;;
    esac
done
exit $failed
