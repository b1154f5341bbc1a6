// The kernel's headers say #include "kern/param.h" (the kernel builds with -Ikernel);
// this makes the same line work in user programs, e.g. through <machine/vmparam.h>.
#include "../../kernel/kern/param.h"
