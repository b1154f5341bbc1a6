// The buffer cache: NBUF in-memory copies of disk blocks.
//
// It keeps often-used blocks in memory, and it makes sure that at most one copy of
// a block exists, so that processes using the same block see each other's changes
// and take turns (each buffer has a sleep lock).
//
// Interface: bread() returns a locked buffer holding the block; change b->data and
// bwrite() it if needed; brelse() it when done, and do not touch it afterwards.

#include <sys/types.h>
#include "kern/systm.h"
#include "kern/param.h"
#include "kern/spinlock.h"
#include "kern/sleeplock.h"
#include "fs/fs.h"
#include "fs/buf.h"
#include "fs/fsdefs.h"

static struct {
  struct spinlock lock;   // protects dev, blockno, refcnt and the list links
  struct buf buf[NBUF];
  // Sentinel of a circular list of all buffers, most recently released first.
  struct buf head;
} bcache;

// Take b out of the list and put it at the front.
static void
move_to_front(struct buf *b)
{
  b->next->prev = b->prev;
  b->prev->next = b->next;
  b->next = bcache.head.next;
  b->prev = &bcache.head;
  bcache.head.next->prev = b;
  bcache.head.next = b;
}

void
binit(void)
{
  struct buf *b;

  initlock(&bcache.lock, "bcache");
  bcache.head.prev = &bcache.head;
  bcache.head.next = &bcache.head;
  for (b = bcache.buf; b < bcache.buf + NBUF; b++) {
    initsleeplock(&b->lock, "buffer");
    b->next = bcache.head.next;
    b->prev = &bcache.head;
    bcache.head.next->prev = b;
    bcache.head.next = b;
  }
}

// Find the buffer for (dev, blockno), or recycle the least recently used free one
// for it. Returns it locked and referenced; its data is valid only if b->valid.
static struct buf *
bget(uint dev, uint blockno)
{
  struct buf *b;

  acquire(&bcache.lock);
  for (b = bcache.head.next; b != &bcache.head; b = b->next) {
    if (b->dev == dev && b->blockno == blockno) {
      b->refcnt++;
      release(&bcache.lock);
      acquiresleep(&b->lock);
      return b;
    }
  }

  // Why the scan runs from the back: the tail holds the buffers released longest ago.
  // A buffer with refcnt 0 is neither used nor pinned by the log, so its contents
  // are already on disk and it may be reused.
  for (b = bcache.head.prev; b != &bcache.head; b = b->prev) {
    if (b->refcnt == 0) {
      b->dev = dev;
      b->blockno = blockno;
      b->valid = 0;
      b->refcnt = 1;
      release(&bcache.lock);
      acquiresleep(&b->lock);
      return b;
    }
  }
  panic("bget: all %d buffers in use", NBUF);
}

// Return a locked buffer holding block blockno of dev.
struct buf *
bread(uint dev, uint blockno)
{
  struct buf *b = bget(dev, blockno);

  if (!b->valid) {
    blk_rw(b, 0);
    b->valid = 1;
  }
  return b;
}

// Return a locked buffer for block blockno of dev, its data zeroed, without reading
// the block: for a block about to be overwritten whole (a block just allocated), a
// read would be a disk request for nothing.
struct buf *
bclear(uint dev, uint blockno)
{
  struct buf *b = bget(dev, blockno);

  memset(b->data, 0, BSIZE);
  b->valid = 1;
  return b;
}

// Write b's contents to disk now. The caller holds b locked.
void
bwrite(struct buf *b)
{
  KASSERT(holdingsleep(&b->lock), "bwrite of an unlocked buffer");
  blk_rw(b, 1);
}

// Give up a locked buffer from bread().
void
brelse(struct buf *b)
{
  KASSERT(holdingsleep(&b->lock), "brelse of an unlocked buffer");
  releasesleep(&b->lock);

  acquire(&bcache.lock);
  KASSERT(b->refcnt > 0, "brelse of an unreferenced buffer");
  b->refcnt--;
  if (b->refcnt == 0)
    move_to_front(b);
  release(&bcache.lock);
}

// The log holds a reference on each block of the current transaction, so that the
// buffer (with changes not yet on disk) cannot be recycled before commit.
void
bpin(struct buf *b)
{
  acquire(&bcache.lock);
  b->refcnt++;
  release(&bcache.lock);
}

void
bunpin(struct buf *b)
{
  acquire(&bcache.lock);
  KASSERT(b->refcnt > 0, "bunpin of an unreferenced buffer");
  b->refcnt--;
  release(&bcache.lock);
}
