// The mmap family of system calls: mmap, munmap, mprotect, minherit, madvise,
// msync, mincore. Each checks its arguments, turns them into a page-aligned range
// of the caller's map, and calls the vm_map operation that does the work; a bad
// argument is an errno, never a panic, and on any error the map is unchanged.
//
// The errno choices are listed in sys/mman.h. In short:
// addresses must be page aligned (lengths are rounded up to pages); a range that
// wraps around, or leaves user space, is EINVAL (mincore and msync, which report
// unmapped memory, say ENOMEM); holes in the range are fine except for msync and
// mincore, which say ENOMEM.
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "fs/fs.h"
#include "fs/file.h"
#include "fs/fsdefs.h"
#include "vm/vm.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"

#define PAGE_MASK (PAGE_SIZE - 1)

#define PROT_ALL   (PROT_READ | PROT_WRITE | PROT_EXEC)
#define MAP_KNOWN  (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANON)

// A map operation's result as an errno, as FreeBSD's vm_mmap_to_errno().
static int
vm_mmap_to_errno(int rv)
{
  switch (rv) {
  case KERN_SUCCESS:
    return 0;
  case KERN_INVALID_ADDRESS:
  case KERN_NO_SPACE:
  case KERN_RESOURCE_SHORTAGE:
    return ENOMEM;
  case KERN_PROTECTION_FAILURE:
    return EACCES;
  default:
    return EINVAL;
  }
}

// Whether map is too full for a call that may add two entries (<sys/mman.h>:
// VM_MAP_ENTRY_MAX). Read without the map lock, as RLIMIT_MEMLOCK's sum is: threads
// that share the map can pass the limit by two entries each.
static int
map_full(vm_map_t map)
{
  return map->nentries + 2 > VM_MAP_ENTRY_MAX;
}

static vm_map_t
curmap(void)
{
  return &myproc()->p_vmspace->vm_map;
}

// How many bytes the caller may have wired (mlock & co.): RLIMIT_MEMLOCK.
static uint64
memlock_limit(void)
{
  return myproc()->p_rlimit[RLIMIT_MEMLOCK].rlim_cur;
}

// Is [addr, addr + size) inside user space, without wrapping around?
static int
user_range(uint64 addr, uint64 size)
{
  return addr + size >= addr && addr >= VM_MIN_USER_ADDRESS &&
         addr + size <= VM_MAXUSER_ADDRESS;
}

// Check the (addr, len) of every call but mmap: addr page aligned, len rounded up
// to pages without wrapping. 0 with *sizep set, or -EINVAL.
static int
page_range(uint64 addr, uint64 len, uint64 *sizep)
{
  uint64 size = round_page(len);

  if ((addr & PAGE_MASK) || size < len)
    return -EINVAL;
  *sizep = size;
  return 0;
}

// The object to map fd with, referenced, and the most the mapping may be
// protected with; or a negative errno.
static int
mmap_file(int fd, int prot, int flags, struct vm_object **objp, vm_prot_t *maxp)
{
  struct file *f;
  short type;

  if (fd < 0 || fd >= NOFILE || (f = myproc()->ofile[fd]) == 0)
    return -EBADF;
  // Pipes and devices cannot be mapped. Nor can directories: POSIX's ENODEV
  // ("a file type not supported by mmap"), as Linux (FreeBSD says EINVAL).
  if (f->type != FD_INODE)
    return -ENODEV;
  ilock(f->ip);
  type = f->ip->type;
  iunlock(f->ip);
  if (type != T_FILE)
    return -ENODEV;
  if (!f->readable)
    return -EACCES;
  // A shared mapping writes to the file: only through a descriptor open for
  // writing, now or after a later mprotect().
  *maxp = VM_PROT_ALL;
  if ((flags & MAP_SHARED) && !f->writable) {
    if (prot & PROT_WRITE)
      return -EACCES;
    *maxp &= ~VM_PROT_WRITE;
  }
  if ((*objp = vnode_pager_alloc(f->ip)) == 0)
    return -ENOMEM;
  return 0;
}

