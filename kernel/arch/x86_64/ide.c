// The disks: the primary channel of the legacy IDE (ATA) controller on QEMU's pc
// machine, driven by PIO with interrupts. The master holds the file system
// (blk_init/blk_rw/blk_intr for the buffer cache, fs/fsdefs.h); the slave, if
// there is one, is the swap disk (dev/swapdev.h).
//
// One request at a time on the channel, for either drive: a run of sectors moved by
// READ/WRITE MULTIPLE, in blocks of up to a page (SET MULTIPLE MODE at boot), with
// an interrupt per block. blk_intr() moves each block's data and, after the last,
// wakes the process sleeping in ide_rw(). Why not READ/WRITE SECTORS: they raise an
// interrupt per sector, and QEMU performs each sector as its own host I/O request,
// which made a page of swap cost eight round trips instead of one.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "kern/spinlock.h"
#include "fs/fsdefs.h"
#include "fs/buf.h"
#include "dev/swapdev.h"
#include <machine/x86.h>
#include <machine/vmparam.h>

#define IDE_DATA    0x1f0
#define IDE_COUNT   0x1f2
#define IDE_LBA0    0x1f3
#define IDE_LBA1    0x1f4
#define IDE_LBA2    0x1f5
#define IDE_DRIVE   0x1f6       // DRIVE_LBA | DRIVE_SLAVE?; low 4 bits: LBA bits 24-27
#define  DRIVE_LBA   0xe0
#define  DRIVE_SLAVE 0x10
#define IDE_CMD     0x1f7       // write: command
#define IDE_STATUS  0x1f7       // read: status (and acknowledge the interrupt)
#define IDE_CTL     0x3f6       // device control, for both drives
#define  CTL_NIEN 0x02          // no interrupts
#define  ST_BSY  0x80
#define  ST_DRDY 0x40
#define  ST_DF   0x20
#define  ST_DRQ  0x08
#define  ST_ERR  0x01
#define CMD_READ_MULTIPLE  0xc4
#define CMD_WRITE_MULTIPLE 0xc5
#define CMD_SET_MULTIPLE   0xc6
#define CMD_IDENTIFY       0xec

#define SECTOR 512
#define MASTER 0
#define SLAVE  1
// Sectors per block of READ/WRITE MULTIPLE (one DRQ and one interrupt): a page.
#define MULT   (PAGE_SIZE / SECTOR)

// A transfer of nsect sectors from sector on, between data and drive unit.
struct ide_req {
  int unit;
  uint32 sector;
  int nsect;
  char *data;
  int write;
  int done;                    // sectors moved so far
};

static struct {
  struct spinlock lock;
  struct ide_req *cur;         // the request in flight, or null
  uint32 swap_sectors;         // the slave's size; 0 if there is none
} ide;

// Wait until the selected drive is not busy; then the status.
static int
ide_wait(void)
{
  int st;
  while ((st = inb(IDE_STATUS)) & ST_BSY)
    ;
  return st;
}

// Make drive unit move MULT sectors per block of READ/WRITE MULTIPLE; polled, with
// the channel's interrupts off. Panics if the drive refuses.
static void
ide_set_multiple(int unit)
{
  outb(IDE_DRIVE, DRIVE_LBA | (unit == SLAVE ? DRIVE_SLAVE : 0));
  ide_wait();
  outb(IDE_COUNT, MULT);
  outb(IDE_CMD, CMD_SET_MULTIPLE);
  int st = ide_wait();
  if (st & (ST_ERR | ST_DF))
    panic("ide%d: SET MULTIPLE MODE %d refused, status 0x%x", unit, MULT, st);
}

void
blk_init(void)
{
  initlock(&ide.lock, "ide");
  outb(IDE_CTL, CTL_NIEN);
  outb(IDE_DRIVE, DRIVE_LBA);
  if ((ide_wait() & ST_DRDY) == 0)
    panic("blk_init: no IDE disk");
  ide_set_multiple(MASTER);
  outb(IDE_CTL, 0);
}

// The sectors in r's next block: a whole one, or what is left.
static int
ide_block(struct ide_req *r)
{
  return MIN(MULT, r->nsect - r->done);
}

