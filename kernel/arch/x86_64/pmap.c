// The x86-64 pmap: four-level page tables (PML4, PDPT, PD, PT) behind the interface
// in vm/pmap.h.
//
// The kernel page table maps the direct map (all RAM and the first 4 GiB, 2 MiB pages,
// read/write, no-execute, uncached outside RAM) and the kernel image (4 KiB pages:
// text read/execute, rodata read-only, data and bss read/write, no-execute), all
// global. A user page table's upper half (PML4 entries 256-511) is a copy of the
// kernel's, so traps need no page-table switch; those entries never change after
// pmap_bootstrap(), so the copies stay right. User pages have PG_U, and PG_NX
// unless executable: EFER.NXE is on (boot.S).
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/param.h"
#include "kern/spinlock.h"
#include "vm/vm.h"
#include "vm/pmap_pv.h"
#include <machine/x86.h>
#include "arch/x86_64/x86_64.h"

#define PG_V    0x001UL       // present
#define PG_RW   0x002UL       // writable
#define PG_U    0x004UL       // user
#define PG_PWT  0x008UL       // write-through
#define PG_PCD  0x010UL       // cache disabled
#define PG_A    0x020UL       // accessed
#define PG_M    0x040UL       // dirty
#define PG_PS   0x080UL       // a 2 MiB page (in a PD)
#define PG_G    0x100UL       // global: kept in the TLB across CR3 loads
#define PG_W    0x200UL       // software: wired
#define PG_NX   (1UL << 63)   // no-execute
#define PG_FRAME 0x000ffffffffff000UL

#define PX(level, va) (((uint64)(va) >> (12 + 9 * (level))) & 511)   // level 3 = PML4
#define NKPML4  256           // PML4 entries 256-511 are the kernel's

extern char etext[], erodata[], end[];   // kernel.ld

static pt_entry_t *kernel_pml4;

// The level-0 PTE for va under pml4, allocating page-table pages on the way if
// alloc is set. If a table is missing (and not allocated), 0, with *skip set to the
// size of the hole at va (so that a range walk can jump over it).
static pt_entry_t *
pmap_walk(pt_entry_t *pml4, vm_offset_t va, int alloc, uint64 *skip)
{
  pt_entry_t *pt = pml4;

  for (int level = 3; level > 0; level--) {
    pt_entry_t *pte = &pt[PX(level, va)];
    if (*pte & PG_V) {
      pt = (pt_entry_t *)PHYS_TO_DMAP(*pte & PG_FRAME);
    } else {
      if (!alloc || (pt = kalloc()) == 0) {
        if (skip)
          *skip = 1UL << (12 + 9 * level);
        return 0;
      }
      // Upper levels allow everything; the leaf decides.
      *pte = DMAP_TO_PHYS(pt) | PG_V | PG_RW | (va < VM_MAXUSER_ADDRESS ? PG_U : 0);
    }
  }
  return &pt[PX(0, va)];
}

// The PD entry for va in the kernel page table, for a 2 MiB page.
static pt_entry_t *
kpde(vm_offset_t va)
{
  pt_entry_t *pt = kernel_pml4;
  for (int level = 3; level > 1; level--) {
    pt_entry_t *pte = &pt[PX(level, va)];
    if ((*pte & PG_V) == 0) {
      if ((pt = kalloc()) == 0)
        panic("pmap_bootstrap: out of memory");
      *pte = DMAP_TO_PHYS(pt) | PG_V | PG_RW;
    } else {
      pt = (pt_entry_t *)PHYS_TO_DMAP(*pte & PG_FRAME);
    }
  }
  return &pt[PX(1, va)];
}

static int
is_ram(uint64 pa)
{
  for (int i = 0; i < nphysram; i++)
    if (pa >= physram[i].start && pa < physram[i].end)
      return 1;
  return pa < 0x100000;       // the first MiB: RAM, ROM and the VGA window, cached
}

