// si_code values of a signal's origin (asm-generic/siginfo.h): kill(), the kernel, tkill/
// tgkill, sigqueue. Apart from signal_numbers.h so that host tests, which see the C
// library's own SI_* names, can include that one.
#pragma once

constexpr int SI_USER = 0, SI_KERNEL = 0x80, SI_TKILL = -6, SI_QUEUE = -1;
