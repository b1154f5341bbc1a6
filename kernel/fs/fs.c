// File system implementation, in layers from the bottom:
//   blocks:      allocating and freeing raw disk blocks (the bitmap);
//   inodes:      allocating, reading, writing and freeing files' metadata and data;
//   directories: inodes of type T_DIR whose data is a list of struct dirent;
//   names:       paths such as /usr/rtm/xv6/fs.c, looked up one element at a time.
// The buffer cache (bio.c) sits below, and the log (log.c) makes multi-block
// updates atomic: every function here that writes the disk must be called inside
// a begin_op()/end_op() transaction.

#include <sys/types.h>
#include <sys/stat.h>
#include "kern/systm.h"
#include "kern/param.h"
#include "kern/spinlock.h"
#include "kern/sleeplock.h"
#include "kern/proc.h"
#include "fs/fs.h"
#include "fs/buf.h"
#include "fs/file.h"
#include "fs/fsdefs.h"

// There is one file system per disk; the kernel uses only ROOTDEV's.
static struct superblock sb;

static void
readsb(int dev, struct superblock *sbp)
{
  struct buf *b = bread(dev, 1);
  memmove(sbp, b->data, sizeof(*sbp));
  brelse(b);
}

// Mount the file system on dev. Runs in process context, because reading the
// disk sleeps.
void
fsinit(int dev)
{
  readsb(dev, &sb);
  if (sb.magic != FSMAGIC)
    panic("fsinit: bad superblock magic %#x on disk %d (want %#x): not a vmlab fs.img?",
          sb.magic, dev, FSMAGIC);
  initlog(dev, &sb);
}

// ---------------------------------------------------------------- blocks

static void
bzero(int dev, uint bno)
{
  struct buf *b = bclear(dev, bno);
  log_write(b);
  brelse(b);
}

// Allocate a zeroed disk block. Returns its number, or 0 if the disk is full.
static uint
balloc(uint dev)
{
  uint base, bi;

  for (base = 0; base < sb.size; base += BPB) {
    struct buf *b = bread(dev, BBLOCK(base, sb));
    for (bi = 0; bi < BPB && base + bi < sb.size; bi++) {
      uchar mask = 1 << (bi % 8);
      if ((b->data[bi / 8] & mask) == 0) {
        b->data[bi / 8] |= mask;
        log_write(b);
        brelse(b);
        bzero(dev, base + bi);
        return base + bi;
      }
    }
    brelse(b);
  }
  return 0;
}

static void
bfree(int dev, uint bno)
{
  struct buf *b = bread(dev, BBLOCK(bno, sb));
  uint bi = bno % BPB;
  uchar mask = 1 << (bi % 8);

  if ((b->data[bi / 8] & mask) == 0)
    panic("bfree: block %u is already free", bno);
  b->data[bi / 8] &= ~mask;
  log_write(b);
  brelse(b);
}

// ---------------------------------------------------------------- inodes
//
// The inode table holds the inodes in use by the kernel, so that there is one copy
// of each and its sleep lock serializes access to it.
//
// An entry's life:
//   iget() finds or claims an entry and takes a reference (ip->ref); idup() and
//   iput() add and drop references; the entry is free when ref reaches 0.
//   ilock() reads the dinode into the entry if it is not valid yet, and locks it;
//   the cached fields may be read or changed only while it is locked.
//   iupdate() writes a changed entry back to disk (inside a transaction).
//   An inode with nlink 0 is freed on disk when its last reference is dropped.
//
// Holding a reference without the lock (e.g. a process's cwd) keeps the inode in
// the table and on disk, and is how long-lived pointers avoid deadlock in lookups.

static struct {
  struct spinlock lock;
  struct inode inode[NINODE];
} itable;

void
iinit(void)
{
  int i;

  initlock(&itable.lock, "itable");
  for (i = 0; i < NINODE; i++)
    initsleeplock(&itable.inode[i].lock, "inode");
}

