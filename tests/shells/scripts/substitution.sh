# Command substitution: $(...) and backticks, nested, with pipelines inside, trailing newlines
# removed, the status of an assignment, large output, and word splitting of the result.
a=$(echo hello)
b=`echo world`
echo "$a $b"

echo "nested $(echo "in $(echo deep)")"
echo "backticks nested `echo \`echo inner\``"

echo "lines $(printf 'a\nb\nc\n' | wc -l | tr -d ' ')"
echo "pipeline: $(echo c b a | tr ' ' '\n' | sort | tr '\n' ' ')"
echo "trailing newlines removed: [$(printf 'x\n\n\n')]"
echo "inner newline kept: [$(printf 'x\ny')]"

v=$(exit 3)
echo "assignment status $?"
v=$(false)
echo "false in substitution $?"
v=$(true)
echo "true in substitution $?"

echo "arithmetic $(($(echo 6) * 7))"

for w in $(echo one two three); do
    echo "word $w"
done

# A substitution runs in a subshell: cd and assignments stay there.
place=$(cd / && pwd)
echo "cd in substitution: $place"
x=1
y=$(x=2; echo "$x")
echo "x=$x y=$y"

# 5000 numbers, 23893 bytes (the last newline removed): more than one pipe read.
big=$(seq 1 5000)
echo "big length ${#big}"
echo "big last $(echo "$big" | tail -n 1)"

# The substitution's stderr is not captured.
quiet=$(sh -c 'echo out; echo err >&2' 2>/dev/null)
echo "captured [$quiet]"

echo "$(echo "$(echo "$(echo three levels)")")"
count=$(for i in 1 2 3 4; do echo "$i"; done | wc -l | tr -d ' ')
echo "loop in substitution $count"
echo "external in arithmetic $(( $(expr 2 + 3) + 1 ))"
