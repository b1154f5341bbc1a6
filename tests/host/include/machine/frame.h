// Host build: kern/proc.h's struct context and struct trapframe, the RISC-V port's
// (plain structures; the host only needs their sizes).
#include "../../../../kernel/arch/riscv64/include/machine/frame.h"