// Return the in-core entry for inode inum on dev, referenced but neither locked nor
// necessarily read from disk.
static struct inode *
iget(uint dev, uint inum)
{
  struct inode *ip, *empty = 0;

  acquire(&itable.lock);
  for (ip = itable.inode; ip < itable.inode + NINODE; ip++) {
    if (ip->ref > 0 && ip->dev == dev && ip->inum == inum) {
      ip->ref++;
      release(&itable.lock);
      return ip;
    }
    if (empty == 0 && ip->ref == 0)
      empty = ip;
  }
  if (empty == 0)
    panic("iget: no free entries in the inode table (NINODE %d)", NINODE);

  ip = empty;
  ip->dev = dev;
  ip->inum = inum;
  ip->ref = 1;
  ip->valid = 0;
  release(&itable.lock);
  return ip;
}

// Allocate a free inode on dev and mark it with type. Returns it referenced and
// unlocked, or 0 if there are no free inodes.
struct inode *
ialloc(uint dev, short type)
{
  uint inum;

  for (inum = 1; inum < sb.ninodes; inum++) {
    struct buf *b = bread(dev, IBLOCK(inum, sb));
    struct dinode *dip = (struct dinode *)b->data + inum % IPB;
    if (dip->type == 0) {
      memset(dip, 0, sizeof(*dip));
      dip->type = type;
      log_write(b);   // claimed on disk
      brelse(b);
      return iget(dev, inum);
    }
    brelse(b);
  }
  return 0;
}

// Write ip's cached fields to its dinode. Call after every change to a field that
// lives on disk, inside a transaction, with ip locked.
void
iupdate(struct inode *ip)
{
  struct buf *b = bread(ip->dev, IBLOCK(ip->inum, sb));
  struct dinode *dip = (struct dinode *)b->data + ip->inum % IPB;

  dip->type = ip->type;
  dip->major = ip->major;
  dip->minor = ip->minor;
  dip->nlink = ip->nlink;
  dip->size = ip->size;
  memmove(dip->addrs, ip->addrs, sizeof(ip->addrs));
  log_write(b);
  brelse(b);
}

// Take another reference to ip, for the idiom ip = idup(ip1).
struct inode *
idup(struct inode *ip)
{
  acquire(&itable.lock);
  ip->ref++;
  release(&itable.lock);
  return ip;
}

// Lock ip, reading it from disk if needed.
void
ilock(struct inode *ip)
{
  KASSERT(ip != 0 && ip->ref >= 1, "ilock of an unreferenced inode");
  acquiresleep(&ip->lock);
  if (ip->valid)
    return;

  struct buf *b = bread(ip->dev, IBLOCK(ip->inum, sb));
  struct dinode *dip = (struct dinode *)b->data + ip->inum % IPB;
  ip->type = dip->type;
  ip->major = dip->major;
  ip->minor = dip->minor;
  ip->nlink = dip->nlink;
  ip->size = dip->size;
  memmove(ip->addrs, dip->addrs, sizeof(ip->addrs));
  brelse(b);
  ip->valid = 1;
  if (ip->type == 0)
    panic("ilock: inode %u on disk %u is free", ip->inum, ip->dev);
}

// Lock ip only if no one holds it and it is in memory already: 1, or 0.
int
ilock_nowait(struct inode *ip)
{
  KASSERT(ip != 0 && ip->ref >= 1, "ilock_nowait of an unreferenced inode");
  if (!tryacquiresleep(&ip->lock))
    return 0;
  if (ip->valid)
    return 1;
  releasesleep(&ip->lock);
  return 0;
}

void
iunlock(struct inode *ip)
{
  KASSERT(ip != 0 && holdingsleep(&ip->lock) && ip->ref >= 1, "iunlock of an unlocked inode");
  releasesleep(&ip->lock);
}

// Drop a reference. If it was the last one and no directory names the inode any
// more, free the inode and its data on disk. Must be inside a transaction, since it
// may write the disk.
void
iput(struct inode *ip)
{
  acquire(&itable.lock);
  if (ip->ref == 1 && ip->valid && ip->nlink == 0) {
    // Why taking the sleep lock here cannot block: ref is 1, so nobody else has
    // the inode, let alone holds it locked. And with nlink 0 no directory lookup
    // can find it and take a new reference while the table lock is dropped.
    acquiresleep(&ip->lock);
    release(&itable.lock);

    itrunc(ip);
    ip->type = 0;
    iupdate(ip);
    ip->valid = 0;

    releasesleep(&ip->lock);
    acquire(&itable.lock);
  }
  ip->ref--;
  release(&itable.lock);
}

