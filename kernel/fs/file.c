// Open files: the system-wide file table, and reading and writing through a file
// whatever lies beneath it (an inode, a device, or a pipe).

#include <sys/types.h>
#include <sys/stat.h>
#include "kern/systm.h"
#include "kern/param.h"
#include "kern/spinlock.h"
#include "kern/proc.h"
#include "fs/fs.h"
#include "fs/file.h"
#include "fs/fsdefs.h"
#include "vm/vm.h"
#include "vm/vm_object.h"

struct devsw devsw[NDEV];   // filled in by the drivers' init functions

static struct {
  struct spinlock lock;
  struct file file[NFILE];
} ftable;

void
fileinit(void)
{
  initlock(&ftable.lock, "ftable");
}

// Allocate a file structure with one reference, or return 0 if the table is full.
struct file *
filealloc(void)
{
  struct file *f;

  acquire(&ftable.lock);
  for (f = ftable.file; f < ftable.file + NFILE; f++) {
    if (f->ref == 0) {
      f->ref = 1;
      release(&ftable.lock);
      return f;
    }
  }
  release(&ftable.lock);
  return 0;
}

struct file *
filedup(struct file *f)
{
  acquire(&ftable.lock);
  KASSERT(f->ref >= 1, "filedup of a closed file");
  f->ref++;
  release(&ftable.lock);
  return f;
}

// Drop a reference to f; on the last, release what lies beneath it.
void
fileclose(struct file *f)
{
  struct file ff;

  acquire(&ftable.lock);
  KASSERT(f->ref >= 1, "fileclose of a closed file");
  if (--f->ref > 0) {
    release(&ftable.lock);
    return;
  }
  // Why copy and free the slot first: closing the pipe or inode may sleep, which
  // must not happen while holding the spin lock.
  ff = *f;
  f->ref = 0;
  f->type = FD_NONE;
  release(&ftable.lock);

  if (ff.type == FD_PIPE) {
    pipeclose(ff.pipe, ff.writable);
  } else if (ff.type == FD_INODE || ff.type == FD_DEVICE) {
    if (ff.writable && ff.type == FD_INODE)
      __atomic_sub_fetch(&ff.ip->i_writecount, 1, __ATOMIC_RELAXED);
    begin_op();   // iput may free the inode on disk
    iput(ff.ip);
    end_op();
  }
}

// Copy f's metadata to the struct stat at user address addr. Returns 0 or -errno.
int
filestat(struct file *f, uint64 addr)
{
  struct stat st;

  if (f->type != FD_INODE && f->type != FD_DEVICE)
    return -EBADF;   // a pipe has no inode to describe
  ilock(f->ip);
  stati(f->ip, &st);
  iunlock(f->ip);
  return copyout(addr, &st, sizeof(st));
}

static int
valid_major(int major)
{
  return major >= 0 && major < NDEV;
}

// Before read() of an inode: fault in the part of the user buffer that will be
// written, since a fault under the inode and buffer locks could need those very
// locks (a buffer that maps the file being read); and write back pages that
// mappings dirtied, so that read() sees them.
static int
inode_read_prepare(struct file *f, uint64 addr, int n)
{
  ilock(f->ip);
  uint avail = f->off < f->ip->size ? f->ip->size - f->off : 0;
  iunlock(f->ip);
  if (n < 0)
    return -EINVAL;
  if (vm_fault_prefault_user(addr, MIN((uint)n, avail), VM_PROT_WRITE) < 0)
    return -EFAULT;
  vnode_pager_read_sync(f->ip);
  return 0;
}

// Read up to n bytes from f to user address addr. Returns bytes read or -errno.
// A bad buffer: -EFAULT, and the file offset does not move (the buffer is faulted
// in first, so nothing is read; should it go bad meanwhile, what readi copied
// before it failed is not counted); a pipe keeps the bytes (see piperead).
int
fileread(struct file *f, uint64 addr, int n)
{
  int r;

  if (!f->readable)
    return -EBADF;

  switch (f->type) {
  case FD_PIPE:
    return piperead(f->pipe, addr, n);
  case FD_DEVICE:
    if (!valid_major(f->major) || devsw[f->major].read == 0)
      return -ENXIO;
    return devsw[f->major].read(1, addr, n);
  case FD_INODE:
    if ((r = inode_read_prepare(f, addr, n)) < 0)
      return r;
    ilock(f->ip);
    r = readi(f->ip, 1, addr, f->off, n);
    if (r > 0)
      f->off += r;
    iunlock(f->ip);
    return r;
  default:
    panic("fileread: file of type %d", f->type);
  }
}

// The most bytes written to an inode in one transaction. A write of k blocks may
// dirty, besides the k data blocks: the inode, up to three index blocks (the
// indirect block, the double-indirect block and one or two blocks below it: a range
// of k <= NINDIRECT blocks meets at most three) and up to two bitmap blocks (all its
// allocations are consecutive at best, straddle one bitmap boundary at worst).
#define WRITE_CHUNK ((MAXOPBLOCKS - 1 - 3 - 2) * BSIZE)

// Write an inode in chunks, each its own transaction, so no transaction outgrows the
// log. Why this gives up atomicity: a big write could never fit in the log anyway;
// each chunk still lands whole or not at all.
static int
inode_write(struct file *f, uint64 addr, int n)
{
  int i = 0, r = 0;

  // As for read: fault the source in before the locks, where a fault could deadlock.
  if (n > 0 && vm_fault_prefault_user(addr, n, VM_PROT_READ) < 0)
    return -EFAULT;
  while (i < n) {
    int m = MIN(n - i, WRITE_CHUNK);
    begin_op();
    ilock(f->ip);
    r = writei(f->ip, 1, addr + i, f->off, m);
    if (r > 0) {
      // Under the same lock, so that mappings never see the disk and their pages
      // disagree (see vnode_pager.c).
      vnode_pager_written(f->ip, f->off, r);
      f->off += r;
    }
    iunlock(f->ip);
    end_op();
    if (r < 0)
      break;
    i += r;
    if (r != m)
      break;   // disk full, or a bad address: report what was written
  }
  return i > 0 ? i : r;
}

// Write n bytes from user address addr to f. Returns bytes written or -errno.
// A bad buffer: -EFAULT with nothing written (the buffer is faulted in first), or,
// should it go bad meanwhile, the bytes written before it; the file offset moves
// by what is returned.
int
filewrite(struct file *f, uint64 addr, int n)
{
  if (!f->writable)
    return -EBADF;

  switch (f->type) {
  case FD_PIPE:
    return pipewrite(f->pipe, addr, n);
  case FD_DEVICE:
    if (!valid_major(f->major) || devsw[f->major].write == 0)
      return -ENXIO;
    return devsw[f->major].write(1, addr, n);
  case FD_INODE:
    return inode_write(f, addr, n);
  default:
    panic("filewrite: file of type %d", f->type);
  }
}
