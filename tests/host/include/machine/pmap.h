// Host build: the pmap interface of the ports (kernel/arch/*/include/machine/pmap.h),
// implemented by tests/host/stubs.c as a fake page table that records what the MI
// VM asks of it.
#ifndef _MACHINE_PMAP_H_
#define _MACHINE_PMAP_H_

#include <sys/types.h>

typedef uint64 pt_entry_t;

struct pmap {
  pt_entry_t *pm_root;     // host: the fake page table (struct hpmap in stubs.c)
  long pm_resident;        // user pages mapped
};
typedef struct pmap *pmap_t;

void pmap_bootstrap(void);
void pmap_bootstrap_cpu(void);
int pmap_pinit(pmap_t pmap);
void pmap_release(pmap_t pmap);
int pmap_enter(pmap_t pmap, vm_offset_t va, vm_paddr_t pa, vm_prot_t prot, int wired);
void pmap_remove(pmap_t pmap, vm_offset_t sva, vm_offset_t eva);
void pmap_protect(pmap_t pmap, vm_offset_t sva, vm_offset_t eva, vm_prot_t prot);
vm_paddr_t pmap_extract(pmap_t pmap, vm_offset_t va);
vm_paddr_t pmap_extract_prot(pmap_t pmap, vm_offset_t va, vm_prot_t prot);
void pmap_activate(pmap_t pmap);
long pmap_resident_count(pmap_t pmap);

#endif
