// Process address spaces (struct vmspace) before the VM map arrives: the text, data
// and heap are one run of pages from vm_taddr up to the break, the stack another
// below USRSTACK. Every page is allocated when mapped and copied at fork; labs 1-3
// replace this with map entries, objects and copy-on-write.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/spinlock.h"
#include "vm/vm.h"

struct vmspace *
vmspace_alloc(void)
{
  struct vmspace *vm = kalloc();    // a page holds one with room to spare

  _Static_assert(sizeof(struct vmspace) <= PAGE_SIZE, "vmspace too big for a page");
  if (vm == 0)
    return 0;
  if (pmap_pinit(&vm->vm_pmap) < 0) {
    kfree(vm);
    return 0;
  }
  vm->vm_refcnt = 1;
  vm->vm_taddr = vm->vm_daddr = VM_USER_TEXT;
  return vm;
}

// Map fresh zeroed pages over [va, va+len). On failure nothing stays mapped.
int
vm_map_pages(struct vmspace *vm, vm_offset_t va, vm_size_t len, vm_prot_t prot)
{
  KASSERT((va & (PAGE_SIZE - 1)) == 0, "vm_map_pages: unaligned");
  for (vm_offset_t a = va; a < va + len; a += PAGE_SIZE) {
    void *page = kalloc();
    if (page == 0 || pmap_enter(&vm->vm_pmap, a, DMAP_TO_PHYS(page), prot, 0) < 0) {
      if (page)
        kfree(page);
      vm_unmap_pages(vm, va, a - va);
      return -ENOMEM;
    }
  }
  return 0;
}

// Unmap [va, va+len) and free the pages that were mapped there.
void
vm_unmap_pages(struct vmspace *vm, vm_offset_t va, vm_size_t len)
{
  for (vm_offset_t a = trunc_page(va); a < va + len; a += PAGE_SIZE) {
    vm_paddr_t pa = pmap_extract(&vm->vm_pmap, a);
    if (pa) {
      pmap_remove(&vm->vm_pmap, a, a + PAGE_SIZE);
      kfree((void *)PHYS_TO_DMAP(trunc_page(pa)));
    }
  }
}

void
vmspace_free(struct vmspace *vm)
{
  if (--vm->vm_refcnt > 0)
    return;
  vm_unmap_pages(vm, vm->vm_taddr, vm->vm_daddr + vm->vm_dsize - vm->vm_taddr);
  vm_unmap_pages(vm, USRSTACK - vm->vm_ssize, vm->vm_ssize);
  pmap_release(&vm->vm_pmap);
  kfree(vm);
}

// Copy [va, va+len) of src into dst, page by page, with the same protection.
static int
vm_copy_range(struct vmspace *dst, struct vmspace *src, vm_offset_t va, vm_size_t len)
{
  for (vm_offset_t a = va; a < va + len; a += PAGE_SIZE) {
    vm_paddr_t pa = pmap_extract(&src->vm_pmap, a);
    if (pa == 0)
      continue;
    vm_prot_t prot = VM_PROT_READ;
    if (pmap_extract_prot(&src->vm_pmap, a, VM_PROT_WRITE))
      prot |= VM_PROT_WRITE;
    if (pmap_extract_prot(&src->vm_pmap, a, VM_PROT_EXECUTE))
      prot |= VM_PROT_EXECUTE;
    void *page = kalloc();
    if (page == 0)
      return -ENOMEM;
    memmove(page, (void *)PHYS_TO_DMAP(pa), PAGE_SIZE);
    if (pmap_enter(&dst->vm_pmap, a, DMAP_TO_PHYS(page), prot, 0) < 0) {
      kfree(page);
      return -ENOMEM;
    }
  }
  return 0;
}

// A copy of vm for a child process, or 0 if memory ran out (nothing leaked).
struct vmspace *
vmspace_fork(struct vmspace *vm)
{
  struct vmspace *nvm = vmspace_alloc();

  if (nvm == 0)
    return 0;
  nvm->vm_taddr = vm->vm_taddr;
  nvm->vm_daddr = vm->vm_daddr;
  nvm->vm_tsize = vm->vm_tsize;
  nvm->vm_dsize = vm->vm_dsize;
  nvm->vm_ssize = vm->vm_ssize;
  if (vm_copy_range(nvm, vm, vm->vm_taddr, vm->vm_daddr + vm->vm_dsize - vm->vm_taddr) < 0 ||
      vm_copy_range(nvm, vm, USRSTACK - vm->vm_ssize, vm->vm_ssize) < 0) {
    vmspace_free(nvm);
    return 0;
  }
  return nvm;
}

// Move the break by n bytes; *oldbrk gets the old break. The heap may not come
// within a guard page of the stack.
int
vm_sbrk(struct vmspace *vm, long n, vm_offset_t *oldbrk)
{
  vm_offset_t brk = vm->vm_daddr + vm->vm_dsize;
  vm_offset_t limit = USRSTACK - vm->vm_ssize - PAGE_SIZE;

  *oldbrk = brk;
  if (n > 0) {
    // Fail at once, not after allocating all of memory, when it cannot fit.
    if ((uint64)n > limit - brk || (uint64)n / PAGE_SIZE > kfreecount())
      return -ENOMEM;
    vm_offset_t from = round_page(brk), to = round_page(brk + n);
    if (to > from && vm_map_pages(vm, from, to - from, VM_PROT_READ | VM_PROT_WRITE) < 0)
      return -ENOMEM;
  } else if (n < 0) {
    if ((uint64)-n > brk - vm->vm_daddr)
      return -EINVAL;
    vm_unmap_pages(vm, round_page(brk + n), round_page(brk) - round_page(brk + n));
  }
  vm->vm_dsize += n;
  return 0;
}
