#!/bin/bash
# Runs every script of tests/debian/scripts in a fresh folder with a clean environment and
# prints, for each, "=== NAME", its output, and "=== NAME status N". The same driver runs
# on the host and in Pagoda's Debian root; tests/debian/run compares the two.
here=$(cd "$(dirname "$0")" && pwd)
for script in "$here"/scripts/*.sh; do
    name=$(basename "$script")
    work=$(mktemp -d /tmp/debian-test.XXXXXX)
    echo "=== $name"
    (cd "$work" && env -i HOME="$work" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 timeout 300 bash "$script" 2>&1)
    echo "=== $name status $?"
    rm -rf "$work"
done