void
iunlockput(struct inode *ip)
{
  iunlock(ip);
  iput(ip);
}

// ---------------------------------------------------------------- file blocks

// Return ip->addrs[i], allocating a block for it if it has none (0: disk full).
// The caller writes the inode back (writei does).
static uint
inode_slot(struct inode *ip, int i)
{
  if (ip->addrs[i] == 0)
    ip->addrs[i] = balloc(ip->dev);
  return ip->addrs[i];
}

// Return entry i of indirect block ind, allocating a block for it if it has none
// (0: disk full).
static uint
indirect_slot(struct inode *ip, uint ind, uint i)
{
  struct buf *b = bread(ip->dev, ind);
  uint *a = (uint *)b->data;
  uint addr = a[i];

  if (addr == 0) {
    addr = balloc(ip->dev);
    if (addr != 0) {
      a[i] = addr;
      log_write(b);
    }
  }
  brelse(b);
  return addr;
}

// Return the disk address of block bn of the file, allocating it (and the indirect
// blocks leading to it) if needed. Returns 0 if the disk is full.
static uint
bmap(struct inode *ip, uint bn)
{
  uint ind;

  if (bn < NDIRECT)
    return inode_slot(ip, bn);
  bn -= NDIRECT;

  if (bn < NINDIRECT) {
    if ((ind = inode_slot(ip, IND_SLOT)) == 0)
      return 0;
    return indirect_slot(ip, ind, bn);
  }
  bn -= NINDIRECT;

  KASSERT(bn < NDINDIRECT, "bmap: block beyond MAXFILE");
  if ((ind = inode_slot(ip, DIND_SLOT)) == 0)
    return 0;
  if ((ind = indirect_slot(ip, ind, bn / NINDIRECT)) == 0)
    return 0;
  return indirect_slot(ip, ind, bn % NINDIRECT);
}

// Free indirect block ind and, depth levels below it, the blocks it points to.
static void
free_indirect(struct inode *ip, uint ind, int depth)
{
  struct buf *b = bread(ip->dev, ind);
  uint *a = (uint *)b->data;
  uint i;

  for (i = 0; i < NINDIRECT; i++) {
    if (a[i] == 0)
      continue;
    if (depth > 1)
      free_indirect(ip, a[i], depth - 1);
    else
      bfree(ip->dev, a[i]);
  }
  brelse(b);
  bfree(ip->dev, ind);
}

// Discard the file's contents: free every data and indirect block, size 0.
// ip locked, inside a transaction.
void
itrunc(struct inode *ip)
{
  int i;

  for (i = 0; i < NDIRECT; i++) {
    if (ip->addrs[i]) {
      bfree(ip->dev, ip->addrs[i]);
      ip->addrs[i] = 0;
    }
  }
  if (ip->addrs[IND_SLOT]) {
    free_indirect(ip, ip->addrs[IND_SLOT], 1);
    ip->addrs[IND_SLOT] = 0;
  }
  if (ip->addrs[DIND_SLOT]) {
    free_indirect(ip, ip->addrs[DIND_SLOT], 2);
    ip->addrs[DIND_SLOT] = 0;
  }
  ip->size = 0;
  ip->i_gen++;
  iupdate(ip);
}

// Fill in st from ip (locked).
void
stati(struct inode *ip, struct stat *st)
{
  st->dev = ip->dev;
  st->ino = ip->inum;
  st->type = ip->type;
  st->nlink = ip->nlink;
  st->size = ip->size;
}

int
inode_is_dir(struct inode *ip)
{
  return ip->type == T_DIR;
}

uint
inode_gen(struct inode *ip)
{
  return ip->i_gen;
}

uint
inode_size(struct inode *ip)
{
  return ip->size;
}

int
inode_text_begin(struct inode *ip)
{
  if (ip->i_writecount > 0)
    return -ETXTBSY;
  __atomic_add_fetch(&ip->i_textcount, 1, __ATOMIC_RELAXED);
  return 0;
}

void
inode_text_ref(struct inode *ip)
{
  __atomic_add_fetch(&ip->i_textcount, 1, __ATOMIC_RELAXED);
}

void
inode_text_end(struct inode *ip)
{
  __atomic_sub_fetch(&ip->i_textcount, 1, __ATOMIC_RELAXED);
}

