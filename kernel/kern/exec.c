// exec: replace the current process's memory with a program from the file system.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "kern/upcall.h"
#include "kern/resident.h"
#include "kern/elf.h"
#include "fs/fsdefs.h"
#include "vm/vm.h"
#include "vm/vm_object.h"

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

// A segment's vm_map_find result as an errno: ENOMEM when the kernel was short
// of memory, ENOEXEC when the segment does not fit (it overlaps another).
static int
find_errno(int rv)
{
  if (rv == KERN_SUCCESS)
    return 0;
  return rv == KERN_RESOURCE_SHORTAGE ? -ENOMEM : -ENOEXEC;
}

// Map one loadable segment: its file part copy-on-write from the file's object
// (demand-paged: nothing is read now), the rest anonymous zero-fill. Even read-only
// text is copy-on-write, so that mprotect() and a write give a private copy rather
// than a change to the file's pages.
static int
loadseg(struct vmspace *vm, struct vm_object *obj, struct proghdr *ph)
{
  vm_map_t map = &vm->vm_map;
  vm_offset_t start = trunc_page(ph->vaddr);
  vm_offset_t fend = round_page(ph->vaddr + ph->filesz), mend = round_page(ph->vaddr + ph->memsz);
  vm_prot_t prot = seg_prot(ph->flags);

  // The file offset must sit at the same place in its page as the address.
  if ((ph->off & (PAGE_SIZE - 1)) != (ph->vaddr & (PAGE_SIZE - 1)))
    return -ENOEXEC;
  if (ph->filesz > 0) {
    vm_object_reference(obj);
    int rv = vm_map_find(map, obj, trunc_page(ph->off), &start, fend - start, 0, 0,
                         VM_MAPTYPE_NORMAL, prot, VM_PROT_ALL, MAP_COPY_ON_WRITE);
    if (rv != KERN_SUCCESS) {
      vm_object_deallocate(obj);
      return find_errno(rv);
    }
    // The bss begins inside the last file page: zero that page's tail (a private
    // copy of it, by copy-on-write).
    uint64 tail = fend - (ph->vaddr + ph->filesz);
    if (ph->memsz > ph->filesz && tail > 0) {
      static const char zeros[64];
      if (!(prot & VM_PROT_WRITE))
        return -ENOEXEC;
      for (uint64 a = ph->vaddr + ph->filesz; a < fend; a += MIN(sizeof(zeros), fend - a))
        if (vm_copyout(vm, a, zeros, MIN(sizeof(zeros), fend - a)) < 0)
          return -ENOMEM;
    }
  } else {
    fend = start;
  }
  if (mend > fend)
    return find_errno(vm_map_find(map, 0, 0, &fend, mend - fend, 0, 0, VM_MAPTYPE_NORMAL,
                                  prot, VM_PROT_ALL, 0));
  return 0;
}

// Read and check the ELF header and program headers; map every PT_LOAD segment.
static int
load_image(struct vmspace *vm, struct inode *ip, uint64 *entry)
{
  struct elfhdr elf;
  struct proghdr ph;
  vm_offset_t dstart = 0, maxend = 0, tend = 0;
  struct vm_object *obj;
  int r = 0;

  if (readi(ip, 0, (uint64)&elf, 0, sizeof(elf)) != sizeof(elf) || elf.magic != ELF_MAGIC)
    return -ENOEXEC;
  // (Unlocked: the file's last object may be writing its pages back. Nothing can
  // change the file meanwhile: exec's inode_text_begin keeps writers out.)
  iunlock(ip);
  obj = vnode_pager_alloc(ip);
  ilock(ip);
  if (obj == 0)
    return -ENOMEM;
  for (int i = 0; i < elf.phnum; i++) {
    uint64 off = elf.phoff + (uint64)i * sizeof(ph);
    if (readi(ip, 0, (uint64)&ph, off, sizeof(ph)) != sizeof(ph)) {
      r = -ENOEXEC;
      break;
    }
    if (ph.type != ELF_PROG_LOAD || ph.memsz == 0)
      continue;
    // The segment must lie in user space, clear of the largest stack, and its
    // file part in the file (a truncated file would fault its process later).
    vm_offset_t limit = USRSTACK - MAXSSIZ;
    if (ph.memsz < ph.filesz || ph.vaddr < VM_USER_TEXT || ph.vaddr >= limit ||
        ph.memsz > limit - ph.vaddr || ph.off > inode_size(ip) ||
        ph.filesz > inode_size(ip) - ph.off) {
      r = -ENOEXEC;
      break;
    }
    // The segment's pages are read from ip by later faults, which lock it: unlock
    // it while zeroing the bss tail faults one in.
    iunlock(ip);
    r = loadseg(vm, obj, &ph);
    ilock(ip);
    if (r < 0)
      break;
    vm_offset_t end = round_page(ph.vaddr + ph.memsz);
    if (ph.flags & ELF_PROG_FLAG_WRITE) {
      if (dstart == 0 || trunc_page(ph.vaddr) < dstart)
        dstart = trunc_page(ph.vaddr);
    } else {
      tend = MAX(tend, end);
    }
    maxend = MAX(maxend, end);
  }
  vm_object_deallocate(obj);
  if (r < 0)
    return r;
  if (maxend == 0)
    return -ENOEXEC;
  vm->vm_tsize = tend > VM_USER_TEXT ? atop(tend - VM_USER_TEXT) : 0;
  // The data segment and the heap after it: the break starts at maxend.
  vm->vm_daddr = dstart ? dstart : maxend;
  vm->vm_brk = maxend;
  vm->vm_dsize = atop(maxend - vm->vm_daddr);
  *entry = elf.entry;
  return 0;
}

