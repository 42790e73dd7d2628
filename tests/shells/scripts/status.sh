# Exit statuses: true/false, `!`, pipelines (the last command's), exit codes mod 256, 127 for
# a missing command, 126 for one that cannot run, 128+N for death by signal N, `set -e`, &&
# and ||, functions and groups; the script's own exit status is the last line's.
true
echo "true $?"
false
echo "false $?"
! true
echo "! true $?"
! false
echo "! false $?"
false | true
echo "false | true $?"
true | false
echo "true | false $?"
! true | false
echo "! (true | false) $?"

sh -c 'exit 42'
echo "exit 42 gives $?"
sh -c 'exit 300'
echo "exit 300 gives $?"

no_such_command_here 2>/dev/null
echo "missing command $?"
echo 'echo hi' >not_executable
chmod 644 not_executable
./not_executable 2>/dev/null
echo "not executable $?"

sh -c 'kill -KILL $$'
echo "killed by KILL $?"
sh -c 'kill -SEGV $$' 2>/dev/null
echo "killed by SEGV $?"
sh -c 'kill -TERM $$'
echo "killed by TERM $?"
sh -c 'kill -USR1 $$'
echo "killed by USR1 $?"

(exit 9)
echo "subshell $?"
{ false; }
echo "group $?"
status_of() {
    return "$1"
}
status_of 12
echo "function $?"

if false; then
    :
else
    echo "else branch sees $?"
fi
true && echo "&& after success"
false || echo "|| after failure $?"
false && echo "not printed"
echo "&& after failure leaves $?"

(
    set -e
    echo "set -e: before"
    false
    echo "set -e: not printed"
)
echo "set -e subshell $?"
(
    set -e
    false || true
    if false; then :; fi
    ! true
    false && true
    echo "set -e: conditions do not exit"
)
echo "set -e conditions $?"
(
    set -e
    sh -c 'exit 5'
    echo "not printed"
)
echo "set -e external $?"

exit_value=$(sh -c 'exit 77'; echo "$?")
echo "status inside a substitution $exit_value"

sh -c 'exit 3' &
wait $!
echo "background exit $?"

exit 7
