#!/usr/bin/env bash
# tests/system/demos.sh — the demos tell the truth: every sentence about what the kernel did
# comes from what the demo just read (/proc/vmstat, /proc/self/pagemap), so booting the kernel
# another way must change the sentences. Each demo runs on Pagoda (user/demos, built here with
# musl-gcc -static) and its output is checked for the sentences that run must give, and
# against the ones it must not:
#
#   demo_cowdemo        copy-on-write fork: the child maps the parent's frames, the write to C
#                       copies one page, the write to A is a reuse; with --fork-copy (eager
#                       copying): every page copied at fork, no copy and no reuse afterwards
#   demo_vforkdemo      vfork borrows the address space; fork copies no pages and shares leaf
#                       page tables; with --fork-copy: fork copies the pages, shares no tables
#   demo_mmapdemo       on a fresh disk under flush_interval=1 dirty_age=1: one frame for both
#                       processes, dirty after a store, written by msync, the flusher and
#                       munmap, a private copy; run again without those options the summary
#                       says the flusher was not waited for
#
#   tests/system/demos.sh [--timeout S] [--list] [CASE...]
#
# Run by tests/system/run (Pagoda only); prints "PASS case [pagoda]" / "FAIL case [pagoda]:
# reason (log: ...)" and exits non-zero on a failure. Environment: PAGODA_RUN,
# PAGODA_SYSTEST_BUILD (binaries go to its bin/, logs and images to its logs/ and images/).
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="${PAGODA_SYSTEST_BUILD:-$ROOT/build-sys/system-tests}"
PAGODA_RUN="${PAGODA_RUN:-$ROOT/tools/pagoda-run}"
TIMEOUT=120
CASES=(demo_cowdemo demo_vforkdemo demo_mmapdemo)
selected=()
while [ $# -gt 0 ]; do
    case "$1" in
    --timeout) TIMEOUT="$2"; shift ;;
    --timeout=*) TIMEOUT="${1#*=}" ;;
    --list) printf '%s\n' "${CASES[@]}"; exit 0 ;;
    -h | --help) sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "demos.sh: unknown option $1" >&2; exit 2 ;;
    *) selected+=("$1") ;;
    esac
    shift
done
[ ${#selected[@]} -gt 0 ] || selected=("${CASES[@]}")

BIN="$BUILD/bin"
LOGS="$BUILD/logs"
mkdir -p "$BIN" "$LOGS" "$BUILD/images"
failed=0
fail() { # case reason log
    echo "FAIL $1 [pagoda]: $2${3:+ (log: ${3#"$ROOT"/})}"
    failed=1
}

build_demo() { # name -> BIN/name
    musl-gcc -static -O2 -Wall -Wextra -I"$ROOT/user/demos" -o "$BIN/$1" "$ROOT/user/demos/$1.c" > "$LOGS/$1.build.log" 2>&1 \
        && rm -f "$LOGS/$1.build.log"
}

# Runs a demo on Pagoda: run LOG OPTIONS... -- PROGRAM ARGS...; the status lands in $status.
run() {
    local log=$1
    shift
    local -a options=()
    while [ "$1" != -- ]; do
        options+=("$1")
        shift
    done
    shift
    "$PAGODA_RUN" --timeout "$TIMEOUT" "${options[@]+"${options[@]}"}" "$@" < /dev/null 2>&1 | tr -d '\r' > "$log"
    status=${PIPESTATUS[0]}
}

# Checks a log: every "+text" line must be in it, every "-text" line must not (fixed strings,
# whitespace collapsed so that sentences may wrap). Prints the first that fails.
check() { # log expectations...
    local log=$1 text
    shift
    text=$(tr -s ' \n' '  ' < "$log")
    local want
    for want in "$@"; do
        case "$want" in
        +*) [[ $text == *"${want#+}"* ]] || { echo "missing '${want#+}'"; return 1; } ;;
        -*) [[ $text != *"${want#-}"* ]] || { echo "should not say '${want#-}'"; return 1; } ;;
        esac
    done
    return 0
}

judge() { # case log expectations...
    local name=$1 log=$2 reason
    shift 2
    if [ "$status" != 0 ]; then
        fail "$name" "exit status $status" "$log"
        return 1
    fi
    if ! reason=$(check "$log" "$@"); then
        fail "$name" "$reason" "$log"
        return 1
    fi
    return 0
}