void
pmap_bootstrap(void)
{
  uint64 dmap_end = 1UL << 32;

  if ((kernel_pml4 = kalloc()) == 0)
    panic("pmap_bootstrap: out of memory");
  for (int i = 0; i < nphysram; i++)
    dmap_end = MAX(dmap_end, (physram[i].end + (1UL << 21) - 1) & ~((1UL << 21) - 1));
  for (uint64 pa = 0; pa < dmap_end; pa += 1UL << 21)
    *kpde(PHYS_TO_DMAP(pa)) = pa | PG_V | PG_RW | PG_PS | PG_A | PG_M | PG_G | PG_NX |
                              (is_ram(pa) ? 0 : PG_PCD | PG_PWT);

  // The kernel image, from the .boot section at 1 MiB to end.
  for (uint64 va = KERNBASE + 0x100000; va < (uint64)end; va += PAGE_SIZE) {
    pt_entry_t *pte = pmap_walk(kernel_pml4, va, 1, 0);
    if (pte == 0)
      panic("pmap_bootstrap: out of memory");
    uint64 bits = PG_V | PG_A | PG_G;
    if (va >= (uint64)erodata)
      bits |= PG_RW | PG_M | PG_NX;
    else if (va >= (uint64)etext)
      bits |= PG_NX;
    *pte = (va - KERNBASE) | bits;
  }
  // Make sure every upper-half PML4 entry exists now, so that the copies in user
  // page tables never go stale.
  for (int i = NKPML4; i < 512; i++) {
    if ((kernel_pml4[i] & PG_V) == 0) {
      pt_entry_t *pt = kalloc();
      if (pt == 0)
        panic("pmap_bootstrap: out of memory");
      kernel_pml4[i] = DMAP_TO_PHYS(pt) | PG_V | PG_RW;
    }
  }
}

void
pmap_bootstrap_cpu(void)
{
  lcr4(rcr4() | CR4_PGE);
  lcr3(DMAP_TO_PHYS(kernel_pml4));
}

int
pmap_pinit(pmap_t pmap)
{
  pmap->pm_resident = 0;
  if ((pmap->pm_root = kalloc()) == 0)
    return -ENOMEM;
  for (int i = NKPML4; i < 512; i++)
    pmap->pm_root[i] = kernel_pml4[i];
  return 0;
}

// Free the page-table pages below pt, a table at level (1 = PD's PTs... 3 = PML4).
static void
pmap_freetable(pt_entry_t *pt, int level, int n)
{
  for (int i = 0; i < n; i++) {
    if ((pt[i] & PG_V) == 0)
      continue;
    if (level > 0)
      pmap_freetable((pt_entry_t *)PHYS_TO_DMAP(pt[i] & PG_FRAME), level - 1, 512);
    else
      panic("pmap_release: user page still mapped at index %d", i);
  }
  kfree(pt);
}

void
pmap_release(pmap_t pmap)
{
  KASSERT(pmap->pm_resident == 0, "pmap_release: %ld pages still mapped", (long)pmap->pm_resident);
  if (pmap->pm_root == 0)
    return;
  KASSERT(rcr3() != DMAP_TO_PHYS(pmap->pm_root), "pmap_release: pmap is in use");
  // Only the user half (the first NKPML4 entries) belongs to this pmap.
  for (int i = 0; i < NKPML4; i++)
    if (pmap->pm_root[i] & PG_V)
      pmap_freetable((pt_entry_t *)PHYS_TO_DMAP(pmap->pm_root[i] & PG_FRAME), 2, 512);
  kfree(pmap->pm_root);
  pmap->pm_root = 0;
}

static uint64
prot_bits(vm_prot_t prot)
{
  uint64 bits = 0;
  if (prot & VM_PROT_WRITE)
    bits |= PG_RW;
  if ((prot & VM_PROT_EXECUTE) == 0)
    bits |= PG_NX;
  return bits;
}

// Is pmap the page table this CPU is using? Then changes to it need a TLB flush here.
static int
pmap_live(pmap_t pmap)
{
  return rcr3() == DMAP_TO_PHYS(pmap->pm_root);
}

