// The Sv39 pmap: three-level page tables behind the interface in vm/pmap.h.
//
// The kernel page table (kernel_pt) maps the high half (machine/vmparam.h): the
// direct map (the devices and all of RAM, 1 GiB pages, read/write) and the kernel
// image at KERNBASE (4 KiB pages: text read/execute, the rest read/write), all
// global and without PTE_U, so user mode cannot touch them. A user page table's
// high half (level-2 entries 256-511) is a copy of the kernel's, so traps need no
// page-table switch; those entries never change after pmap_bootstrap(), so the
// copies stay right. User pages have PTE_U; sstatus.SUM stays clear, so the kernel
// cannot touch them by their user addresses either (vm_copy.c goes through the
// direct map).
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/param.h"
#include "kern/md.h"
#include "kern/spinlock.h"
#include "vm/vm.h"
#include "vm/pmap_pv.h"
#include <machine/riscv.h>
#include <machine/memlayout.h>

extern char etext[];      // kernel.ld: end of kernel text
extern char end[];        // kernel.ld: end of the kernel image

#define NKL2 256          // level-2 entries 256-511 (the high half) are the kernel's
#define L2_SPAN (1UL << 30)   // what one level-2 entry maps

static pt_entry_t *kernel_pt;
static vm_paddr_t physend;

// The PTE for va in the tree rooted at pt, allocating page-table pages on the way
// if alloc is set; 0 if it is absent (or cannot be allocated). If a table is
// missing (and not allocated), *skip (if skip is not null) gets the size of the
// hole at va, so that a range walk can jump over it.
static pt_entry_t *
pmap_walk(pt_entry_t *pt, vm_offset_t va, int alloc, uint64 *skip)
{
  for (int level = 2; level > 0; level--) {
    pt_entry_t *pte = &pt[PX(level, va)];
    if (*pte & PTE_V) {
      pt = (pt_entry_t *)PHYS_TO_DMAP(PTE2PA(*pte));
    } else {
      if (!alloc || (pt = kalloc()) == 0) {
        if (skip)
          *skip = 1UL << (12 + 9 * level);
        return 0;
      }
      *pte = PA2PTE(DMAP_TO_PHYS(pt)) | PTE_V;
    }
  }
  return &pt[PX(0, va)];
}

// Map [va, va+size) to [pa, pa+size) in pt, during boot (failure is fatal).
static void
kmap(pt_entry_t *pt, vm_offset_t va, vm_paddr_t pa, vm_size_t size, uint64 perm)
{
  for (vm_offset_t a = trunc_page(va); a < va + size; a += PAGE_SIZE, pa += PAGE_SIZE) {
    pt_entry_t *pte = pmap_walk(pt, a, 1, 0);
    if (pte == 0)
      panic("kmap: out of memory");
    *pte = PA2PTE(pa) | perm | PTE_V | PTE_A | PTE_D;
  }
}

void
pmap_bootstrap(void)
{
  vm_paddr_t physstart;
  uint64 perm = PTE_R | PTE_W | PTE_G | PTE_V | PTE_A | PTE_D;

  md_physmem(&physstart, &physend);
  kernel_pt = kalloc();
  KASSERT(kernel_pt != 0, "pmap_bootstrap: no memory");
  KASSERT(PHYS_TO_DMAP(physend) <= KERNBASE, "pmap_bootstrap: too much RAM");
  // The direct map: the devices below RAMBASE and RAM, whole gigabytes.
  for (vm_paddr_t pa = 0; pa < physend; pa += L2_SPAN)
    kernel_pt[PX(2, PHYS_TO_DMAP(pa))] = PA2PTE(pa) | perm;
  kmap(kernel_pt, KERNBASE, RAMBASE, (uint64)etext - KERNBASE, PTE_R | PTE_X | PTE_G);
  kmap(kernel_pt, (uint64)etext, DMAP_TO_PHYS(etext), (uint64)end - (uint64)etext,
       PTE_R | PTE_W | PTE_G);
}

void
pmap_bootstrap_cpu(void)
{
  pmap_activate(0);
}

