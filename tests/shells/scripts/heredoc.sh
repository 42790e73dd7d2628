# Here-documents: expanded and quoted delimiters, <<- tab stripping, into pipelines, loops and
# functions, two on one line, one inside a command substitution, and one bigger than a pipe.
name=world
cat <<EOF
plain $((1 + 2)) $(echo substituted) $name
EOF

cat <<'EOF'
quoted $name $(not run) `nor this`
EOF

cat <<-EOF
	leading tabs stripped
		both of them
EOF

cat <<EOF | tr a-z A-Z
hello $name
EOF

while read -r number word; do
    echo "[$number|$word]"
done <<EOF
1 one
2 two
3 three
EOF

reader() {
    cat
}
reader <<EOF
into a function
EOF

cat <<FIRST; cat <<SECOND
first document
FIRST
second document
SECOND

inside=$(cat <<EOF
inside a substitution
EOF
)
echo "$inside"

echo "escaped \$name and \\ backslash" | cat
cat <<EOF
backslash-dollar \$name, backtick \`x\`
EOF

# 20000 lines (108894 bytes) : more than a pipe holds, so a shell that feeds here-documents
# through a pipe must write while cat reads, and one that uses a temporary file must write it.
cat <<EOF | wc -lc | tr -s ' ' '\n' | grep .
$(seq 1 20000)
EOF

exec 3<<EOF
on descriptor three
EOF
cat <&3
