// xv6 programs say #include "kernel/memlayout.h" for KERNBASE, an address user code
// must not read. vmlab's kernel image is at KERNBASE (machine/vmparam.h) on both
// ports, in the high half. The devices, TRAMPOLINE and TRAPFRAME of xv6's layout
// have no place in a vmlab address space and are left out.
#include <machine/vmparam.h>