case_demo_cowdemo() {
    local name=demo_cowdemo log="$LOGS/demo_cowdemo.pagoda.log" copy_log="$LOGS/demo_cowdemo.fork-copy.pagoda.log"
    build_demo cowdemo || { fail $name "build failed" "$LOGS/cowdemo.build.log"; return; }
    run "$log" -- "$BIN/cowdemo"
    judge $name "$log" \
        "+fork() gave it a copy of the page TABLE, not of the pages" \
        "+fork() shared them instead of copying them" \
        "+Page C now points at a new frame (cow_copy +1)" \
        "+A and B are still shared: only the page that was written was copied" \
        "+made the page writable in place: a \"reuse\"" \
        "+In short: fork() copied no pages; the write to page C copied 1 page;" \
        "+reused 1 page in place" \
        "-copied every page at fork()" || return
    run "$copy_log" --fork-copy -- "$BIN/cowdemo"
    judge $name "$copy_log" \
        "+copied every page at fork()" \
        "+fork() did not share them" \
        "+Page C kept its frame and no copy-on-write fault was counted" \
        "+A and B were never shared" \
        "+No copy-on-write fault at all" \
        "+(copy of A)" \
        "+In short: fork() copied all 3 pages; the write to page C copied 0 pages;" \
        "-a copy of the page TABLE" \
        "-a \"reuse\"" \
        "-cow_copy +1" || return
    echo "PASS $name [pagoda]"
    rm -f "$log" "$copy_log"
}

case_demo_vforkdemo() {
    local name=demo_vforkdemo log="$LOGS/demo_vforkdemo.pagoda.log" copy_log="$LOGS/demo_vforkdemo.fork-copy.pagoda.log"
    build_demo vforkdemo || { fail $name "build failed" "$LOGS/vforkdemo.build.log"; return; }
    run "$log" -- "$BIN/vforkdemo"
    judge $name "$log" \
        "+the same frame" \
        "+No address space was copied (forks +0)" \
        "+the parent was suspended while the child ran" \
        "+the child's write landed in the parent's own page, uncopied" \
        "+fork() copied no pages, only page tables and bookkeeping" \
        "+Nor did it copy every page-table entry: it shared" \
        "+vfork copied no address space and write-protected nothing" \
        "+execve() let it go" \
        "-copied the pages themselves" \
        "-must copy the page table (every entry)" || return
    run "$copy_log" --fork-copy -- "$BIN/vforkdemo"
    judge $name "$copy_log" \
        "+this kernel copied the pages themselves at fork()" \
        "+fork caused no copy-on-write faults" \
        "+vfork copied no address space and write-protected nothing" \
        "-fork() copied no pages" \
        "-leaf page tables (" || return
    echo "PASS $name [pagoda]"
    rm -f "$log" "$copy_log"
}

case_demo_mmapdemo() {
    local name=demo_mmapdemo log="$LOGS/demo_mmapdemo.pagoda.log" slow_log="$LOGS/demo_mmapdemo.slow-flusher.pagoda.log"
    local image="$BUILD/images/demo_mmapdemo.img"
    build_demo mmapdemo || { fail $name "build failed" "$LOGS/mmapdemo.build.log"; return; }
    rm -f "$image"
    if ! mke2fs -q -F -t ext2 -b 4096 "$image" 32M > "$log" 2>&1; then
        fail $name "mke2fs failed" "$log"
        return
    fi
    run "$log" --disk "$image" --append 'flush_interval=1 dirty_age=1' -- "$BIN/mmapdemo" /mnt
    judge $name "$log" \
        "+So mmap() read nothing" \
        "+Process 1 and process 2 use the SAME physical frame" \
        "+The page is now DIRTY" \
        "+process 1's store is simply there, in the frame both share" \
        "+write() copied into the page-cache page, and that page IS the mapping" \
        "+read() and the mapping are two doors into the same page-cache page" \
        "+The store faulted (page faults +1): msync had made the page read-only again" \
        "+flusher thread wrote the page to the disk by itself" \
        "+kernel copied the page into a new frame for process 2 alone" \
        "+Before it went, the kernel wrote its dirty page to the disk" \
        "+the disk caught up at msync(): yes; by the flusher: yes; at munmap(): yes;" \
        "+a MAP_PRIVATE mapping copied the page on its first write and kept the copy to itself" \
        "-?!" \
        "-unexpected" || return
    # Again, on the same image, with the flusher's defaults: the demo does not wait for it,
    # and its summary must say so rather than claim the flusher wrote.
    run "$slow_log" --disk "$image" -- "$BIN/mmapdemo" /mnt
    judge $name "$slow_log" \
        "+is already on the disk" \
        "+by the flusher: not waited for;" \
        "-flusher thread wrote the page" \
        "-?!" || return
    if ! e2fsck -fn "$image" > "$LOGS/demo_mmapdemo.e2fsck.log" 2>&1; then
        fail $name "e2fsck -fn of the disk image found errors" "$LOGS/demo_mmapdemo.e2fsck.log"
        return
    fi
    echo "PASS $name [pagoda]"
    rm -f "$log" "$slow_log" "$image" "$LOGS/demo_mmapdemo.e2fsck.log"
}

for c in "${selected[@]}"; do
    case " ${CASES[*]} " in
    *" $c "*) "case_$c" ;;
    *) echo "FAIL $c [pagoda]: no such case (--list shows them)"; failed=1 ;;
    esac
done
exit $failed