static void
ide_start(struct ide_req *r)
{
  outb(IDE_DRIVE, DRIVE_LBA | (r->unit == SLAVE ? DRIVE_SLAVE : 0) |
                  ((r->sector >> 24) & 0x0f));
  ide_wait();
  outb(IDE_COUNT, r->nsect);
  outb(IDE_LBA0, r->sector);
  outb(IDE_LBA1, r->sector >> 8);
  outb(IDE_LBA2, r->sector >> 16);
  if (r->write) {
    outb(IDE_CMD, CMD_WRITE_MULTIPLE);
    // The first block goes without an interrupt, as soon as the drive asks.
    while ((ide_wait() & ST_DRQ) == 0)
      ;
    outsw(IDE_DATA, r->data, ide_block(r) * SECTOR / 2);
  } else {
    outb(IDE_CMD, CMD_READ_MULTIPLE);
  }
}

// Move nsect (1 to 255) sectors between data and the drive; sleeps until done.
static void
ide_rw(int unit, uint32 sector, int nsect, void *data, int write)
{
  struct ide_req r = { unit, sector, nsect, data, write, 0 };

  acquire(&ide.lock);
  while (ide.cur)
    sleep(&ide, &ide.lock);
  ide.cur = &r;
  ide_start(&r);
  while (r.done < r.nsect)
    sleep(&r, &ide.lock);
  ide.cur = 0;
  wakeup(&ide);
  release(&ide.lock);
}

// Read b->data from disk or write it there; sleeps until done.
void
blk_rw(struct buf *b, int write)
{
  ide_rw(MASTER, b->blockno * (BSIZE / SECTOR), BSIZE / SECTOR, b->data, write);
}

// A block has been read, or written; move the next one.
void
blk_intr(void)
{
  acquire(&ide.lock);
  int st = inb(IDE_STATUS);
  struct ide_req *r = ide.cur;
  if (r == 0 || r->done == r->nsect) {
    release(&ide.lock);        // not ours (the line was shared, or spurious)
    return;
  }
  if (st & (ST_ERR | ST_DF))
    panic("ide%d: %s error at sector %d, status 0x%x", r->unit,
          r->write ? "write" : "read", r->sector + r->done, st);
  int n = ide_block(r);
  if (r->write) {
    r->done += n;
    if (r->done < r->nsect)
      outsw(IDE_DATA, r->data + r->done * SECTOR, ide_block(r) * SECTOR / 2);
  } else {
    insw(IDE_DATA, r->data + r->done * SECTOR, n * SECTOR / 2);
    r->done += n;
  }
  if (r->done == r->nsect)
    wakeup(r);
  release(&ide.lock);
}

// The slave's size in sectors (LBA28), by IDENTIFY DEVICE, polled: 0 if the
// channel has no slave disk (an absent drive reads as status 0).
static uint32
ide_identify_slave(void)
{
  uint16 id[SECTOR / 2];
  uint32 sectors = 0;

  acquire(&ide.lock);
  KASSERT(ide.cur == 0, "ide_identify_slave: a request is in flight");
  outb(IDE_CTL, CTL_NIEN);
  outb(IDE_DRIVE, DRIVE_LBA | DRIVE_SLAVE);
  int st = inb(IDE_STATUS);
  if (st != 0 && st != 0xff) {     // 0xff: a floating bus, no drive either
    outb(IDE_CMD, CMD_IDENTIFY);
    while (((st = ide_wait()) & (ST_DRQ | ST_ERR)) == 0 && st != 0)
      ;
    if (st & ST_DRQ) {           // an ATAPI drive (a CD) refuses with ST_ERR
      insw(IDE_DATA, id, SECTOR / 2);
      sectors = id[60] | (uint32)id[61] << 16;
      ide_set_multiple(SLAVE);
    }
  }
  outb(IDE_DRIVE, DRIVE_LBA);
  outb(IDE_CTL, 0);
  release(&ide.lock);
  return sectors;
}

void
swapdev_init(void)
{
  ide.swap_sectors = ide_identify_slave();
  if (ide.swap_sectors)
    printf("swap: %lu KiB on ide0 slave\n", swapdev_npages() * (PAGE_SIZE / 1024));
  else
    printf("swap: none (no disk on ide0 slave)\n");
}

uint64
swapdev_npages(void)
{
  return ide.swap_sectors / (PAGE_SIZE / SECTOR);
}

// A page is one block of one READ/WRITE MULTIPLE command.
void
swapdev_rw(uint64 pageno, void *kva, int write)
{
  KASSERT(pageno < swapdev_npages(), "swapdev_rw: page %ld beyond the swap disk (%ld)", (long)pageno, (long)swapdev_npages());
  ide_rw(SLAVE, pageno * (PAGE_SIZE / SECTOR), PAGE_SIZE / SECTOR, kva, write);
}
