// The whole system's files in /proc: uptime, loadavg, stat (CPU time by kind, switches,
// processes), cpuinfo (CPUID and the calibrated TSC) and mounts (also /proc/<pid>/mounts).
// Every number is one the kernel keeps; what it does not keep is left out, not made up.
#pragma once

#include "text_builder.h"

class Process;

void fill_uptime(TextBuilder&, Process&);
void fill_loadavg(TextBuilder&, Process&);
void fill_system_stat(TextBuilder&, Process&);
void fill_cpuinfo(TextBuilder&, Process&);
void fill_mounts(TextBuilder&, Process&);
void fill_partitions(TextBuilder&, Process&);
void fill_filesystems(TextBuilder&, Process&);