// Read up to n bytes at offset off of ip (locked) to dst, a user address if
// user_dst, else a kernel one. Returns the bytes read (short at end of file),
// or -EFAULT.
int
readi(struct inode *ip, int user_dst, uint64 dst, uint off, uint n)
{
  uint tot, m;

  if (off > ip->size || off + n < off)
    return 0;
  if (off + n > ip->size)
    n = ip->size - off;

  for (tot = 0; tot < n; tot += m, off += m, dst += m) {
    uint addr = bmap(ip, off / BSIZE);
    if (addr == 0)
      break;
    struct buf *b = bread(ip->dev, addr);
    m = MIN(n - tot, BSIZE - off % BSIZE);
    if (either_copyout(user_dst, dst, b->data + off % BSIZE, m) < 0) {
      brelse(b);
      return -EFAULT;
    }
    brelse(b);
  }
  return tot;
}

// Write n bytes from src (a user address if user_src) to ip (locked) at offset off,
// growing the file if needed; inside a transaction. Returns the bytes written,
// which is short if the disk fills up or a source byte cannot be read; if none could
// be written, returns -ENOSPC, -EFAULT, or -EFBIG (at the maximum file size).
// The caller must keep a transaction within MAXOPBLOCKS (see filewrite).
int
writei(struct inode *ip, int user_src, uint64 src, uint off, uint n)
{
  uint tot, m;
  int err = -ENOSPC;
  const uint maxbytes = MAXFILE * BSIZE;

  // Why off == size is allowed but not beyond: files have no holes.
  if (off > ip->size || off + n < off)
    return -EINVAL;
  if (n == 0)
    return 0;
  if (off >= maxbytes)
    return -EFBIG;
  n = MIN(n, maxbytes - off);

  for (tot = 0; tot < n; tot += m, off += m, src += m) {
    uint addr = bmap(ip, off / BSIZE);
    if (addr == 0)
      break;
    struct buf *b = bread(ip->dev, addr);
    m = MIN(n - tot, BSIZE - off % BSIZE);
    if (either_copyin(b->data + off % BSIZE, user_src, src, m) < 0) {
      brelse(b);
      err = -EFAULT;
      break;
    }
    log_write(b);
    brelse(b);
  }

  if (off > ip->size)
    ip->size = off;
  ip->i_gen++;
  // Written even if the size is unchanged: bmap may have added blocks to addrs[].
  iupdate(ip);
  return tot > 0 ? (int)tot : err;
}

// ---------------------------------------------------------------- directories

int
namecmp(const char *s, const char *t)
{
  return strncmp(s, t, DIRSIZ);
}

// Directories are read a chunk of entries at a time. A readi per entry (a
// buffer-cache lookup and its sleep lock each) made a lookup in the root directory
// cost 4.5 ms under QEMU on RISC-V, and every exec and open pays for one.
#define DIRCHUNK 16

// Does de match what dirfind looks for?
static int
dirmatch(struct dirent *de, enum dirwant want, char *name)
{
  switch (want) {
  case DIR_NAMED:
    return de->inum != 0 && namecmp(name, de->name) == 0;
  case DIR_FREE:
    return de->inum == 0;
  case DIR_USED:
    break;
  }
  return de->inum != 0;
}

// The offset of the first entry at or after off (a multiple of the entry size) of
// directory dp (locked) that is what want says (DIR_NAMED: the entry for name;
// DIR_FREE: a free slot; DIR_USED: any entry), with *de set to that entry; dp->size
// if there is none.
uint
dirfind(struct inode *dp, uint off, enum dirwant want, char *name, struct dirent *de)
{
  struct dirent chunk[DIRCHUNK];

  for (; off < dp->size; off += sizeof(chunk)) {
    uint n = MIN(sizeof(chunk), dp->size - off);
    if (readi(dp, 0, (uint64)chunk, off, n) != (int)n)
      panic("dirfind: short read of directory inode %u at %u", dp->inum, off);
    for (uint i = 0; i < n / sizeof(chunk[0]); i++) {
      if (dirmatch(&chunk[i], want, name)) {
        *de = chunk[i];
        return off + i * sizeof(chunk[0]);
      }
    }
  }
  return dp->size;
}