// Must other CPUs forget old, replaced by new? Yes if old was valid and new maps
// another page or takes a right away. Not for a right added: a CPU that still has
// the old entry faults, and a page fault drops the TLB's entry for its address.
static int
pte_downgrade(pt_entry_t old, pt_entry_t new)
{
  if ((old & PG_V) == 0)
    return 0;
  return (old & PG_FRAME) != (new & PG_FRAME) || ((old & PG_RW) && (new & PG_RW) == 0) ||
         ((old & PG_NX) == 0 && (new & PG_NX));
}

int
pmap_enter(pmap_t pmap, vm_offset_t va, vm_paddr_t pa, vm_prot_t prot, int wired)
{
  KASSERT(va < VM_MAXUSER_ADDRESS && (va & (PAGE_SIZE - 1)) == 0, "pmap_enter: bad va 0x%lx", va);
  pmap_pv_lock();
  pt_entry_t *pte = pmap_walk(pmap->pm_root, va, 1, 0);
  if (pte == 0) {
    pmap_pv_unlock();
    return -ENOMEM;
  }
  pt_entry_t old = *pte;
  if ((old & PG_V) == 0 || (old & PG_FRAME) != pa) {
    if (pmap_pv_insert(pmap, va, pa) < 0) {
      pmap_pv_unlock();
      return -ENOMEM;
    }
    if (old & PG_V)
      pmap_pv_remove(pmap, va, old & PG_FRAME);   // a copy-on-write copy replaces a page
    else
      pmap->pm_resident++;
  }
  pt_entry_t new = pa | prot_bits(prot) | PG_V | PG_U | PG_A | PG_M | (wired ? PG_W : 0);
  *pte = new;
  if (pmap_live(pmap))
    invlpg(va);
  if (pte_downgrade(old, new))
    pmap_shootdown(pmap);
  pmap_pv_unlock();
  return 0;
}

// Past this many pages, one reload of CR3 (a flush of every non-global entry) costs
// less than an invlpg per page: fork write-protects whole address spaces.
#define INVLPG_MAX 32

#define PT_SPAN (1UL << 21)   // what one page table (512 PTEs) maps

// Apply f to every valid PTE in [sva, eva): walk down to each page table once and
// go along it, skipping missing tables whole.
static void
pmap_range(pmap_t pmap, vm_offset_t sva, vm_offset_t eva,
           void (*f)(pmap_t, vm_offset_t, pt_entry_t *, vm_prot_t), vm_prot_t prot)
{
  int live = pmap_live(pmap), n = 0;

  eva = MIN(eva, VM_MAXUSER_ADDRESS);
  pmap_pv_lock();
  for (vm_offset_t va = trunc_page(sva); va < eva; ) {
    uint64 skip;
    pt_entry_t *pte = pmap_walk(pmap->pm_root, va, 0, &skip);
    if (pte == 0) {
      va = (va & ~(skip - 1)) + skip;
      continue;
    }
    vm_offset_t ptend = MIN((va & ~(PT_SPAN - 1)) + PT_SPAN, eva);
    for (; va < ptend; va += PAGE_SIZE, pte++) {
      if ((*pte & PG_V) == 0)
        continue;
      f(pmap, va, pte, prot);
      if (++n <= INVLPG_MAX && live)
        invlpg(va);
    }
  }
  if (live && n > INVLPG_MAX)
    lcr3(rcr3());
  if (n > 0)
    pmap_shootdown(pmap);
  pmap_pv_unlock();
}

static void
remove_pte(pmap_t pmap, vm_offset_t va, pt_entry_t *pte, vm_prot_t prot)
{
  pmap_pv_remove(pmap, va, (*pte & PG_FRAME));
  *pte = 0;
  pmap->pm_resident--;
}

static void
protect_pte(pmap_t pmap, vm_offset_t va, pt_entry_t *pte, vm_prot_t prot)
{
  if ((prot & VM_PROT_WRITE) == 0)
    *pte &= ~PG_RW;
  if ((prot & VM_PROT_EXECUTE) == 0)
    *pte |= PG_NX;
}

