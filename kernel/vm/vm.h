// The machine-independent VM: physical pages and process address spaces.
//
// A process's memory is a struct vmspace, which owns the process's struct pmap (the
// machine-dependent page table). The MI code touches page tables only through the
// pmap interface (<machine/pmap.h>). Labs 1-3 put a struct vm_map in the vmspace; until
// then a vmspace has two regions: text+data+heap growing up from VM_USER_TEXT, and the
// user stack below USRSTACK.
#ifndef _VM_VM_H_
#define _VM_VM_H_

#include <sys/types.h>
#include <machine/vmparam.h>
#include <machine/pmap.h>

// Protections, with BSD's values.
#define VM_PROT_NONE    0x00
#define VM_PROT_READ    0x01
#define VM_PROT_WRITE   0x02
#define VM_PROT_EXECUTE 0x04
#define VM_PROT_ALL     (VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE)

#define round_page(x) (((x) + PAGE_SIZE - 1) & ~(uint64)(PAGE_SIZE - 1))
#define trunc_page(x) ((x) & ~(uint64)(PAGE_SIZE - 1))

struct vmspace {
  struct pmap vm_pmap;      // the machine-dependent page table
  int vm_refcnt;
  vm_offset_t vm_taddr;     // start of text
  vm_offset_t vm_daddr;     // start of data (and of the heap, which follows it)
  vm_size_t vm_tsize;       // text size in bytes
  vm_size_t vm_dsize;       // data + bss + heap size in bytes: the break is vm_daddr + vm_dsize
  vm_size_t vm_ssize;       // stack size in bytes, below USRSTACK
};

// kalloc.c: physical pages, addressed through the direct map.
void kinit(void);
void *kalloc(void);             // one zeroed page, or 0
void kfree(void *va);
uint64 kfreecount(void);        // free pages

// vm_space.c
struct vmspace *vmspace_alloc(void);
void vmspace_free(struct vmspace *vm);
struct vmspace *vmspace_fork(struct vmspace *vm);
int vm_map_pages(struct vmspace *vm, vm_offset_t va, vm_size_t len, vm_prot_t prot);
void vm_unmap_pages(struct vmspace *vm, vm_offset_t va, vm_size_t len);
int vm_sbrk(struct vmspace *vm, long n, vm_offset_t *oldbrk);
void vmspace_activate(struct vmspace *vm);

// vm_copy.c (copyin/copyout are declared in kern/systm.h)
int vm_copyout(struct vmspace *vm, uint64 dstva, const void *src, uint64 len);

#endif
