// The vnode pager: VM objects whose pages come from a file (OBJT_VNODE). Every
// mapping of a file shares the one object that hangs off its in-core inode, so
// that MAP_SHARED writers and readers see the same pages.
//
// Pages written through a mapping are marked PG_DIRTY (vm_fault maps a vnode page
// read-only until the first write, to notice it) and written back by msync(), by
// read() of the file, and when the last mapping goes away.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/param.h"
#include "kern/sleeplock.h"
#include "fs/fs.h"
#include "fs/file.h"
#include "fs/fsdefs.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"

// The referenced object of ip, made on the first mapping. It holds a reference
// to the inode until it dies.
struct vm_object *
vnode_pager_alloc(struct inode *ip)
{
  struct vm_object *object, *fresh = 0;

  for (;;) {
    vm_object_lock();
    if ((object = ip->i_object) != 0) {
      object->ref_count++;
      object->flags &= ~OBJ_ONEMAPPING;
      vm_object_unlock();
      if (fresh) {
        // Someone else made one meanwhile: ours was never shared.
        fresh->type = OBJT_DEFAULT;
        vm_object_deallocate(fresh);
      }
      return object;
    }
    if (fresh) {
      fresh->handle = ip;
      ip->i_object = fresh;
      vm_object_unlock();
      return fresh;
    }
    vm_object_unlock();
    // Allocate outside the lock, then check again.
    fresh = vm_object_allocate(OBJT_VNODE, 0);
    if (fresh == 0)
      return 0;
    fresh->size = atop(round_page((uint64)ip->size));
    idup(ip);
  }
}

// The last reference went: unhook the object from the inode and let go of it.
void
vnode_pager_dealloc(struct vm_object *object)
{
  struct inode *ip = object->handle;

  vm_object_lock();
  if (ip->i_object == object)
    ip->i_object = 0;
  object->handle = 0;
  vm_object_unlock();
  begin_op();
  iput(ip);
  end_op();
}

// Read page pindex of the file into a new page of object, and return it; or 0 with
// *error KERN_FAILURE (beyond the end of the file) or KERN_RESOURCE_SHORTAGE.
// Called without the object lock (it sleeps on the disk); if another fault brought
// the page in meanwhile, that one is returned.
struct vm_page *
vnode_pager_getpage(struct vm_object *object, vm_pindex_t pindex, int *error)
{
  struct inode *ip = object->handle;
  uint64 off = ptoa(pindex);
  vm_page_t m;

  if ((m = vm_page_alloc()) == 0) {
    *error = KERN_RESOURCE_SHORTAGE;
    return 0;
  }
  ilock(ip);
  if (off >= ip->size) {
    iunlock(ip);
    vm_page_free(m);
    *error = KERN_FAILURE;
    return 0;
  }
  // The part of the page past the end of the file stays zero.
  uint n = MIN(PAGE_SIZE, ip->size - off);
  int r = readi(ip, 0, (uint64)VM_PAGE_TO_KVA(m), off, n);
  iunlock(ip);
  if (r != (int)n) {
    vm_page_free(m);
    *error = KERN_FAILURE;
    return 0;
  }
  return vm_object_page_install(object, pindex, m);
}

// Write one dirty page back to the file (not past its end). The page stays dirty:
// without reverse mappings we cannot write-protect every mapping of it again, so
// we cannot tell a later write from none.
static void
putpage(struct inode *ip, vm_pindex_t pindex, void *kva)
{
  uint64 off = ptoa(pindex);

  begin_op();
  ilock(ip);
  if (off < ip->size)
    writei(ip, 0, (uint64)kva, off, MIN(PAGE_SIZE, ip->size - off));
  iunlock(ip);
  end_op();
}

// Write back the dirty pages of object in [start, end). Each page gets its own
// transaction: a page is four blocks, well inside the log.
void
vnode_pager_putpages(struct vm_object *object, vm_pindex_t start, vm_pindex_t end)
{
  for (vm_pindex_t pi = start; pi < end; pi++) {
    vm_object_lock();
    if (object->resident_page_count == 0) {
      vm_object_unlock();
      return;
    }
    vm_page_t m = vm_page_lookup(object, pi);
    int dirty = m && (m->flags & PG_DIRTY);
    // A page of a live object is freed only when the object dies, and the caller
    // holds a reference: m stays valid after the unlock.
    vm_object_unlock();
    if (dirty)
      putpage(object->handle, pi, VM_PAGE_TO_KVA(m));
  }
}

// read() is about to read ip: let it see what mappings wrote. Called unlocked.
void
vnode_pager_read_sync(struct inode *ip)
{
  struct vm_object *object;

  vm_object_lock();
  object = ip->i_object;
  if (object)
    object->ref_count++;
  vm_object_unlock();
  if (object) {
    vnode_pager_putpages(object, 0, object->size);
    vm_object_deallocate(object);
  }
}

// write() just wrote [off, off+n) of ip: bring resident pages up to date, so that
// mappings see it. Called unlocked.
void
vnode_pager_written(struct inode *ip, uint off, uint n)
{
  struct vm_object *object;

  vm_object_lock();
  object = ip->i_object;
  if (object)
    object->ref_count++;
  vm_object_unlock();
  if (object == 0)
    return;
  for (vm_pindex_t pi = atop(off); n > 0 && pi <= atop(off + n - 1); pi++) {
    vm_object_lock();
    vm_page_t m = vm_page_lookup(object, pi);
    vm_object_unlock();
    if (m) {
      uint64 poff = ptoa(pi);
      ilock(ip);
      if (poff < ip->size)
        readi(ip, 0, (uint64)VM_PAGE_TO_KVA(m), poff, MIN(PAGE_SIZE, ip->size - poff));
      iunlock(ip);
    }
  }
  vm_object_deallocate(object);
}
