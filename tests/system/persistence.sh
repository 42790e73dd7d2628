#!/usr/bin/env bash
# tests/system/persistence.sh — the persistence tier (Pagoda only): data written through a
# MAP_SHARED mapping in the guest is on the ext2 disk image afterwards, checked on the host
# with debugfs (and e2fsck -fn) once the guest has exited or been killed.
#
#   tests/system/persistence.sh [--timeout SECONDS] [CASE...]    run the cases (default: all)
#   tests/system/persistence.sh --list                            print the case names
#
# Run by tests/system/run (unless --host-only); prints one line per case,
# "PASS persistence_x [pagoda]" or "FAIL persistence_x [pagoda]: reason (log: ...)", plus
# "# ..." diagnostics, and exits non-zero if a case failed. Each case boots Pagoda with a
# fresh 16 MiB ext2 image (mke2fs -t ext2 -b 4096) attached with --disk (mounted at /mnt)
# and runs the helper user/tests/persist_writer.c (marked "// helper": not a test itself),
# which stores a string unique to the case and run at offsets 0 and 5000 of an 8 KiB file
# through a MAP_SHARED mapping:
#   persistence_msync       msync(MS_SYNC), munmap, exit 0 (new file)      → data on disk, e2fsck clean
#   persistence_munmap      munmap without msync, exit 0 (new file)        → data on disk, e2fsck clean
#   persistence_flusher     close the fd, keep the mapping, sleep 5 s with
#                           --append 'flush_interval=1 dirty_age=1', then the
#                           host kills QEMU (SIGKILL) (file made by mke2fs -d) → data on disk
#   persistence_msync_kill  msync(MS_SYNC); QEMU killed (SIGKILL) right after
#                           "msync returned" (file made by mke2fs -d)       → data on disk
# For the killed cases e2fsck's verdict is reported as a diagnostic only.
# Environment: PAGODA_RUN (default tools/pagoda-run), PAGODA_SYSTEST_BUILD (default
# build-sys/system-tests: the helper goes to its bin/, images and logs to its logs/).
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SRC="$ROOT/user/tests"
BUILD="${PAGODA_SYSTEST_BUILD:-$ROOT/build-sys/system-tests}"
PAGODA_RUN="${PAGODA_RUN:-$ROOT/tools/pagoda-run}"
TIMEOUT=60
ALL_CASES=(persistence_msync persistence_munmap persistence_flusher persistence_msync_kill)
CASES=()

while [ $# -gt 0 ]; do
    case "$1" in
    --list) printf '%s\n' "${ALL_CASES[@]}"; exit 0 ;;
    --timeout) TIMEOUT="$2"; shift ;;
    --timeout=*) TIMEOUT="${1#*=}" ;;
    -h | --help) sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "persistence.sh: unknown option $1" >&2; exit 2 ;;
    *) CASES+=("$1") ;;
    esac
    shift