// Map object (null: anonymous zero-fill) at [addr, addr + size), replacing what was
// there (fixed: the range is in user space), or in the first free range at or above
// addr, then at or above the bottom of user space. Everything under one hold of the map lock, so no other
// thread of the vmspace sees a half-made mapping. The object's reference passes to
// the map on success; on failure the caller still has it. KERN_* result.
static int
mmap_insert(vm_map_t map, struct vm_object *object, vm_ooffset_t offset, vm_offset_t *addrp,
            vm_size_t size, int fixed, vm_prot_t prot, vm_prot_t max, int cow, int shared)
{
  vm_offset_t addr = *addrp;
  vm_map_entry_t entry;
  int count, rv;

  // Delete (two clips) + insert (one entry) + two clips for the inheritance.
  if ((count = vm_map_entry_reserve(MAP_RESERVE_COUNT + 2)) < 0)
    return KERN_RESOURCE_SHORTAGE;
  vm_map_lock(map);
  if (fixed) {
    vm_map_delete(map, addr, addr + size, &count);
  } else if (vm_map_findspace(map, addr, size, PAGE_SIZE, 0, &addr) &&
             vm_map_findspace(map, MAX(map->min_offset, PAGE_SIZE), size, PAGE_SIZE, 0,
                              &addr)) {
    // (Page 0 is never handed out unless asked for: a null pointer stays a fault.)
    rv = KERN_NO_SPACE;
    goto out;
  }
  if (cow & MAP_IS_STACK)
    rv = vm_map_stack(map, &count, addr, size, prot, max, cow & ~MAP_IS_STACK);
  else
    rv = vm_map_insert(map, &count, object, offset, addr, addr + size,
                       VM_MAPTYPE_NORMAL, prot, max, cow);
  if (rv == KERN_SUCCESS && shared) {
    // The new entry may have merged with a neighbour: clip it back out.
    if (!vm_map_lookup_entry(map, addr, &entry))
      panic("mmap: new entry at 0x%lx not found", addr);
    vm_map_clip_start(map, entry, addr, &count);
    vm_map_clip_end(map, entry, addr + size, &count);
    entry->inheritance = VM_INHERIT_SHARE;
    vm_map_simplify_entry(map, entry, &count);
  }
out:
  vm_map_unlock(map);
  vm_map_entry_release(count);
  if (rv == KERN_SUCCESS)
    *addrp = addr;
  return rv;
}

// void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)
long
sys_mmap(void)
{
  uint64 addr = argaddr(0), len = argaddr(1);
  int prot = argint(2), flags = argint(3), fd = argint(4);
  uint64 pos = argaddr(5);
  vm_map_t map = curmap();
  struct vm_object *object = 0;
  vm_prot_t max = VM_PROT_ALL;
  uint64 size = round_page(len);
  int fixed = (flags & MAP_FIXED) != 0, shared = (flags & MAP_SHARED) != 0;
  int cow = 0, rv, err;

  if ((prot & ~PROT_ALL) || (flags & ~(MAP_KNOWN | MAP_STACK)))
    return -EINVAL;
  if (flags & MAP_STACK) {
    // LAB stack 5: BEGIN
    // FreeBSD's rules: a stack is anonymous memory, readable and writable. And
    // private: a stack shared with a child would be written by both.
    if (fd != -1 || (prot & (PROT_READ | PROT_WRITE)) != (PROT_READ | PROT_WRITE) || shared)
      return -EINVAL;
    flags |= MAP_ANON;
    cow = MAP_IS_STACK;
    // LAB stack 5: STARTER
    // return -EINVAL;   // lab 4 maps stacks, with vm_map_stack()
    // LAB stack 5: END
  }
  if (len == 0 || size < len)
    return -EINVAL;
  if (!(flags & MAP_SHARED) == !(flags & MAP_PRIVATE))
    return -EINVAL;   // exactly one of them
  if ((flags & MAP_ANON) && (fd != -1 || pos != 0))
    return -EINVAL;
  // POSIX: the offset must be page aligned (FreeBSD takes any, and returns an
  // address with the same offset into its page).
  if ((pos & PAGE_MASK) || pos + size < pos)
    return -EINVAL;
  if (fixed) {
    if ((addr & PAGE_MASK) || !user_range(addr, size))
      return -EINVAL;
  } else {
    // A hint outside user space is no hint.
    addr = round_page(addr);
    if (addr == 0 || addr >= VM_MAXUSER_ADDRESS)
      addr = VM_MMAP_BASE;
    if (size > VM_MAXUSER_ADDRESS - VM_MIN_USER_ADDRESS)
      return -ENOMEM;
  }

  if (flags & MAP_ANON) {
    // Shared anonymous memory needs an object now, for fork children to share;
    // private gets one on the first fault.
    if (shared && (object = vm_object_allocate(OBJT_DEFAULT, size >> PAGE_SHIFT)) == 0)
      return -ENOMEM;
  } else {
    if ((err = mmap_file(fd, prot, flags, &object, &max)) < 0)
      return err;
    if (!shared)
      cow = MAP_COPY_ON_WRITE;
  }

  rv = map_full(map) ? KERN_NO_SPACE :
       mmap_insert(map, object, pos, &addr, size, fixed, prot, max, cow, shared);
  if (rv != KERN_SUCCESS) {
    if (object)
      vm_object_deallocate(object);
    return -vm_mmap_to_errno(rv);
  }
  // After mlockall(MCL_FUTURE), wired from the start, or not mapped at all.
  if (vm_map_wire_future(map, addr, addr + size, memlock_limit()) != KERN_SUCCESS) {
    vm_map_remove(map, addr, addr + size);
    return -ENOMEM;
  }
  return (long)addr;
}