// The stack of the new image, below USRSTACK: as much as the hard RLIMIT_STACK
// allows (at most MAXSSIZ, at least a page) is reserved, its top mapped (lab 4).
static int
map_stack(struct vmspace *vm, rlim_t limit)
{
  vm_map_t map = &vm->vm_map;
  vm_size_t max = MAX(MIN(trunc_page(limit), MAXSSIZ), PAGE_SIZE);
  vm_map_entry_t entry;
  int count, rv;

  if ((count = vm_map_entry_reserve(MAP_RESERVE_COUNT)) < 0)
    return -ENOMEM;
  vm_map_lock(map);
  rv = vm_map_stack(map, &count, USRSTACK - max, max, VM_PROT_READ | VM_PROT_WRITE,
                    VM_PROT_ALL, 0);
  if (rv == KERN_SUCCESS && !vm_map_lookup_entry(map, USRSTACK - 1, &entry))
    rv = KERN_FAILURE;
  if (rv == KERN_SUCCESS) {
    vm->vm_maxsaddr = USRSTACK - max;
    vm->vm_minsaddr = USRSTACK;
    vm->vm_ssize = atop(entry->end - entry->start);
  }
  vm_map_unlock(map);
  vm_map_entry_release(count);
  return rv == KERN_SUCCESS ? 0 : -ENOMEM;
}

// Build the new stack: the argument strings, then argv[], 16-byte aligned. The
// strings and argv[] may take ARG_MAX bytes, as on a POSIX system (whose ARG_MAX
// is at least that), however much stack there is: xv6's usertests counts on it.
static int
push_args(struct vmspace *vm, char **argv, uint64 *spp, uint64 *argcp)
{
  uint64 ustack[MAXARG + 1];
  uint64 sp = USRSTACK, stackbase = USRSTACK - ptoa(vm->vm_ssize);
  uint64 argc, total = 0;

  for (argc = 0; argv[argc]; argc++) {
    if (argc >= MAXARG)
      return -E2BIG;
    uint64 len = strlen(argv[argc]) + 1;
    total += len + sizeof(uint64);
    if (total + sizeof(uint64) > ARG_MAX)
      return -E2BIG;
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

// The new image of ip (locked; unlocked meanwhile and locked again): a copy of its
// resident snapshot (lab 7; *vrp set), or else its segments in a new vmspace.
// 0 with *vmp set, or a negative errno with nothing made.
static int
load(struct inode *ip, struct vmresident **vrp, struct vmspace **vmp, uint64 *entry)
{
  int r;

  if ((*vrp = resident_lookup(ip)) != 0) {
    iunlock(ip);
    r = resident_exec(*vrp, vmp, entry);
    ilock(ip);
    return r;
  }
  if ((*vmp = vmspace_alloc()) == 0)
    return -ENOMEM;
  if ((r = load_image(*vmp, ip, entry)) < 0) {
    iunlock(ip);
    vmspace_free(*vmp);
    ilock(ip);
  }
  return r;
}

// Replace the current process's image with the program at path. argv is in kernel
// memory. Returns argc (which becomes the first argument of main), or a negative
// errno with the old image untouched.
int
kexec(char *path, char **argv)
{
  struct proc *p = myproc();
  struct vmspace *vm = 0, *oldvm;
  struct inode *ip, *oldtext;
  struct vmresident *vr = 0;
  uint64 entry, sp, argc;
  uint gen;
  int r;

  // Look the file up in a transaction (namei may drop inodes), but load it outside
  // one: mapping and unmapping a file's object can start transactions of its own.
  resident_prune();
  begin_op();
  ip = namei(path);
  end_op();
  if (ip == 0)
    return -ENOENT;
  ilock(ip);
  gen = inode_gen(ip);
  // From here this process counts as running ip, which no open may then write
  // (ETXTBSY), until it fails or runs something else.
  if (inode_is_dir(ip))
    r = -EACCES;
  else if ((r = inode_text_begin(ip)) == 0 && (r = load(ip, &vr, &vm, &entry)) < 0)
    inode_text_end(ip);
  iunlock(ip);
  if (r < 0) {
    begin_op();
    iput(ip);
    end_op();
    return r;
  }

  // A snapshot has its stack already: the new arguments go at its top.
  if (vr == 0 && (r = map_stack(vm, p->p_rlimit[RLIMIT_STACK].rlim_max)) < 0)
    goto bad;
  if ((r = push_args(vm, argv, &sp, &argc)) < 0)
    goto bad;

  // Name the process after the last path component.
  char *last = path;
  for (char *s = path; *s; s++)
    if (*s == '/')
      last = s + 1;
  safestrcpy(p->name, last, sizeof(p->name));

  // Commit: switch to the new image, then free the old one. This process's upcalls
  // stay behind in the old vmspace, which siblings may share: they go first.
  upcall_release(p);
  // Under p->lock, so that vmmap(pid) and procinfo() in another process, which take
  // a reference to p's vmspace under it, never take one to a freed vmspace.
  acquire(&p->lock);
  oldvm = p->p_vmspace;
  p->p_vmspace = vm;
  release(&p->lock);
  pmap_activate(&vm->vm_pmap);
  vmspace_free(oldvm);
  // The file is now the process's executable (exec_sys_register's): it keeps the
  // reference namei gave.
  oldtext = p->p_textvp;
  p->p_textvp = ip;
  p->p_textgen = gen;
  safestrcpy(p->p_path, path, sizeof(p->p_path));
  if (oldtext) {
    inode_text_end(oldtext);
    begin_op();
    iput(oldtext);
    end_op();
  }
  md_exec_setregs(p, entry, sp, argc, sp);
  return (int)argc;

bad:
  vmspace_free(vm);
  inode_text_end(ip);
  begin_op();
  iput(ip);
  end_op();
  return r;
}
