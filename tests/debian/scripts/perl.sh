# perl-base: fork and wait, a regular expression, sprintf, a pipe to a child.
perl -e 'my $pid = fork(); if ($pid == 0) { exit 3 } waitpid($pid, 0); print "child status ", $? >> 8, "\n";
my $s = "pagoda kernel 2026"; my ($w, $n) = $s =~ /(\w+) \w+ (\d+)/; printf "%s %05d\n", $w, $n;
open(my $fh, "-|", "echo", "through a pipe") or die; print scalar <$fh>;'
