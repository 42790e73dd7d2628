# Functions: arguments, return values, recursion through command substitution, globals and
# `local`, a function defined inside another, functions in pipelines and with redirections.
greet() {
    echo "hello $1"
}
greet world

add() {
    echo $(($1 + $2))
}
echo "sum $(add 2 3)"

factorial() {
    if [ "$1" -le 1 ]; then
        echo 1
    else
        echo $(($1 * $(factorial $(($1 - 1)))))
    fi
}
echo "factorial 6 = $(factorial 6)"

give() {
    return "$1"
}
give 7
echo "return $?"
give 0 && echo "return 0 is success"

counter=0
bump() {
    counter=$((counter + 1))
}
bump
bump
bump
echo "counter $counter"

show_args() {
    echo "$# args: $*"
    shift
    echo "after shift: $1"
}
show_args a "b c" d
show_args "only"

scoped() {
    local x=inner
    echo "in function x=$x"
}
x=outer
scoped
echo "after function x=$x"

outer() {
    inner() {
        echo "inner runs"
    }
    inner
}
outer
inner

# A function as the first stage of a pipeline runs in a child: its assignment stays there.
value=1
set_value() {
    value=2
    echo "set in pipeline"
}
set_value | cat
echo "value $value"

to_file() {
    echo "line one"
    echo "line two"
}
to_file >out.txt
cat out.txt
to_file | wc -l | tr -d ' '

# The positional parameters come back after a function call.
set -- p q r
show_args x y
echo "script args: $*"

# A function may call an external command and hand its status back.
run_false() {
    false
}
run_false
echo "function status $?"
