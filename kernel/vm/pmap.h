// The pmap interface: what the machine-independent VM asks of a port's page tables.
// Each port implements it in arch/*/pmap.c, over its own struct pmap
// (<machine/pmap.h>); the MI VM calls only these functions (and pmap_pv.h's) and
// never touches a PTE.
#ifndef _VM_PMAP_H_
#define _VM_PMAP_H_

#include <sys/types.h>
#include <machine/pmap.h>

void pmap_bootstrap(void);           // build the kernel page table (CPU 0, once)
void pmap_bootstrap_cpu(void);       // turn paging on with it (every CPU)
int pmap_pinit(pmap_t pmap);         // a new, empty user page table: 0 or -ENOMEM
void pmap_release(pmap_t pmap);      // free its page-table pages (user pages already removed)
// Map va to pa (a managed page: the mapping goes on its pv list, pmap_pv.h) with prot
// (VM_PROT_*), replacing any mapping of va; wired marks the mapping wired (lab 5),
// until pmap_unwire. 0 or -ENOMEM.
int pmap_enter(pmap_t pmap, vm_offset_t va, vm_paddr_t pa, vm_prot_t prot, int wired);
void pmap_remove(pmap_t pmap, vm_offset_t sva, vm_offset_t eva);
// Take from the mappings in [sva, eva) what prot does not allow; never grant more.
void pmap_protect(pmap_t pmap, vm_offset_t sva, vm_offset_t eva, vm_prot_t prot);
// Clear the wired mark of the mappings in [sva, eva) (munlock: vm_fault_unwire).
void pmap_unwire(pmap_t pmap, vm_offset_t sva, vm_offset_t eva);
vm_paddr_t pmap_extract(pmap_t pmap, vm_offset_t va);              // 0 if not mapped
// The physical address if va is mapped for user access with at least prot, else 0.
vm_paddr_t pmap_extract_prot(pmap_t pmap, vm_offset_t va, vm_prot_t prot);
void pmap_activate(pmap_t pmap);     // use it on this CPU (null: kernel only)
long pmap_resident_count(pmap_t pmap);

#endif
