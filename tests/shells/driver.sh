# Runs every shell test case and prints each one's standard output, exit status and standard
# error between marker lines; tests/shells/run runs it on the host Linux and on Pagoda (as
# Pagoda's first process) and compares the two. Runs under busybox sh.
#   driver.sh STAGE WORK     STAGE: the folder tests/shells/run prepared (bin/, path/,
#                            scripts/, sash/); WORK: an empty folder for the cases' files
stage=$1 work=$2
export PATH="$stage/path"
limit=120 # seconds per case: a hang fails that case, not the whole boot
number=0

run_case() { # NAME COMMAND...: run COMMAND in a fresh folder with a clean environment
    name=$1
    shift
    number=$((number + 1))
    dir=$work/$number
    mkdir -p "$dir"
    (cd "$dir" && exec env -i PATH="$stage/path" HOME="$dir" TMPDIR="$dir" LC_ALL=C TERM=dumb \
        timeout -s KILL "$limit" "$@" </dev/null >"$dir.out" 2>"$dir.err")
    status=$?
    echo "=== case $name"
    cat "$dir.out"
    echo
    echo "=== status $status"
    cat "$dir.err"
    echo
    echo "=== end"
}

for shell in busybox bash-static mksh-static zsh-static; do
    command=$stage/bin/$shell
    [ "$shell" = busybox ] && command="$command sh"
    for script in "$stage"/scripts/*.sh; do
        # A script for some shells only says which in a line "# shells: NAME...".
        only=$(sed -n 's/^# shells: //p' "$script")
        case " ${only:-$shell} " in
        *" $shell "*) run_case "$shell ${script##*/}" $command "$script" ;;
        esac
    done
done
for script in "$stage"/sash/*.sash; do
    run_case "sash ${script##*/}" "$stage/bin/sash" -f "$script"
done
while IFS= read -r line; do
    run_case "sash -c $line" "$stage/bin/sash" -c "$line"
done <"$stage/sash/commands"
echo "=== driver done"
