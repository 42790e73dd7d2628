# Loops: while, until, for over words and over a command's output, break/continue (also
# `break 2`), a loop reading a pipe, and a loop whose body forks an external command each time.
i=0
while [ "$i" -lt 5 ]; do
    i=$((i + 1))
    printf '%s ' "$i"
done
echo "while done"

for word in alpha beta gamma; do
    echo "for $word"
done

n=3
until [ "$n" -eq 0 ]; do
    echo "until $n"
    n=$((n - 1))
done

for i in 1 2 3 4 5 6; do
    case $i in
        2) continue ;;
        5) break ;;
    esac
    echo "case $i"
done

for a in 1 2 3; do
    for b in x y z; do
        if [ "$a" = 2 ] && [ "$b" = y ]; then break 2; fi
        echo "pair $a$b"
    done
done

printf 'one\ntwo\nthree\n' | while read -r line; do
    echo "read $line"
done

for number in $(seq 1 4); do
    echo "seq $number"
done

# Thirty forks and execs of an external program, one after the other.
count=0
while [ "$count" -lt 30 ]; do
    count=$(expr "$count" + 1)
done
echo "expr counted to $count"

# A loop's output through a pipe into an external program.
for i in 3 1 2; do echo "$i"; done | sort

# A loop's exit status is that of the last command it ran.
for i in 1 2; do false; done
echo "loop status $?"
while false; do :; done
echo "empty while status $?"
