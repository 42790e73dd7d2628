# Background jobs: `&`, `$!`, `wait` for all, for one pid while another still runs, the status
# of a job that exited and of one killed by a signal, background subshells and pipelines.
sleep 0.2 &
pid=$!
echo "started"
wait "$pid"
echo "wait sleep $?"

(exit 3) &
first=$!
(exit 5) &
second=$!
wait "$second"
echo "second $?"
wait "$first"
echo "first $?"

for i in 1 2 3; do
    (sleep "0.$i"; echo "job $i" >"job$i") &
done
wait
cat job1 job2 job3

# A background job that has told us it runs (in busybox sh, SIGTERM at its default): a
# signal sent before the shell's child has started it could be caught by the shell's own
# code in that child, which differs from shell to shell.
start_sleeper() {
    rm -f ready
    sh -c ': >ready; exec sleep 30' &
    until [ -e ready ]; do sleep 0.05; done
}

# Waiting for a short job while a long one still runs.
start_sleeper
long=$!
(exit 4) &
short=$!
wait "$short"
echo "short $?"
kill -TERM "$long"
wait "$long"
echo "long killed $?"

sh -c 'exit 0' &
if [ "$!" != "$$" ]; then echo "\$! is the child"; fi
wait

echo piped | tr a-z A-Z >pipe.txt &
wait
cat pipe.txt

{ echo "group in background"; } &
wait

sleep 30 &
victim=$!
kill -KILL "$victim"
wait "$victim"
echo "killed by KILL $?"

wait
echo "wait with no children $?"

# Many jobs at once, each an external program.
for i in 1 2 3 4 5 6 7 8; do
    expr "$i" '*' 10 >"n$i" &
done
wait
cat n1 n2 n3 n4 n5 n6 n7 n8 | tr '\n' ' '
echo
