# Directories: cd and pwd through a symbolic link (logical and physical: cd -P .., pwd -P),
# cd - and $OLDPWD, globbing (sorted, hidden files, no match), tests on files, and the
# working directory of a subshell. Paths are printed as ~/... relative to $HOME (the case's
# folder).
here() {
    echo "~${PWD#"$HOME"}"
}
mkdir -p d/e/f
ln -s d/e link
cd link
echo "logical: $(here)"
physical=$(pwd -P)
echo "physical: ~${physical#"$HOME"}"
cd ..
echo "cd .. from the link: $(here)"
cd link
cd -P ..
echo "cd -P .. from the link: $(here)"
cd "$HOME"
cd -P link
echo "cd -P link: $(here)"
cd f
cd ../..
echo "cd ../.. from d/e/f: $(here)"
cd "$HOME"
cd link/../e
echo "cd link/../e (a shell may try link/.. as ~ first): $(here)"
cd "$HOME"
cd d
cd - >/dev/null
echo "cd - goes back: $(here), OLDPWD ~${OLDPWD#"$HOME"}"
if cd missing/.. 2>/dev/null; then echo "cd missing/.. worked"; else echo "cd missing/.. failed"; fi
echo "still: $(here)"
(cd d/e && echo "subshell in $(here)")
echo "parent still in $(here)"

touch b.txt a.txt c.log .hidden
echo *.txt
echo *
echo .h*
echo no*match
echo [ab].txt
for f in *.log; do echo "loop over glob: $f"; done
ls d
test -L link && echo "link is a link"
test -d link && echo "link is a directory (followed)"
test -f a.txt && test ! -s a.txt && echo "a.txt is an empty file"
test -h a.txt || echo "a.txt is not a link"
test link -ef d/e && echo "link and d/e are the same file"
rm a.txt
test -e a.txt || echo "a.txt removed"
