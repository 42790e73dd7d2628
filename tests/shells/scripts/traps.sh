# Traps: on EXIT, on signals the shell sends itself (kill -INT $$), signals sent by a child,
# a trap reset with `trap -`, ignored signals inherited by children, traps in subshells, and
# a trap that interrupts `wait`.
trap 'echo "exit trap runs"' EXIT

trap 'echo "got INT"' INT
kill -INT $$
echo "after INT"

trap 'echo "got USR1"' USR1
kill -USR1 $$
echo "after USR1"

trap 'echo "got USR2 from a child"' USR2
sh -c "kill -USR2 $$"
echo "after USR2"

# An ignored signal stays ignored in a child, and the child survives it.
trap '' TERM
sh -c 'kill -TERM $$; echo "child ignored TERM"'
trap - TERM
sh -c 'kill -TERM $$; echo "not printed"'
echo "child with TERM at default: $?"

# A subshell has its own traps: a caught signal's trap is reset there.
(
    trap 'echo "subshell exit trap"' EXIT
    echo "in subshell"
)
echo "subshell status $?"
# A signal caught in the parent is at its default action in a subshell.
trap 'echo "parent got HUP"' HUP
(
    sh -c 'kill -HUP $PPID; sleep 1'
    echo "subshell not here"
)
echo "subshell killed by HUP: $?"

# A trapped signal interrupts `wait`: its status is 128 + the signal number. The sender
# repeats its signal until the wait is over, so one arrives while the shell waits.
rm -f ready
sh -c ': >ready; exec sleep 30' &
sleeper=$!
until [ -e ready ]; do sleep 0.05; done
trap 'usr1=caught' USR1
(while [ ! -e stop ]; do kill -USR1 $$; sleep 0.2; done) &
sender=$!
wait "$sleeper"
echo "wait interrupted: $?"
: >stop
while :; do # until the sender has ended: a late signal may interrupt this wait too
    wait "$sender"
    [ $? -ge 128 ] || break
done
echo "trap ran: $usr1"
kill "$sleeper"
wait "$sleeper"
echo "sleeper gone $?"

trap - INT
trap 'echo "trap sees status $?"; exit 6' USR1
kill -USR1 $$
echo "not reached"
