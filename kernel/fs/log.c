// The log: crash-safe multi-block updates.
//
// A system call that changes the file system brackets its changes with begin_op()
// and end_op(), and records each block it changes with log_write() instead of
// bwrite(). The changed blocks stay pinned in the buffer cache until the
// transaction commits. Commit copies them to the log area on disk, then writes the
// log header naming them: that single-block write is the commit point. Only then are
// the blocks written to their home locations, and the header cleared.
//
// After a crash, recovery (at boot, in initlog) replays a committed log and ignores
// an uncommitted one, so each transaction happens entirely or not at all.
//
// To commit, no system call may be in the middle of a transaction; so several
// calls' changes are committed together (group commit), once the last of the
// concurrent operations ends. begin_op() holds a new operation back while a commit
// runs, or while the log could overflow if every running operation wrote
// MAXOPBLOCKS blocks.
//
// On disk: [ header | block 1 | block 2 | ... ] starting at sb->logstart.

#include <sys/types.h>
#include "kern/systm.h"
#include "kern/param.h"
#include "kern/spinlock.h"
#include "kern/proc.h"
#include "fs/fs.h"
#include "fs/buf.h"
#include "fs/fsdefs.h"

// The header block: how many blocks the log holds, and where each one belongs.
struct logheader {
  int n;
  int block[LOGSIZE];
};

static struct {
  struct spinlock lock;
  int start;          // block number of the header
  int size;           // blocks in the log area, header included
  int outstanding;    // operations between begin_op and end_op
  int committing;     // a commit is in progress; new operations wait
  int dev;
  struct logheader lh;  // the in-memory header: blocks of the current transaction
} log;

static void recover_from_log(void);
static void commit(void);

void
initlog(int dev, struct superblock *sb)
{
  KASSERT(sizeof(struct logheader) <= BSIZE, "log header larger than a block");
  initlock(&log.lock, "log");
  log.start = sb->logstart;
  log.size = sb->nlog;
  log.dev = dev;
  recover_from_log();
}

// Copy each logged block to its home location. When recovering after a boot the
// buffers were never pinned, so there is nothing to unpin.
static void
install_trans(int recovering)
{
  int i;

  for (i = 0; i < log.lh.n; i++) {
    struct buf *from = bread(log.dev, log.start + 1 + i);
    struct buf *to = bread(log.dev, log.lh.block[i]);
    memmove(to->data, from->data, BSIZE);
    bwrite(to);
    if (!recovering)
      bunpin(to);
    brelse(from);
    brelse(to);
  }
}

static void
read_head(void)
{
  struct buf *b = bread(log.dev, log.start);
  struct logheader *lh = (struct logheader *)b->data;
  int i;

  log.lh.n = lh->n;
  for (i = 0; i < log.lh.n; i++)
    log.lh.block[i] = lh->block[i];
  brelse(b);
}

// Write the in-memory header to disk. With n > 0 this commits the transaction;
// with n == 0 it erases a transaction that has been installed.
static void
write_head(void)
{
  struct buf *b = bread(log.dev, log.start);
  struct logheader *lh = (struct logheader *)b->data;
  int i;

  lh->n = log.lh.n;
  for (i = 0; i < log.lh.n; i++)
    lh->block[i] = log.lh.block[i];
  bwrite(b);
  brelse(b);
}

static void
recover_from_log(void)
{
  read_head();
  install_trans(1);
  log.lh.n = 0;
  write_head();
}

// Start a file-system operation: wait until the log has room for its worst case.
void
begin_op(void)
{
  acquire(&log.lock);
  for (;;) {
    if (log.committing) {
      sleep(&log, &log.lock);
    } else if (log.lh.n + (log.outstanding + 1) * MAXOPBLOCKS > LOGSIZE) {
      sleep(&log, &log.lock);
    } else {
      log.outstanding++;
      release(&log.lock);
      return;
    }
  }
}

// Start an operation only if that needs no wait: 1, or 0 (a commit is under way,
// or the log is full; the operations that hold it may be waiting for memory).
int
begin_op_nowait(void)
{
  acquire(&log.lock);
  int ok = !log.committing && log.lh.n + (log.outstanding + 1) * MAXOPBLOCKS <= LOGSIZE;
  if (ok)
    log.outstanding++;
  release(&log.lock);
  return ok;
}

// End a file-system operation; the last one out commits.
void
end_op(void)
{
  int do_commit = 0;

  acquire(&log.lock);
  KASSERT(!log.committing, "end_op during a commit");
  log.outstanding--;
  if (log.outstanding == 0) {
    do_commit = 1;
    log.committing = 1;
  } else {
    // This operation's reservation is returned: an operation waiting in begin_op
    // may now fit.
    wakeup(&log);
  }
  release(&log.lock);

  // Why commit without the lock: commit sleeps on disk I/O, and no other operation
  // can start meanwhile because log.committing is set.
  if (do_commit) {
    commit();
    acquire(&log.lock);
    log.committing = 0;
    wakeup(&log);
    release(&log.lock);
  }
}

// Copy the transaction's blocks from the cache into the log area.
static void
write_log(void)
{
  int i;

  for (i = 0; i < log.lh.n; i++) {
    struct buf *to = bread(log.dev, log.start + 1 + i);
    struct buf *from = bread(log.dev, log.lh.block[i]);
    memmove(to->data, from->data, BSIZE);
    bwrite(to);
    brelse(from);
    brelse(to);
  }
}

static void
commit(void)
{
  if (log.lh.n == 0)
    return;
  write_log();
  write_head();        // the commit point
  install_trans(0);
  log.lh.n = 0;
  write_head();        // the transaction is installed: forget it
}

// Record that b (held locked by the caller, obtained with bread) has changed and
// belongs to the current transaction. Use instead of bwrite(). A block written
// twice in one transaction takes one log slot (absorption).
void
log_write(struct buf *b)
{
  int i;

  acquire(&log.lock);
  if (log.lh.n >= LOGSIZE || log.lh.n >= log.size - 1)
    panic("log_write: transaction too big");
  KASSERT(log.outstanding > 0, "log_write outside of a transaction (%d outstanding)", log.outstanding);

  for (i = 0; i < log.lh.n; i++)
    if (log.lh.block[i] == b->blockno)
      break;
  if (i == log.lh.n) {
    log.lh.block[i] = b->blockno;
    log.lh.n++;
    bpin(b);   // keep the changed block in the cache until it is installed
  }
  release(&log.lock);
}