int
pmap_pinit(pmap_t pmap)
{
  pmap->pm_resident = 0;
  if ((pmap->pm_root = kalloc()) == 0)
    return -ENOMEM;
  for (int i = NKL2; i < 512; i++)
    pmap->pm_root[i] = kernel_pt[i];
  return 0;
}

// Free the page-table pages below pt, a table at level (0 is the last level).
static void
pmap_freetable(pt_entry_t *pt, int level)
{
  for (int i = 0; i < 512; i++) {
    if ((pt[i] & PTE_V) == 0)
      continue;
    if (level > 0)
      pmap_freetable((pt_entry_t *)PHYS_TO_DMAP(PTE2PA(pt[i])), level - 1);
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
  KASSERT(r_satp() != MAKE_SATP(DMAP_TO_PHYS(pmap->pm_root)), "pmap_release: pmap is in use");
  // Only the user half (the first NKL2 entries) belongs to this pmap.
  for (int i = 0; i < NKL2; i++)
    if (pmap->pm_root[i] & PTE_V)
      pmap_freetable((pt_entry_t *)PHYS_TO_DMAP(PTE2PA(pmap->pm_root[i])), 1);
  kfree(pmap->pm_root);
  pmap->pm_root = 0;
}

static uint64
prot_bits(vm_prot_t prot)
{
  uint64 bits = 0;
  if (prot & VM_PROT_READ)
    bits |= PTE_R;
  if (prot & VM_PROT_WRITE)
    bits |= PTE_R | PTE_W;    // Sv39 has no write-only pages
  if (prot & VM_PROT_EXECUTE)
    bits |= PTE_X;
  return bits;
}

#define PTE_RIGHTS (PTE_R | PTE_W | PTE_X | PTE_U)

// Must the TLB forget va's old translation now that its PTE went from old to new?
// The fence is worth avoiding: QEMU flushes its whole TLB for any sfence.vma.
//
// Not if the TLB cannot hold old. A hart caches a translation only from a walk that
// found PTE_A set or set it (the privileged spec's translation process: an access
// with A clear faults or sets A first). The kernel sets A in every PTE it makes and
// clears it only in protect_pte(), whose pmap_protect() then fences: while A stays
// clear, no translation of old has been cached since. That is a copy-on-write fault
// on a page not touched since fork() write-protected it.
//
// Yes if the translation lost something: a page the hart could still reach (COW
// copies change the page) or a right it could still use. No if it only gained: a
// PTE that was invalid (the common case: a first touch) or the same page with more
// rights. A hart that kept the old translation then takes a spurious page fault, and
// vm_fault() enters the same PTE again: gaining nothing, that fences.
static int
pmap_enter_needs_fence(pt_entry_t old, pt_entry_t new)
{
  if ((old & PTE_V) == 0 || (old & PTE_A) == 0)
    return 0;
  if (PTE2PA(old) != PTE2PA(new) || (old & PTE_RIGHTS & ~new) != 0)
    return 1;
  return (new & PTE_RIGHTS & ~old) == 0;
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
  if ((old & PTE_V) == 0 || PTE2PA(old) != pa) {
    if (pmap_pv_insert(pmap, va, pa) < 0) {
      pmap_pv_unlock();
      return -ENOMEM;
    }
    if (old & PTE_V)
      pmap_pv_remove(pmap, va, PTE2PA(old));   // a copy-on-write copy replaces a page
    else
      pmap->pm_resident++;
  }
  *pte = PA2PTE(pa) | prot_bits(prot) | PTE_U | PTE_V | PTE_A | PTE_D |
         (wired ? PTE_SW_WIRED : 0);
  if (pmap_enter_needs_fence(old, *pte)) {
    sfence_vma_page(va);
    pmap_shootdown(pmap);
  }
  pmap_pv_unlock();
  return 0;
}

#define PT_SPAN (1UL << 21)   // what one last-level page table (512 PTEs) maps

// Apply f to every valid PTE in [sva, eva): walk down to each page table once and
// go along it, skipping missing tables whole.
static void
pmap_range(pmap_t pmap, vm_offset_t sva, vm_offset_t eva,
           void (*f)(pmap_t, vm_offset_t, pt_entry_t *, vm_prot_t), vm_prot_t prot)
{
  int n = 0;

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
      if (*pte & PTE_V) {
        f(pmap, va, pte, prot);
        n++;
      }
    }
  }
  sfence_vma();
  if (n > 0)
    pmap_shootdown(pmap);
  pmap_pv_unlock();
}