done
[ ${#CASES[@]} -gt 0 ] || CASES=("${ALL_CASES[@]}")

BIN="$BUILD/bin"
LOGS="$BUILD/logs"
mkdir -p "$BIN" "$LOGS"
failed=0

pass() { echo "PASS $1 [pagoda]"; }
fail() { # name reason [log]
    echo "FAIL $1 [pagoda]: $2${3:+ (log: ${3#"$ROOT"/})}"
    failed=$((failed + 1))
}

# The helper, rebuilt when its source or a shared header is newer.
HELPER="$BIN/persist_writer"
build_helper() {
    local src="$SRC/persist_writer.c" stale=0 h
    [ -x "$HELPER" ] && [ "$HELPER" -nt "$src" ] || stale=1
    for h in "$SRC"/*.h; do [ "$h" -nt "$HELPER" ] && stale=1; done
    [ $stale = 0 ] && return 0
    musl-gcc -static -O2 -g -Wall -Wextra -I"$SRC" -o "$HELPER.tmp" "$src" > "$LOGS/persist_writer.build.log" 2>&1 \
        && mv "$HELPER.tmp" "$HELPER" && rm -f "$LOGS/persist_writer.build.log"
}

# Does file FILE in image IMG hold TEXT at offsets 0 and 5000, and 8192 bytes in all?
# Prints what it found otherwise.
image_has_text() { # img file text out
    local img=$1 file=$2 text=$3 out=$4 len=${#3}
    if ! debugfs -R "cat /$file" "$img" > "$out" 2> "$out.err"; then
        echo "debugfs -R 'cat /$file' failed: $(head -n 1 "$out.err")"
        return 1
    fi
    local size at0 at5000
    size=$(stat -c %s "$out")
    at0=$(head -c "$len" "$out")
    at5000=$(dd if="$out" bs=1 skip=5000 count="$len" 2> /dev/null)
    if [ "$size" != 8192 ] || [ "$at0" != "$text" ] || [ "$at5000" != "$text" ]; then
        echo "/$file on the image: size $size, offset 0 '${at0//[^[:print:]]/?}', offset 5000 '${at5000//[^[:print:]]/?}' (expected 8192 bytes with '$text' at both)"
        return 1
    fi
    return 0
}

# Wait until LOG has a line MARKER (or the launcher PID ended), then SIGKILL the QEMU
# that uses IMG. Returns 1 if the marker never came.
kill_qemu_after() { # marker log pid img
    local marker=$1 log=$2 pid=$3 img=$4 waited=0
    while ! tr -d '\r' < "$log" | grep -qx "$marker"; do
        kill -0 "$pid" 2> /dev/null || return 1
        sleep 0.2
        waited=$((waited + 1))
        [ $waited -gt $((TIMEOUT * 5)) ] && break
    done
    # pagoda-run runs qemu-system-x86_64 as a child (under timeout); match only QEMU itself.
    pkill -KILL -f "^qemu-system-x86_64 .*file=$img," 2> /dev/null
    tr -d '\r' < "$log" | grep -qx "$marker"
}

run_case() { # name
    local name=$1 work img out err dbg fsck_log text mode file seeded=0 status
    local -a options=()
    work=$(mktemp -d "${TMPDIR:-/tmp}/pagoda-persist.XXXXXX")
    img="$work/$name.img"
    out="$LOGS/$name.pagoda.log"
    err="$LOGS/$name.pagoda.stderr.log"
    dbg="$work/readback"
    fsck_log="$LOGS/$name.e2fsck.log"
    text="pagoda-$name-$$-$RANDOM"
    file="$name.dat"
    case $name in
    persistence_msync) mode=msync ;;
    persistence_munmap) mode=munmap ;;
    persistence_flusher) mode=flusher seeded=1 options=(--append 'flush_interval=1 dirty_age=1') ;;
    persistence_msync_kill) mode=msync-kill seeded=1 ;;
    *) fail "$name" "no such case (see --list)"; rm -rf "$work"; return ;;
    esac
    # The killed cases start from a file that is already on the image (blocks allocated,
    # not sparse), so that only the data write-back through the mapping is tested.
    local -a seed=()
    if [ $seeded = 1 ]; then
        mkdir -p "$work/seed"
        head -c 8192 /dev/zero | tr '\0' '.' > "$work/seed/$file"
        seed=(-d "$work/seed")
    fi
    if ! mke2fs -q -F -t ext2 -b 4096 "${seed[@]+"${seed[@]}"}" "$img" 16M > "$err" 2>&1; then
        fail "$name" "mke2fs failed" "$err"
        rm -rf "$work"
        return
    fi
    local -a cmd=("$PAGODA_RUN" --timeout "$TIMEOUT" "${options[@]+"${options[@]}"}" --disk "$img" "$HELPER" "/mnt/$file" "$text" "$mode")
    [ $mode = flusher ] && cmd+=(5)
    case $mode in
    msync | munmap)
        "${cmd[@]}" < /dev/null > "$out" 2> "$err"
        status=$?
        if [ $status != 0 ] || ! tr -d '\r' < "$out" | grep -qx 'done'; then
            fail "$name" "the guest program did not finish cleanly (status $status)" "$out"
            rm -rf "$work"
            return
        fi
        ;;
    flusher | msync-kill)
        local marker=slept
        [ $mode = msync-kill ] && marker="msync returned"
        "${cmd[@]}" < /dev/null > "$out" 2> "$err" &
        local pid=$!
        if ! kill_qemu_after "$marker" "$out" "$pid" "$img"; then
            wait "$pid"
            fail "$name" "the guest program never printed '$marker'" "$out"
            rm -rf "$work"
            return
        fi
        wait "$pid"
        ;;
    esac
    local found
    if ! found=$(image_has_text "$img" "$file" "$text" "$dbg"); then
        fail "$name" "$found" "$out"
        cp "$img" "$LOGS/$name.img" 2> /dev/null
        rm -rf "$work"
        return
    fi
    e2fsck -fn "$img" > "$fsck_log" 2>&1
    status=$?
    if [ $mode = msync ] || [ $mode = munmap ]; then
        if [ $status != 0 ]; then
            fail "$name" "data on disk, but e2fsck -fn exited $status" "$fsck_log"
            cp "$img" "$LOGS/$name.img" 2> /dev/null
            rm -rf "$work"
            return
        fi
    else
        if [ $status = 0 ]; then echo "# $name: e2fsck -fn clean after the kill"; else
            echo "# $name: e2fsck -fn exited $status after the kill (diagnostic only; log: ${fsck_log#"$ROOT"/})"; fi
    fi
    pass "$name"
    [ $status = 0 ] && rm -f "$fsck_log"
    rm -f "$out" "$err"
    rm -rf "$work"
}

if [ ! -x "$PAGODA_RUN" ]; then
    for c in "${CASES[@]}"; do fail "$c" "${PAGODA_RUN#"$ROOT"/} not found or not executable"; done
    exit 1
fi
if ! build_helper; then
    for c in "${CASES[@]}"; do fail "$c" "building the helper failed" "$LOGS/persist_writer.build.log"; done
    exit 1
fi
for c in "${CASES[@]}"; do run_case "$c"; done
[ $failed = 0 ]
