// The machine-independent VM: process address spaces and the pages behind them.
//
// A process's memory is a struct vmspace: a struct vm_map (vm_map.h) of entries
// that map objects (vm_object.h) of pages (vm_page.h), and the struct pmap (the
// machine-dependent page table, <machine/pmap.h>) that caches the map's
// translations. The MI code touches page tables only through the pmap interface
// (vm/pmap.h).
// Pages come in on demand, through vm_fault().
#ifndef _VM_VM_H_
#define _VM_VM_H_

#include <sys/types.h>
#include "vm/vm_param.h"
#include "vm/vm_map.h"

// Kernel pages (vm_page.c): allocated whole, addressed through the direct map.
void kinit(void);
void *kalloc(void);             // one zeroed page, or 0
void kfree(void *va);
uint64 kfreecount(void);        // free pages
uint64 kmemcount(void);         // pages kalloc has handed out and not had back
// Wait until the pageout daemon has freed pages (after an allocation failed): 0,
// or -1 if the process was killed meanwhile. If pages are not short (the failure
// was injected, or others freed pages since), only yield. Process context, no
// spin lock held.
int vm_wait(void);

// A process address space. Sizes are in pages, as in the seed; vm_brk is vmlab's:
// sbrk() moves the break a byte at a time, while the map moves in pages.
struct vmspace {
  struct vm_map vm_map;       // the address map
  struct pmap vm_pmap;        // its private physical map
  int vm_refcnt;              // processes using it (and snapshots, in later labs)
  long vm_tsize;              // text size (pages)
  long vm_dsize;              // data + bss + heap size (pages)
  long vm_ssize;              // stack size (pages)
  vm_offset_t vm_taddr;       // user address of text
  vm_offset_t vm_daddr;       // user address of data
  vm_offset_t vm_maxsaddr;    // user address of the stack's lowest possible page
  vm_offset_t vm_minsaddr;    // user address of the top of the stack
  vm_offset_t vm_brk;         // the break: sbrk(0)
  uint64 vm_pageins;          // its pages read back from swap by its faults (atomic)
  uint64 vm_pageouts;         // its pages the pageout daemon took out (atomic)
  // Upcalls registered by the processes that share it (kern/kern_upcall.c, which
  // alone uses these, under its upc_lock). Not copied by vmspace_fork.
  struct vmupcall *vm_upcalls;  // in id order
  int vm_upccount;              // how many
  int vm_upcids;                // ids given out so far: the next is UPC_RESERVED + this
};

static inline struct pmap *
vmspace_pmap(struct vmspace *vm)
{
  return &vm->vm_pmap;
}

// The vmspace a user map or pmap is part of (every user one is a vmspace's).
static inline struct vmspace *
map_vmspace(struct vm_map *map)
{
  return (struct vmspace *)((char *)map - __builtin_offsetof(struct vmspace, vm_map));
}

static inline struct vmspace *
pmap_vmspace(struct pmap *pmap)
{
  return (struct vmspace *)((char *)pmap - __builtin_offsetof(struct vmspace, vm_pmap));
}

static inline long
vmspace_resident_count(struct vmspace *vm)
{
  return pmap_resident_count(vmspace_pmap(vm));
}

// vm_space.c
void vm_init(void);
struct vmspace *vmspace_alloc(void);
void vmspace_ref(struct vmspace *vm);
void vmspace_free(struct vmspace *vm);
void vmspace_exit(struct vmspace *vm);
struct vmspace *vmspace_fork(struct vmspace *vm);
int vm_sbrk(struct vmspace *vm, long n, vm_offset_t *oldbrk);

// vm_fault.c
int vm_fault(vm_map_t map, vm_offset_t va, vm_prot_t fault_type, int fault_flags);
struct proc;
int vm_fault_trap(struct proc *p, vm_offset_t va, vm_prot_t access);
int vm_fault_user(struct vmspace *vm, vm_offset_t va, vm_prot_t prot);
int vm_fault_prefault_user(uint64 va, uint64 len, vm_prot_t prot);

// vm_info.c
uint64 vmspace_pss(struct vmspace *vm);   // proportional resident set size, in bytes
uint64 vmspace_swap_count(struct vmspace *vm);   // pages in swap (the OOM killer's)

// vm_copy.c (copyin/copyout are declared in kern/systm.h)
int vm_copyout(struct vmspace *vm, uint64 dstva, const void *src, uint64 len);

#endif
