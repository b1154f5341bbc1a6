// Machine-independent VM parameters: protections, page rounding, result codes.
#ifndef _VM_VM_PARAM_H_
#define _VM_VM_PARAM_H_

#include <sys/types.h>
#include <machine/vmparam.h>
#include "vm/pmap.h"

// Protections, with BSD's values.
#define VM_PROT_NONE    0x00
#define VM_PROT_READ    0x01
#define VM_PROT_WRITE   0x02
#define VM_PROT_EXECUTE 0x04
#define VM_PROT_ALL     (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE)
// For vm_fault() only: copy a private mapping's page into its own object as a write
// would, without the right to write (wiring: vm_wire.c).
#define VM_PROT_OVERRIDE_WRITE 0x08

#define round_page(x) (((x) + PAGE_SIZE - 1) & ~(uint64)(PAGE_SIZE - 1))
#define trunc_page(x) ((x) & ~(uint64)(PAGE_SIZE - 1))
#define atop(x) ((uint64)(x) >> PAGE_SHIFT)
#define ptoa(x) ((uint64)(x) << PAGE_SHIFT)

// Where mmap() without a hint starts looking: far above any heap, below stacks.
#define VM_MMAP_BASE 0x40000000UL

// Stacks (lab 4). exec reserves the hard RLIMIT_STACK (at most MAXSSIZ) below
// USRSTACK and maps its top SGROWSIZ; a stack grows down in SGROWSIZ steps.
#define MAXSSIZ  (8UL * 1024 * 1024)   // the most a process's stack may take
#define SGROWSIZ (128UL * 1024)        // mapped at first, and the grow step

// The default RLIMIT_MEMLOCK (soft and hard): what mlock() may wire (lab 5).
#define DFLMLOCK (32UL * 1024 * 1024)

// Results of map operations (BSD's KERN_* codes).
#define KERN_SUCCESS             0
#define KERN_INVALID_ADDRESS     1
#define KERN_PROTECTION_FAILURE  2
#define KERN_NO_SPACE            3
#define KERN_INVALID_ARGUMENT    4
#define KERN_FAILURE             5
#define KERN_RESOURCE_SHORTAGE   6

#endif
