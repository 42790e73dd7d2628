// Binds the lock-order validator (kernel/lib/lock_order.h) to the machine: each CPU's held
// locks live in its PerCpu, stacks are walked through the frame pointers, and an inversion
// prints both stacks and panics. Called once on the boot CPU, after per_cpu_initialize(0);
// without PAGODA_LOCK_ORDER_CHECKS the locks never call the validator, so this binds
// nothing that runs.
#pragma once

void lock_order_checks_start();
