// The vnode pager: VM objects whose pages come from a file (OBJT_VNODE). Every
// mapping of a file shares the one object that hangs off its in-core inode, so
// that MAP_SHARED writers and readers see the same pages.
//
// Pages written through a mapping are marked PG_DIRTY (vm_fault maps a vnode page
// read-only until the first write, to notice it) and written back by msync(), by
// read() of the file, when the last mapping goes away, and by the pageout daemon
// under memory pressure (vnode_pager_putpage_nowait), which then frees them.
// write() puts the bytes it wrote into the resident pages too
// (vnode_pager_written). msync(MS_INVALIDATE) frees pages of a live object
// (vnode_pager_invalidate).
//
// The object's size follows the file's, in pages: it grows with write() and
// shrinks with truncation. A fault on a page wholly past the end of the file
// fails (the process is killed: POSIX's SIGBUS). A truncation zeroes what resident
// pages hold past the new end but leaves them mapped: those keep reading zeros,
// until the file grows back over them, and the pages are freed with the object.
//
// Lock order: the inode's sleep lock, then the object lock. A page is read in, and
// write() and truncation change resident pages, with the inode locked, so that
// each sees the other's work whole. A dirty page is written back, and leaves its
// object, only with the inode locked: so whoever holds that lock may write a dirty
// page from memory with the object lock dropped, and no page of the file is busy.
// (A clean page that no page table maps may be freed by the daemon under the
// object lock alone.)
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
#include "vm/pmap_pv.h"

// The referenced object of ip, made on the first mapping. It holds a reference
// to the inode until it dies. ip unlocked: an object of ip that is dying (its last
// reference went) is still hooked to ip while it writes its pages back, and must
// not come back to life; a fresh one replaces it only once it is gone, which takes
// the inode lock. (Before, a write() between the two merged its bytes into the fresh
// object's pages and the disk, and the dying object's older page landed over them.)
struct vm_object *
vnode_pager_alloc(struct inode *ip)
{
  struct vm_object *object, *fresh = 0;

  for (;;) {
    vm_object_lock();
    if ((object = ip->i_object) != 0 && object->ref_count == 0) {
      vm_object_sleep(ip);    // vnode_pager_dealloc wakes it
      vm_object_unlock();
      continue;
    }
    if (object) {
      object->ref_count++;
      object->flags &= ~OBJ_ONEMAPPING;
      vm_object_unlock();
      // Someone else made one meanwhile: ours never became the file's.
      vm_object_deallocate(fresh);
      return object;
    }
    if (fresh) {
      fresh->type = OBJT_VNODE;
      fresh->handle = ip;
      // Under the object lock, which vnode_pager_written() and _truncated() take
      // after the size changes: a change either sees this object or is seen here.
      fresh->size = atop(round_page((uint64)ip->size));
      ip->i_object = fresh;
      vm_object_unlock();
      // Only the winner takes the file. The object cannot die before the caller
      // lets go of it, so its iput cannot come before this.
      idup(ip);
      return fresh;
    }
    vm_object_unlock();
    // Allocate outside the lock, then check again. The object is anonymous until it
    // is the file's: one that loses the race holds nothing of the file, and just goes.
    fresh = vm_object_allocate(OBJT_DEFAULT, 0);
    if (fresh == 0)
      return 0;
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
  wakeup(ip);             // a vnode_pager_alloc waiting for it to go
  vm_object_unlock();
  begin_op();
  iput(ip);
  end_op();
}

// Read page pindex of the file into a new page of object, and return it; or 0 with
// *error KERN_FAILURE (beyond the end of the file) or KERN_RESOURCE_SHORTAGE.
// Called without the object lock (it sleeps on the disk); if another fault brought
// the page in meanwhile, that one is returned. The page goes into the object before
// the inode is unlocked: a write() or truncation comes wholly before the read, or
// finds the page resident.
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
  // The part of the page past the end of the file stays zero.
  uint n = off < ip->size ? MIN(PAGE_SIZE, ip->size - off) : 0;
  if (n == 0 || readi(ip, 0, (uint64)VM_PAGE_TO_KVA(m), off, n) != (int)n) {
    iunlock(ip);
    vm_page_free(m);
    *error = KERN_FAILURE;
    return 0;
  }
  m = vm_object_page_install(object, pindex, m);
  iunlock(ip);
  return m;
}