static void
remove_pte(pmap_t pmap, vm_offset_t va, pt_entry_t *pte, vm_prot_t prot)
{
  pmap_pv_remove(pmap, va, PTE2PA(*pte));
  *pte = 0;
  pmap->pm_resident--;
}

// Taking a right away also clears PTE_A, which tells pmap_enter() whether the TLB
// can hold the PTE (see pmap_enter_needs_fence()).
static void
protect_pte(pmap_t pmap, vm_offset_t va, pt_entry_t *pte, vm_prot_t prot)
{
  pt_entry_t lost = *pte & (PTE_R | PTE_W | PTE_X) & ~prot_bits(prot);

  if (lost == 0)
    return;
  *pte &= ~(lost | PTE_A);
  // A valid PTE without R, W or X points to a page table: remove it instead.
  if ((*pte & (PTE_R | PTE_W | PTE_X)) == 0)
    remove_pte(pmap, va, pte, prot);
}

void
pmap_remove(pmap_t pmap, vm_offset_t sva, vm_offset_t eva)
{
  pmap_range(pmap, sva, eva, remove_pte, 0);
}

// Take from the pages mapped in [sva, eva) the permissions that prot lacks; never
// grant one. A page the fault handler mapped read-only (copy-on-write, or a file
// page not yet written) must fault at its first write even if the range becomes
// writable: that fault copies the page or marks it dirty.
void
pmap_protect(pmap_t pmap, vm_offset_t sva, vm_offset_t eva, vm_prot_t prot)
{
  pmap_range(pmap, sva, eva, protect_pte, prot);
}

static void
unwire_pte(pmap_t pmap, vm_offset_t va, pt_entry_t *pte, vm_prot_t prot)
{
  *pte &= ~PTE_SW_WIRED;
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
  if (pte == 0 || (*pte & (PTE_V | PTE_U)) != (PTE_V | PTE_U))
    return 0;
  if ((prot_bits(prot) & ~*pte) != 0)
    return 0;
  return PTE2PA(*pte) | (va & (PAGE_SIZE - 1));
}

// Load the page table; null means the kernel's alone (no user mappings live). A
// write of satp does not flush the TLB: every address space here is ASID 0, so the
// fence after it must drop the previous one's translations.
void
pmap_activate(pmap_t pmap)
{
  push_off();
  pmap_t old = pmap_switch_begin(pmap);
  w_satp(MAKE_SATP(DMAP_TO_PHYS(pmap ? pmap->pm_root : kernel_pt)));
  sfence_vma();
  pmap_switch_end(old, pmap);
  pop_off();
}

// The pageout daemon's PTE work (vm/pmap_pv.h): pmap is loaded nowhere. A cleared
// PTE_A is what pmap_enter_needs_fence() takes for "no TLB holds this", and none
// does. QEMU sets PTE_A again on the next access (hardware A/D updating).
int
pmap_pte_clear_referenced(pmap_t pmap, vm_offset_t va)
{
  pt_entry_t *pte = pmap_walk(pmap->pm_root, va, 0, 0);
  if (pte == 0 || (*pte & PTE_V) == 0)
    panic("pmap_pte_clear_referenced: va 0x%lx not mapped", va);
  int referenced = (*pte & PTE_A) != 0;
  *pte &= ~PTE_A;
  return referenced;
}

void
pmap_pte_zap(pmap_t pmap, vm_offset_t va)
{
  pt_entry_t *pte = pmap_walk(pmap->pm_root, va, 0, 0);
  if (pte == 0 || (*pte & PTE_V) == 0)
    panic("pmap_pte_zap: va 0x%lx not mapped", va);
  *pte = 0;
  pmap->pm_resident--;
  sfence_vma_page(va);
}

long
pmap_resident_count(pmap_t pmap)
{
  return pmap->pm_resident;
}
