# Redirections and pipes: > >> < 2>&1 (and its order), descriptors opened with exec and
# closed again, <> on one file, a long pipeline, a pipe whose reader stops early (SIGPIPE for
# the writer), and exec replacing the shell at the end.
echo first >file
echo second >>file
cat <file
wc -l <file | tr -d ' '

sh -c 'echo to stdout; echo to stderr >&2' >both 2>&1
sort both
got=$(sh -c 'echo to stderr >&2' 2>&1 >/dev/null)
echo "stderr alone, through the substitution's pipe: $got"

exec 4>fd4
echo "written on fd 4" >&4
exec 4>&-
cat fd4
echo "fd 4 closed: $(sh -c 'echo x >&4' 2>/dev/null; echo $?)"

exec 5<file
read -r line <&5
echo "read from fd 5: $line"
read -r line <&5
echo "then: $line"
exec 5<&-

echo abcdef >rw
exec 6<>rw
printf 'XY' >&6
exec 6>&-
cat rw

seq 1 100 | grep 7 | sort -r | head -n 3 | tr '\n' ' '
echo

# The writer loops forever; head takes 3 lines and exits; the writer dies of SIGPIPE.
{
    sh -c 'while :; do echo y; done'
    echo "writer's status $?" >writer_status
} | head -n 3
echo "pipeline after SIGPIPE: $?"
cat writer_status

: >empty
[ -s empty ] || echo "empty file is empty"
{ echo one; echo two; } >grouped
cat grouped
while read -r word; do echo "loop read $word"; done <grouped >loop_out
cat loop_out

exec cat file
echo "not reached"