// Write m, a page of ip's object, to the file, not past its end. ip locked, in a
// transaction; objlock not held: m stays in its object meanwhile, being dirty or
// busy (see above).
static void
writeback(struct inode *ip, vm_page_t m)
{
  uint64 off = ptoa(m->pindex);

  if (off < ip->size)
    writei(ip, 0, (uint64)VM_PAGE_TO_KVA(m), off, MIN(PAGE_SIZE, ip->size - off));
}

// The page of object at pindex, if it is dirty; else 0. objlock held.
static vm_page_t
dirty_page(struct vm_object *object, vm_pindex_t pindex)
{
  vm_page_t m = vm_page_lookup(object, pindex);

  if (m && (m->flags & PG_BUSY))
    panic("vnode_pager: page %ld of object %d busy with its inode locked", pindex, object->id);
  return m && (m->flags & PG_DIRTY) ? m : 0;
}

// Write object's page pindex back if it is dirty, in a transaction of its own (a
// page is four blocks, well inside the log). It stays dirty: a page table may map
// it writable still. free (msync's MS_INVALIDATE): unless a page table maps it or
// it is wired, free it once written, and keep it busy meanwhile, so that no fault
// maps it. Called unlocked; sleeps on the disk.
static void
putpage(struct vm_object *object, vm_pindex_t pindex, int free)
{
  struct inode *ip = object->handle;
  vm_page_t m;

  begin_op();
  ilock(ip);
  vm_object_lock();
  m = dirty_page(object, pindex);
  free = free && m && m->wire_count == 0 && pmap_pv_count(m) == 0;
  if (free)
    vm_page_io_start(m);
  vm_object_unlock();
  if (m)
    writeback(ip, m);
  if (free) {
    vm_object_lock();
    if (vm_page_io_finish(m) == 0) {
      vm_page_remove(m);
      vm_page_free(m);
    }
    vm_object_unlock();
  }
  iunlock(ip);
  end_op();
}

// Write back the dirty pages of object in [start, end). The caller holds a
// reference.
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
    vm_object_unlock();
    if (dirty)
      putpage(object, pi, 0);   // (looked up again, with the inode locked)
  }
}

static uint64 pageouts;   // pages the daemon wrote back: objlock

uint64 vnode_pager_pageouts(void) { return pageouts; }

// The pageout daemon: write m, a dirty page of a file that no page table maps, back
// and free it: 0; or -1 with nothing done, when that would wait, for the inode or
// for room in the log: their holders may be waiting for memory. m is busy
// meanwhile, so that no fault maps it: a store through such a mapping would be
// lost when m is freed. objlock held, dropped meanwhile.
int
vnode_pager_putpage_nowait(vm_page_t m)
{
  struct vm_object *object = m->object;
  struct inode *ip = object->handle;

  // A dying object writes its pages back itself.
  if (object->ref_count == 0 || ip == 0 || !ilock_nowait(ip))
    return -1;
  if (!begin_op_nowait()) {
    iunlock(ip);
    return -1;
  }
  // Our own reference to the inode: the object may die during the write.
  idup(ip);
  vm_page_io_start(m);
  vm_object_unlock();
  writeback(ip, m);
  vm_object_lock();
  // (Orphaned, by the object's death meanwhile: freed by vm_page_io_finish.)
  if (vm_page_io_finish(m) == 0) {
    vm_page_remove(m);
    vm_page_free(m);
  }
  pageouts++;
  vm_object_unlock();
  iunlock(ip);
  iput(ip);
  end_op();
  vm_object_lock();
  return 0;
}

