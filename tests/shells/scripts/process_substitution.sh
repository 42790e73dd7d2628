# shells: bash-static zsh-static
# Process substitution: <(...) names a pipe as /dev/fd/N (bash) or /proc/self/fd/N (zsh),
# which the command opens as a file; >(...) the other way. Needs /proc/<pid>/fd's links.
cat <(echo "from a substitution")
while read -r line; do echo "read $line"; done < <(printf 'one\ntwo\n')
diff <(seq 1 3) <(seq 1 3) && echo "the same"
diff <(seq 1 3) <(seq 1 4) >/dev/null || echo "different: $?"
echo "lines: $(wc -l < <(seq 1 1000) | tr -d ' ')"
cat <(cat <(echo "nested"))
echo "to a command" > >(tr a-z A-Z >upper)
until [ -s upper ]; do sleep 0.05; done
cat upper
cat /dev/stdin <<EOF
through /dev/stdin
EOF
{ echo "through /dev/stdout, a pipe" >/dev/stdout; } | cat
exec 3<<EOF
opened again by name
EOF
cat /dev/fd/3