void
pmap_remove(pmap_t pmap, vm_offset_t sva, vm_offset_t eva)
{
  pmap_range(pmap, sva, eva, remove_pte, 0);
}

// Take from the pages mapped in [sva, eva) the permissions that prot lacks; never
// grant one. A page the fault handler mapped read-only (copy-on-write, or a file
// page not yet written) must fault at its first write even if the range becomes
// writable: that fault copies the page or marks it dirty. x86 cannot map a page
// without read access: VM_PROT_NONE removes the mapping.
void
pmap_protect(pmap_t pmap, vm_offset_t sva, vm_offset_t eva, vm_prot_t prot)
{
  if (prot == VM_PROT_NONE)
    pmap_range(pmap, sva, eva, remove_pte, 0);
  else
    pmap_range(pmap, sva, eva, protect_pte, prot);
}

static void
unwire_pte(pmap_t pmap, vm_offset_t va, pt_entry_t *pte, vm_prot_t prot)
{
  *pte &= ~PG_W;
}

// The wired mark is software's (the MMU ignores it), so this needs no TLB flush;
// pmap_range does one anyway, which munlock can afford.
void
pmap_unwire(pmap_t pmap, vm_offset_t sva, vm_offset_t eva)
{
  pmap_range(pmap, sva, eva, unwire_pte, 0);
}

vm_paddr_t
pmap_extract(pmap_t pmap, vm_offset_t va)
{
  return pmap_extract_prot(pmap, va, VM_PROT_NONE);
}

vm_paddr_t
pmap_extract_prot(pmap_t pmap, vm_offset_t va, vm_prot_t prot)
{
  if (va >= VM_MAXUSER_ADDRESS)
    return 0;
  pt_entry_t *pte = pmap_walk(pmap->pm_root, va, 0, 0);
  if (pte == 0 || (*pte & (PG_V | PG_U)) != (PG_V | PG_U))
    return 0;
  if ((prot & VM_PROT_WRITE) && (*pte & PG_RW) == 0)
    return 0;
  if ((prot & VM_PROT_EXECUTE) && (*pte & PG_NX))
    return 0;
  return (*pte & PG_FRAME) | (va & (PAGE_SIZE - 1));
}

// Kernel mappings are global (PG_G), so a reload of CR3 keeps them and drops
// every user one.
void
md_tlb_flush(void)
{
  lcr3(rcr3());
}

// Load the page table; null means the kernel's alone (no user mappings live).
void
pmap_activate(pmap_t pmap)
{
  push_off();
  pmap_t old = pmap_switch_begin(pmap);
  lcr3(DMAP_TO_PHYS(pmap ? pmap->pm_root : kernel_pml4));
  pmap_switch_end(old, pmap);
  pop_off();
}

// The pageout daemon's PTE work (vm/pmap_pv.h): pmap is loaded nowhere, so no TLB
// holds its entries; the CPU sets PG_A again on the next access.
int
pmap_pte_clear_referenced(pmap_t pmap, vm_offset_t va)
{
  pt_entry_t *pte = pmap_walk(pmap->pm_root, va, 0, 0);
  if (pte == 0 || (*pte & PG_V) == 0)
    panic("pmap_pte_clear_referenced: va 0x%lx not mapped", va);
  int referenced = (*pte & PG_A) != 0;
  *pte &= ~PG_A;
  return referenced;
}

void
pmap_pte_zap(pmap_t pmap, vm_offset_t va)
{
  pt_entry_t *pte = pmap_walk(pmap->pm_root, va, 0, 0);
  if (pte == 0 || (*pte & PG_V) == 0)
    panic("pmap_pte_zap: va 0x%lx not mapped", va);
  *pte = 0;
  pmap->pm_resident--;
  invlpg(va);
}

long
pmap_resident_count(pmap_t pmap)
{
  return pmap->pm_resident;
}
