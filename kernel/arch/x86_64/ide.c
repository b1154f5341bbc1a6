// The disk: the primary master of the legacy IDE (ATA) controller on QEMU's pc
// machine, driven by PIO with interrupts. Implements blk_init/blk_rw/blk_intr for
// the buffer cache (fs/fsdefs.h).
//
// One request at a time: a block is BSIZE/512 sectors, moved by READ/WRITE SECTORS,
// which raise an interrupt per sector. blk_intr() moves each sector's data and, after
// the last, wakes the process sleeping in blk_rw().
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "kern/spinlock.h"
#include "fs/fsdefs.h"
#include "fs/buf.h"
#include <machine/x86.h>

#define IDE_DATA    0x1f0
#define IDE_COUNT   0x1f2
#define IDE_LBA0    0x1f3
#define IDE_LBA1    0x1f4
#define IDE_LBA2    0x1f5
#define IDE_DRIVE   0x1f6       // 0xe0: master, LBA; low 4 bits: LBA bits 24-27
#define IDE_CMD     0x1f7       // write: command
#define IDE_STATUS  0x1f7       // read: status (and acknowledge the interrupt)
#define IDE_CTL     0x3f6       // device control: 0 enables interrupts
#define  ST_BSY  0x80
#define  ST_DRDY 0x40
#define  ST_DF   0x20
#define  ST_DRQ  0x08
#define  ST_ERR  0x01
#define CMD_READ  0x20
#define CMD_WRITE 0x30

#define SECTOR 512
#define SPB    (BSIZE / SECTOR)  // sectors per block

static struct {
  struct spinlock lock;
  struct buf *cur;             // the request in flight, or null
  int write;
  int done;                    // sectors of cur moved so far
} ide;

// Wait until the drive is not busy; then the status.
static int
ide_wait(void)
{
  int st;
  while ((st = inb(IDE_STATUS)) & ST_BSY)
    ;
  return st;
}

void
blk_init(void)
{
  initlock(&ide.lock, "ide");
  outb(IDE_DRIVE, 0xe0);
  if ((ide_wait() & ST_DRDY) == 0)
    panic("blk_init: no IDE disk");
  outb(IDE_CTL, 0);
}

static void
ide_start(struct buf *b, int write)
{
  uint32 sector = b->blockno * SPB;

  ide_wait();
  outb(IDE_COUNT, SPB);
  outb(IDE_LBA0, sector);
  outb(IDE_LBA1, sector >> 8);
  outb(IDE_LBA2, sector >> 16);
  outb(IDE_DRIVE, 0xe0 | ((sector >> 24) & 0x0f));
  if (write) {
    outb(IDE_CMD, CMD_WRITE);
    // The first sector goes without an interrupt, as soon as the drive asks.
    while ((ide_wait() & ST_DRQ) == 0)
      ;
    outsw(IDE_DATA, b->data, SECTOR / 2);
  } else {
    outb(IDE_CMD, CMD_READ);
  }
}

// Read b->data from disk or write it there; sleeps until done.
void
blk_rw(struct buf *b, int write)
{
  acquire(&ide.lock);
  while (ide.cur)
    sleep(&ide, &ide.lock);
  ide.cur = b;
  ide.write = write;
  ide.done = 0;
  b->disk = 1;
  ide_start(b, write);
  while (b->disk)
    sleep(b, &ide.lock);
  ide.cur = 0;
  wakeup(&ide);
  release(&ide.lock);
}

// A sector has been read, or written; move the next one.
void
blk_intr(void)
{
  acquire(&ide.lock);
  int st = inb(IDE_STATUS);
  struct buf *b = ide.cur;
  if (b == 0 || b->disk == 0) {
    release(&ide.lock);        // not ours (the line was shared, or spurious)
    return;
  }
  if (st & (ST_ERR | ST_DF))
    panic("ide: %s error on block %d, status 0x%x", ide.write ? "write" : "read",
          b->blockno, st);
  if (ide.write) {
    ide.done++;
    if (ide.done < SPB)
      outsw(IDE_DATA, b->data + ide.done * SECTOR, SECTOR / 2);
  } else {
    insw(IDE_DATA, b->data + ide.done * SECTOR, SECTOR / 2);
    ide.done++;
  }
  if (ide.done == SPB) {
    b->disk = 0;
    wakeup(b);
  }
  release(&ide.lock);
}
