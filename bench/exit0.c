// exit0 — the tiny static program that vmbench starts with fork+execve, vfork+execve and
// posix_spawn: it exits at once with status 0.
int main(void) { return 0; }