// int munmap(void *addr, size_t len): holes are fine (FreeBSD; DragonFly: EINVAL).
// Never ENOMEM for want of memory (clipping takes up to two new entries): a process
// short of memory must be able to give some back, so munmap waits for the pageout
// daemon and tries again, as a fault does (ENOMEM only if it is killed meanwhile).
long
sys_munmap(void)
{
  uint64 addr = argaddr(0), len = argaddr(1), size;
  int rv;

  if (len == 0 || page_range(addr, len, &size) < 0 || !user_range(addr, size))
    return -EINVAL;
  while ((rv = vm_map_remove(curmap(), addr, addr + size)) == KERN_RESOURCE_SHORTAGE)
    if (vm_wait() < 0)
      break;
  return -vm_mmap_to_errno(rv);
}

// int mprotect(void *addr, size_t len, int prot): above some entry's maximum
// protection is EACCES with nothing changed; holes are skipped.
long
sys_mprotect(void)
{
  uint64 addr = argaddr(0), len = argaddr(1), size;
  vm_map_t map = curmap();
  int prot = argint(2);

  if ((prot & ~PROT_ALL) || page_range(addr, len, &size) < 0 || !user_range(addr, size))
    return -EINVAL;
  if (size == 0)
    return 0;
  if (map_full(map))
    return -ENOMEM;
  return -vm_mmap_to_errno(vm_map_protect(map, addr, addr + size, prot, 0));
}

// int minherit(void *addr, size_t len, int inherit): INHERIT_SHARE, _COPY or _NONE.
long
sys_minherit(void)
{
  uint64 addr = argaddr(0), len = argaddr(1), size;
  vm_map_t map = curmap();
  int inherit = argint(2);

  if (page_range(addr, len, &size) < 0 || !user_range(addr, size))
    return -EINVAL;
  if (inherit != INHERIT_SHARE && inherit != INHERIT_COPY && inherit != INHERIT_NONE)
    return -EINVAL;
  if (size == 0)
    return 0;
  if (map_full(map))
    return -ENOMEM;
  return -vm_mmap_to_errno(vm_map_inherit(map, addr, addr + size, inherit));
}

// MADV_WILLNEED reads ahead at most a quarter of the pages free above a reserve of
// WILLNEED_RESERVE: advice must not take the memory that a process's next fault,
// or another process, needs. (It also bounds the time the call takes.)
#define WILLNEED_RESERVE 256   // pages

// How many pages MADV_WILLNEED may bring in now.
static uint64
willneed_budget(void)
{
  uint64 nfree = kfreecount();

  return nfree > WILLNEED_RESERVE ? (nfree - WILLNEED_RESERVE) / 4 : 0;
}

// int madvise(void *addr, size_t len, int behav): MADV_WILLNEED covers only the
// first willneed_budget() pages of the range (and succeeds: it is advice).
long
sys_madvise(void)
{
  uint64 addr = argaddr(0), len = argaddr(1), size;
  vm_map_t map = curmap();
  int behav = argint(2);

  if (page_range(addr, len, &size) < 0 || !user_range(addr, size))
    return -EINVAL;
  if (behav < MADV_NORMAL || behav > MADV_FREE)
    return -EINVAL;
  if (behav == MADV_WILLNEED)
    size = MIN(size, willneed_budget() * PAGE_SIZE);
  if (size == 0)
    return 0;
  if (map_full(map))
    return -ENOMEM;
  return -vm_mmap_to_errno(vm_map_madvise(map, addr, addr + size, behav, 0));
}

// int msync(void *addr, size_t len, int flags): write the range's dirty pages of
// shared file mappings back; MS_INVALIDATE also drops the cached pages, all but
// those another mapping maps (and none while another process maps the file:
// vnode_pager_invalidate). Private copies stay, as POSIX allows. A hole is ENOMEM.
// len 0 does nothing (DragonFly and FreeBSD sync the whole entry at addr).
long
sys_msync(void)
{
  uint64 addr = argaddr(0), len = argaddr(1), size;
  int flags = argint(2), rv;

  if (page_range(addr, len, &size) < 0)
    return -EINVAL;
  if ((flags & ~(MS_ASYNC | MS_INVALIDATE)) ||
      (flags & (MS_ASYNC | MS_INVALIDATE)) == (MS_ASYNC | MS_INVALIDATE))
    return -EINVAL;
  if (!user_range(addr, size))
    return -ENOMEM;
  if (size == 0)
    return 0;
  rv = vm_map_clean(curmap(), addr, addr + size, (flags & MS_ASYNC) == 0,
                    (flags & MS_INVALIDATE) != 0);
  switch (rv) {
  case KERN_SUCCESS:
    return 0;
  case KERN_INVALID_ADDRESS:
    return -ENOMEM;
  case KERN_INVALID_ARGUMENT:
    return -EBUSY;   // invalidating wired pages
  case KERN_FAILURE:
    return -EIO;
  default:
    return -EINVAL;
  }
}

