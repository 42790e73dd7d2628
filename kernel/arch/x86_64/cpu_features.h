// What every CPU switches on for itself before it runs user code: SSE (user programs use it,
// and the scheduler saves its registers with fxsave) and the syscall instruction's entry
// point (MSRs are per CPU). The boot CPU calls it from kernel_main, the others from ap_main.
#pragma once

void cpu_enable_features();
