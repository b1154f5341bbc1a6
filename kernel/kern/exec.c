// exec: replace the current process's memory with a program from the file system.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "kern/elf.h"
#include "fs/fsdefs.h"
#include "vm/vm.h"

static vm_prot_t
seg_prot(uint32 flags)
{
  vm_prot_t prot = VM_PROT_READ;
  if (flags & ELF_PROG_FLAG_WRITE)
    prot |= VM_PROT_WRITE;
  if (flags & ELF_PROG_FLAG_EXEC)
    prot |= VM_PROT_EXECUTE;
  return prot;
}

// Map one loadable segment and read its file bytes in; the rest of it is zero.
// Two segments may share a page: it then gets both protections.
static int
loadseg(struct vmspace *vm, struct inode *ip, struct proghdr *ph)
{
  vm_offset_t start = trunc_page(ph->vaddr), end = round_page(ph->vaddr + ph->memsz);
  vm_prot_t prot = seg_prot(ph->flags);

  for (vm_offset_t va = start; va < end; va += PAGE_SIZE) {
    vm_paddr_t pa = pmap_extract(&vm->vm_pmap, va);
    if (pa == 0) {
      if (vm_map_pages(vm, va, PAGE_SIZE, prot) < 0)
        return -ENOMEM;
      // Until load_image() is done, [vm_daddr, break) covers every page mapped so
      // far, so that vmspace_free() finds them if a later step fails.
      vm->vm_dsize = MAX(vm->vm_dsize, va + PAGE_SIZE - vm->vm_daddr);
    } else {
      vm_prot_t old = VM_PROT_READ;
      if (pmap_extract_prot(&vm->vm_pmap, va, VM_PROT_WRITE))
        old |= VM_PROT_WRITE;
      if (pmap_extract_prot(&vm->vm_pmap, va, VM_PROT_EXECUTE))
        old |= VM_PROT_EXECUTE;
      pmap_protect(&vm->vm_pmap, va, va + PAGE_SIZE, old | prot);
    }
  }
  // Copy the file's bytes page by page through the direct map.
  for (uint64 done = 0; done < ph->filesz; ) {
    vm_offset_t va = ph->vaddr + done;
    uint64 n = MIN(PAGE_SIZE - (va & (PAGE_SIZE - 1)), ph->filesz - done);
    char *kva = (char *)PHYS_TO_DMAP(pmap_extract(&vm->vm_pmap, va));
    if (readi(ip, 0, (uint64)kva, ph->off + done, n) != (int)n)
      return -ENOEXEC;
    done += n;
  }
  return 0;
}

// Read and check the ELF header and program headers; load every PT_LOAD segment.
static int
load_image(struct vmspace *vm, struct inode *ip, uint64 *entry)
{
  struct elfhdr elf;
  struct proghdr ph;
  vm_offset_t dstart = 0, maxend = 0, tend = 0;

  if (readi(ip, 0, (uint64)&elf, 0, sizeof(elf)) != sizeof(elf) || elf.magic != ELF_MAGIC)
    return -ENOEXEC;
  for (int i = 0; i < elf.phnum; i++) {
    uint64 off = elf.phoff + (uint64)i * sizeof(ph);
    if (readi(ip, 0, (uint64)&ph, off, sizeof(ph)) != sizeof(ph))
      return -ENOEXEC;
    if (ph.type != ELF_PROG_LOAD || ph.memsz == 0)
      continue;
    // The segment must lie in user space, clear of the stack and its guard page.
    vm_offset_t limit = USRSTACK - USTACKPAGES * PAGE_SIZE - PAGE_SIZE;
    if (ph.memsz < ph.filesz || ph.vaddr < VM_USER_TEXT || ph.vaddr >= limit ||
        ph.memsz > limit - ph.vaddr)
      return -ENOEXEC;
    int r = loadseg(vm, ip, &ph);
    if (r < 0)
      return r;
    vm_offset_t end = round_page(ph.vaddr + ph.memsz);
    if (ph.flags & ELF_PROG_FLAG_WRITE) {
      if (dstart == 0 || trunc_page(ph.vaddr) < dstart)
        dstart = trunc_page(ph.vaddr);
    } else {
      tend = MAX(tend, end);
    }
    maxend = MAX(maxend, end);
  }
  if (maxend == 0)
    return -ENOEXEC;
  vm->vm_tsize = tend > VM_USER_TEXT ? tend - VM_USER_TEXT : 0;
  // The data segment and the heap after it: the break starts at maxend.
  vm->vm_daddr = dstart ? dstart : maxend;
  vm->vm_dsize = maxend - vm->vm_daddr;
  *entry = elf.entry;
  return 0;
}

// Build the new stack: the argument strings, then argv[], 16-byte aligned.
static int
push_args(struct vmspace *vm, char **argv, uint64 *spp, uint64 *argcp)
{
  uint64 ustack[MAXARG + 1];
  uint64 sp = USRSTACK, stackbase = USRSTACK - vm->vm_ssize;
  uint64 argc;

  for (argc = 0; argv[argc]; argc++) {
    if (argc >= MAXARG)
      return -E2BIG;
    uint64 len = strlen(argv[argc]) + 1;
    if (len > sp - stackbase)
      return -E2BIG;
    sp = (sp - len) & ~15UL;
    if (sp < stackbase || vm_copyout(vm, sp, argv[argc], len) < 0)
      return -E2BIG;
    ustack[argc] = sp;
  }
  ustack[argc] = 0;
  uint64 size = (argc + 1) * sizeof(uint64);
  if (size > sp - stackbase)
    return -E2BIG;
  sp = (sp - size) & ~15UL;
  if (sp < stackbase || vm_copyout(vm, sp, ustack, size) < 0)
    return -E2BIG;
  *spp = sp;
  *argcp = argc;
  return 0;
}

// Replace the current process's image with the program at path. argv is in kernel
// memory. Returns argc (which becomes the first argument of main), or a negative
// errno with the old image untouched.
int
kexec(char *path, char **argv)
{
  struct proc *p = myproc();
  struct vmspace *vm, *oldvm;
  struct inode *ip;
  uint64 entry, sp, argc;
  int r;

  begin_op();
  if ((ip = namei(path)) == 0) {
    end_op();
    return -ENOENT;
  }
  ilock(ip);
  if (inode_is_dir(ip)) {
    iunlockput(ip);
    end_op();
    return -EACCES;
  }
  if ((vm = vmspace_alloc()) == 0) {
    iunlockput(ip);
    end_op();
    return -ENOMEM;
  }
  r = load_image(vm, ip, &entry);
  iunlockput(ip);
  end_op();
  if (r < 0)
    goto bad;

  vm->vm_ssize = USTACKPAGES * PAGE_SIZE;
  if ((r = vm_map_pages(vm, USRSTACK - vm->vm_ssize, vm->vm_ssize,
                        VM_PROT_READ | VM_PROT_WRITE)) < 0)
    goto bad;
  if ((r = push_args(vm, argv, &sp, &argc)) < 0)
    goto bad;

  // Name the process after the last path component.
  char *last = path;
  for (char *s = path; *s; s++)
    if (*s == '/')
      last = s + 1;
  safestrcpy(p->name, last, sizeof(p->name));

  // Commit: switch to the new image, then free the old one.
  oldvm = p->p_vmspace;
  p->p_vmspace = vm;
  pmap_activate(&vm->vm_pmap);
  vmspace_free(oldvm);
  md_exec_setregs(p, entry, sp, argc, sp);
  return (int)argc;

bad:
  vmspace_free(vm);
  return r;
}