// Look for name in directory dp (locked). If found, return its inode, referenced
// but unlocked, and set *poff (if poff) to the entry's byte offset. Else return 0.
struct inode *
dirlookup(struct inode *dp, char *name, uint *poff)
{
  struct dirent de;
  uint off;

  KASSERT(dp->type == T_DIR, "dirlookup in a non-directory (inode %u, type %d)", dp->inum,
          dp->type);
  if ((off = dirfind(dp, 0, DIR_NAMED, name, &de)) == dp->size)
    return 0;
  if (poff)
    *poff = off;
  return iget(dp->dev, de.inum);
}

// Add the entry (name, inum) to directory dp (locked), in the first free slot or at
// the end. Returns 0, -EEXIST if name is already there, or -ENOSPC.
int
dirlink(struct inode *dp, char *name, uint inum)
{
  struct inode *ip;
  struct dirent de;
  uint off;

  if ((ip = dirlookup(dp, name, 0)) != 0) {
    iput(ip);
    return -EEXIST;
  }
  off = dirfind(dp, 0, DIR_FREE, 0, &de);

  // Why strncpy: it pads with NULs, and a name of exactly DIRSIZ needs no NUL.
  memset(&de, 0, sizeof(de));
  strncpy(de.name, name, DIRSIZ);
  de.inum = inum;
  if (writei(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
    return -ENOSPC;
  return 0;
}

// ---------------------------------------------------------------- path names

// Copy the first element of path into name and return what follows it, with the
// slashes between skipped; return 0 if path has no element. An element longer
// than DIRSIZ is cut to DIRSIZ bytes (xv6 programs rely on that).
//   skipelem("a/bb/c", name) = "bb/c", name = "a"
//   skipelem("///a//bb", name) = "bb", name = "a"
//   skipelem("a", name) = "", name = "a"
//   skipelem("", name) = skipelem("////", name) = 0
static char *
skipelem(char *path, char *name)
{
  char *start;
  int len;

  while (*path == '/')
    path++;
  if (*path == 0)
    return 0;
  start = path;
  while (*path != '/' && *path != 0)
    path++;
  len = path - start;
  if (len >= DIRSIZ) {
    memmove(name, start, DIRSIZ);
  } else {
    memmove(name, start, len);
    name[len] = 0;
  }
  while (*path == '/')
    path++;
  return path;
}

// Look up path; with parent set, stop one element early, return that directory and
// copy the last element into name (DIRSIZ bytes). Returns an unlocked, referenced
// inode, or 0 with *err set to -ENOENT (an element is missing), -ENOTDIR (an element
// before the last is not a directory), or -EINVAL (parent wanted, but path has no
// last element, e.g. "/"), -ENOENT for the empty path. Inside a transaction, since it may iput.
static struct inode *
namex(char *path, int parent, char *name, int *err)
{
  struct inode *ip, *next;

  // POSIX: the empty path names no file (xv6 took it for the current directory).
  if (*path == 0) {
    *err = -ENOENT;
    return 0;
  }
  if (*path == '/')
    ip = iget(ROOTDEV, ROOTINO);
  else
    ip = idup(myproc()->cwd);

  while ((path = skipelem(path, name)) != 0) {
    ilock(ip);
    if (ip->type != T_DIR) {
      iunlockput(ip);
      *err = -ENOTDIR;
      return 0;
    }
    if (parent && *path == 0) {
      iunlock(ip);   // the last element: stop here
      return ip;
    }
    if ((next = dirlookup(ip, name, 0)) == 0) {
      iunlockput(ip);
      *err = -ENOENT;
      return 0;
    }
    // Why unlock before moving on: for "." next == ip, and locking next while
    // holding ip would deadlock.
    iunlockput(ip);
    ip = next;
  }
  if (parent) {
    iput(ip);
    *err = -EINVAL;
    return 0;
  }
  return ip;
}

struct inode *
namei_err(char *path, int *err)
{
  char name[DIRSIZ];
  return namex(path, 0, name, err);
}

struct inode *
nameiparent_err(char *path, char *name, int *err)
{
  return namex(path, 1, name, err);
}

struct inode *
namei(char *path)
{
  int err;
  return namei_err(path, &err);
}

struct inode *
nameiparent(char *path, char *name)
{
  int err;
  return nameiparent_err(path, name, &err);
}
