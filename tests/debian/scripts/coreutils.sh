# Debian's coreutils, findutils, grep, sed and gawk on files made here.
mkdir -p tree/a/b tree/c
printf 'pear\napple\nfig\n' > tree/a/fruit
seq 1 1000 > tree/c/numbers
ln -s ../a/fruit tree/c/link
sort tree/a/fruit
sort -n -r tree/c/numbers | head -n 3
sha256sum tree/c/numbers | cut -d' ' -f1
find tree -type f | sort
find tree -name '*ui*' -print
wc -l < tree/c/numbers
grep -c 7 tree/c/numbers
sed -n 's/^\(a\)/<\1>/p' tree/a/fruit
awk '{ s += $1 } END { print s }' tree/c/numbers
ls -1 tree/a tree/c
stat -c '%s %F' tree/c/numbers tree/a
readlink tree/c/link
cat tree/c/link | tr a-z A-Z
dash -c 'i=0; while [ $i -lt 100 ]; do i=$((i+1)); done; echo dash counted $i'
