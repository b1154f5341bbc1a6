// The machine-dependent page table behind a vmspace: Sv39, three levels.
// Its functions, the same on every port, are in vm/pmap.h.
#ifndef _MACHINE_PMAP_H_
#define _MACHINE_PMAP_H_

#include <sys/types.h>

typedef uint64 pt_entry_t;

struct pmap {
  pt_entry_t *pm_root;     // level-2 page-table page (kernel virtual address)
  long pm_resident;        // user pages mapped
  int pm_busy;             // CPUs that have it loaded, and holds (vm/pmap_pv.h)
};
typedef struct pmap *pmap_t;

#endif
