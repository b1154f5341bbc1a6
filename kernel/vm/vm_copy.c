// Moving bytes between the kernel and a process's user memory. The kernel reads
// and writes user pages through the direct map, after finding them in the page
// table; a page that is not there (yet) is faulted in, exactly as a user access
// would, so copy-on-write and demand paging work under system calls too. A bad
// pointer gets -EFAULT, never a panic.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "vm/vm.h"
#include "vm/pmap_pv.h"

// The kernel address of user address va in vm, mapped for prot (faulting it in if
// need be), or 0. The pmap is held (pmap_pv.h) until the caller's pmap_drop(),
// after its copy: until then the pageout daemon cannot take the page away.
static char *
user_ptr(struct vmspace *vm, uint64 va, vm_prot_t prot)
{
  if (va >= VM_MAXUSER_ADDRESS)
    return 0;
  pmap_hold(&vm->vm_pmap);
  vm_paddr_t pa = pmap_extract_prot(&vm->vm_pmap, va, prot);
  if (pa == 0 && vm_fault_user(vm, va, prot) == KERN_SUCCESS)
    pa = pmap_extract_prot(&vm->vm_pmap, va, prot);
  if (pa == 0) {
    pmap_drop(&vm->vm_pmap);
    return 0;
  }
  return (char *)PHYS_TO_DMAP(pa);
}

int
vm_copyout(struct vmspace *vm, uint64 dstva, const void *src, uint64 len)
{
  while (len > 0) {
    char *dst = user_ptr(vm, dstva, VM_PROT_WRITE);
    if (dst == 0)
      return -EFAULT;
    uint64 n = MIN(PAGE_SIZE - (dstva & (PAGE_SIZE - 1)), len);
    memmove(dst, src, n);
    pmap_drop(&vm->vm_pmap);
    len -= n;
    src = (const char *)src + n;
    dstva += n;
  }
  return 0;
}

int
copyout(uint64 dstva, const void *src, uint64 len)
{
  return vm_copyout(myproc()->p_vmspace, dstva, src, len);
}

int
copyin(void *dst, uint64 srcva, uint64 len)
{
  struct vmspace *vm = myproc()->p_vmspace;

  while (len > 0) {
    char *src = user_ptr(vm, srcva, VM_PROT_READ);
    if (src == 0)
      return -EFAULT;
    uint64 n = MIN(PAGE_SIZE - (srcva & (PAGE_SIZE - 1)), len);
    memmove(dst, src, n);
    pmap_drop(&vm->vm_pmap);
    len -= n;
    dst = (char *)dst + n;
    srcva += n;
  }
  return 0;
}

// Copy a NUL-terminated string of at most max bytes, NUL included.
int
copyinstr(char *dst, uint64 srcva, uint64 max)
{
  struct vmspace *vm = myproc()->p_vmspace;

  while (max > 0) {
    char *src = user_ptr(vm, srcva, VM_PROT_READ);
    if (src == 0)
      return -EFAULT;
    uint64 n = MIN(PAGE_SIZE - (srcva & (PAGE_SIZE - 1)), max);
    uint64 i = 0;
    while (i < n && (*dst++ = src[i]) != 0)
      i++;
    pmap_drop(&vm->vm_pmap);
    if (i < n)
      return 0;
    max -= n;
    srcva += n;
  }
  return -ENAMETOOLONG;
}

int
either_copyout(int user_dst, uint64 dst, const void *src, uint64 len)
{
  if (user_dst)
    return copyout(dst, src, len);
  memmove((void *)dst, src, len);
  return 0;
}

int
either_copyin(void *dst, int user_src, uint64 src, uint64 len)
{
  if (user_src)
    return copyin(dst, src, len);
  memmove(dst, (const void *)src, len);
  return 0;
}
