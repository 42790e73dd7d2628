// oom_alone — touches anonymous pages until it is killed. Run by tests/system/run as init
// with no other process (the oom_init_alone check, Pagoda only): the out-of-memory policy
// (kernel/proc/oom_policy.h) then has no one else to kill, so init dies of SIGKILL and the
// kernel says why before the machine stops. Never run on the host.
// helper
#include <stdio.h>
#include <sys/mman.h>

int main(void)
{
    size_t size = (size_t)64 << 30; // far more than the guest has
    unsigned char* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        printf("mmap failed\n");
        return 1;
    }
    for (size_t i = 0; i < size; i += 4096)
        p[i] = 1;
    printf("touched %zu bytes and was not killed\n", size);
    return 1;
}
