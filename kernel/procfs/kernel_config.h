// /proc/config.gz: the kernel's configuration in Linux's vocabulary, gzipped, as LTP's
// tst_kconfig and other tools read a Linux kernel's (through zcat). Only what Pagoda has is
// "=y"; what it lacks is "is not set" (kernel_config.cpp says, option by option, why).
#pragma once

#include "text_builder.h"

class Process;

// The configuration's text (uncompressed), for tests and for the gzip below.
void fill_kernel_config_text(TextBuilder&);
// /proc/config.gz: that text as a gzip stream (stored deflate blocks).
void fill_config_gz(TextBuilder&, Process&);