// msync(MS_INVALIDATE): free the resident pages of object in [start, end) that no
// page table maps and nothing wires, writing dirty ones back first. The caller
// holds refs of the object's references, with its map locked exclusively and the
// range taken out of its page table. Only while those are all the references: a
// process with another could be between finding a page in a fault and mapping it.
// Called unlocked; sleeps on the disk.
void
vnode_pager_invalidate(struct vm_object *object, vm_pindex_t start, vm_pindex_t end,
                       int refs)
{
  vm_object_lock();
  vm_page_t m = vm_page_find_least(object, start);
  while (m && m->pindex < end && object->ref_count == refs) {
    vm_pindex_t pi = m->pindex;
    if (m->wire_count || (m->flags & PG_BUSY) || pmap_pv_count(m) > 0) {
      m = vm_page_next(m);
    } else if (m->flags & PG_DIRTY) {
      vm_object_unlock();
      putpage(object, pi, 1);
      vm_object_lock();
      m = vm_page_find_least(object, pi + 1);
    } else {
      vm_page_t next = vm_page_next(m);
      vm_page_remove(m);
      vm_page_free(m);
      m = next;
    }
  }
  vm_object_unlock();
}

// read() is about to read ip: let it see what mappings wrote. Called unlocked.
void
vnode_pager_read_sync(struct inode *ip)
{
  struct vm_object *object;

  vm_object_lock();
  object = ip->i_object;
  // (A dying object writes its pages back itself, and must not come back to life.)
  if (object && object->ref_count > 0)
    object->ref_count++;
  else
    object = 0;
  vm_object_unlock();
  if (object) {
    vnode_pager_putpages(object, 0, object->size);
    vm_object_deallocate(object);
  }
}

// The resident page of ip's object at pindex, or 0. Object lock held: the page stays
// as long as it is (pages are freed under it).
static vm_page_t
resident_page(struct inode *ip, vm_pindex_t pindex)
{
  return ip->i_object ? vm_page_lookup(ip->i_object, pindex) : 0;
}

// How many bytes of a write() go into a resident page at a time: they pass through
// the kernel stack, since a page may be changed only under the object lock, which
// must not be held across readi's sleep.
#define MERGE_CHUNK 256

// write() just put [off, off+n) of ip (locked) on disk: grow the object with the
// file, and put those bytes into the resident pages. Only those: the rest of a
// page may hold stores through a mapping that are not written back yet.
// Being under the inode lock, this cannot interleave with a putpage() of the same
// page, which would write the page's old bytes over the new ones on disk.
void
vnode_pager_written(struct inode *ip, uint off, uint n)
{
  char buf[MERGE_CHUNK];

  vm_object_lock();
  if (ip->i_object == 0) {
    vm_object_unlock();
    return;
  }
  ip->i_object->size = MAX(ip->i_object->size, atop(round_page((uint64)ip->size)));
  vm_object_unlock();
  for (uint end = off + n; off < end; ) {
    uint len = MIN(end - off, PAGE_SIZE - off % PAGE_SIZE);
    vm_object_lock();
    int resident = resident_page(ip, atop(off)) != 0;
    vm_object_unlock();
    if (resident) {
      len = MIN(len, MERGE_CHUNK);
      if (readi(ip, 0, (uint64)buf, off, len) != (int)len)
        return;   // (cannot happen: the bytes were just written)
      vm_object_lock();
      vm_page_t m = resident_page(ip, atop(off));
      if (m)
        memmove((char *)VM_PAGE_TO_KVA(m) + off % PAGE_SIZE, buf, len);
      vm_object_unlock();
    }
    off += len;
  }
}

// ip (locked) was truncated: shrink its object, and zero what resident pages hold
// past the new end of the file (a mapping that still maps them reads zeros, as it
// would from a page read in now). Dirty pages stay dirty: a mapping may already
// have them writable, and later stores must still be written back if the file
// grows back over them.
void
vnode_pager_truncated(struct inode *ip)
{
  struct vm_object *object;
  uint64 size = ip->size;

  vm_object_lock();
  if ((object = ip->i_object) != 0) {
    for (struct rb_node *n = rb_first(&object->rb_memq); n; n = rb_next(n)) {
      vm_page_t m = rb_entry(n, struct vm_page, rb);
      uint64 poff = ptoa(m->pindex);
      if (poff + PAGE_SIZE <= size)
        continue;
      uint64 from = size > poff ? size - poff : 0;
      memset((char *)VM_PAGE_TO_KVA(m) + from, 0, PAGE_SIZE - from);
    }
    object->size = atop(round_page(size));
  }
  vm_object_unlock();
}