// int mincore(const void *addr, size_t len, char *vec): vec[i] gets MINCORE_INCORE
// if page i of the range is in memory. The range must be mapped (else ENOMEM).
// The answers go out in small batches, never with the map locked: copyout may
// fault, and the fault handler takes the map lock.
long
sys_mincore(void)
{
  uint64 addr = argaddr(0), len = argaddr(1), vec = argaddr(2), size;
  vm_map_t map = curmap();
  char buf[64];

  if (page_range(addr, len, &size) < 0)
    return -EINVAL;
  if (!user_range(addr, size))
    return -ENOMEM;
  if (size == 0)
    return 0;
  if (!vm_map_check_protection(map, addr, addr + size, VM_PROT_NONE, 0))
    return -ENOMEM;
  for (uint64 done = 0; done < size / PAGE_SIZE; ) {
    uint64 n = MIN(sizeof(buf), size / PAGE_SIZE - done);
    vm_map_lock_read(map);
    for (uint64 i = 0; i < n; i++)
      buf[i] = vm_map_resident(map, addr + (done + i) * PAGE_SIZE) ? MINCORE_INCORE : 0;
    vm_map_unlock_read(map);
    if (copyout(vec + done, buf, n) < 0)
      return -EFAULT;
    done += n;
  }
  return 0;
}

// Wiring's result as an errno: EAGAIN when the pages could not be wired now (the
// system's limit, or memory), ENOMEM for a hole or an entry not wired.
static long
wire_errno(int rv)
{
  switch (rv) {
  case KERN_SUCCESS:
    return 0;
  case KERN_RESOURCE_SHORTAGE:
    return -EAGAIN;
  default:
    return -ENOMEM;
  }
}

// Wire [start, end) of map (holes_ok: skip its holes) unless the bytes wired in the
// whole map would then pass RLIMIT_MEMLOCK: 0 or a negative errno.
static long
wire_range(vm_map_t map, uint64 start, uint64 end, int holes_ok)
{
  vm_map_lock_read(map);
  uint64 wired = vm_map_user_wired(map, map->min_offset, map->max_offset);
  uint64 more = holes_ok ? map->size - wired : (end - start) - vm_map_user_wired(map, start, end);
  vm_map_unlock_read(map);
  if (wired + more > memlock_limit())
    return -ENOMEM;
  return wire_errno(vm_map_wire(map, start, end, holes_ok));
}

// int mlock(const void *addr, size_t len): wire the pages, which are faulted in
// now and never paged out until unwired. Pages wired already stay so (once).
long
sys_mlock(void)
{
  uint64 addr = argaddr(0), len = argaddr(1), size;
  vm_map_t map = curmap();

  if (page_range(addr, len, &size) < 0 || !user_range(addr, size))
    return -EINVAL;
  if (size == 0)
    return 0;
  if (map_full(map))
    return -ENOMEM;
  return wire_range(map, addr, addr + size, 0);
}

// int munlock(const void *addr, size_t len): unwire; every page of the range must
// be wired (else ENOMEM, nothing changed).
long
sys_munlock(void)
{
  uint64 addr = argaddr(0), len = argaddr(1), size;
  vm_map_t map = curmap();

  if (page_range(addr, len, &size) < 0 || !user_range(addr, size))
    return -EINVAL;
  if (size == 0)
    return 0;
  if (map_full(map))
    return -ENOMEM;
  return wire_errno(vm_map_unwire(map, addr, addr + size, 0));
}

// int mlockall(int flags): MCL_CURRENT wires every mapping now; MCL_FUTURE every
// later one too (mmap, sbrk, a stack's growth). On failure nothing changes.
long
sys_mlockall(void)
{
  int flags = argint(0);
  vm_map_t map = curmap();
  long r;

  if (flags == 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE)))
    return -EINVAL;
  if ((flags & MCL_CURRENT) &&
      (r = wire_range(map, map->min_offset, map->max_offset, 1)) < 0)
    return r;
  if (flags & MCL_FUTURE) {
    vm_map_lock(map);
    map->flags |= MAP_WIREFUTURE;
    vm_map_unlock(map);
  }
  return 0;
}

// int munlockall(void): unwire everything, and wire no later mapping.
long
sys_munlockall(void)
{
  vm_map_t map = curmap();

  vm_map_lock(map);
  map->flags &= ~MAP_WIREFUTURE;
  vm_map_unlock(map);
  return wire_errno(vm_map_unwire(map, map->min_offset, map->max_offset, 1));
}
