// Virtio block devices on the virtio-mmio transport (version 2, "modern"): the
// disks of QEMU's RISC-V virt machine. Unit 0, in the first virtio-mmio slot, holds
// the file system (blk_init/blk_rw/blk_intr, fs/fsdefs.h); unit 1, in the second,
// is the swap disk (dev/swapdev.h), which a machine may lack. One request is three
// descriptors (header, data, status) in a unit's queue of NUM descriptors; a
// process that issues a request sleeps until the device's interrupt says it is done.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "kern/spinlock.h"
#include "kern/sleeplock.h"
#include "fs/fs.h"
#include "fs/buf.h"
#include "fs/fsdefs.h"
#include "vm/vm.h"
#include "dev/swapdev.h"
#include <machine/memlayout.h>

// virtio-mmio registers (virtio spec 1.1, section 4.2.2)
#define MMIO_MAGIC         0x000   // 0x74726976 "virt"
#define MMIO_VERSION       0x004   // 2
#define MMIO_DEVICE_ID     0x008   // 2 for a block device, 0 for an empty slot
#define MMIO_DEV_FEATURES  0x010
#define MMIO_DRV_FEATURES  0x020
#define MMIO_QUEUE_SEL     0x030
#define MMIO_QUEUE_NUM_MAX 0x034
#define MMIO_QUEUE_NUM     0x038
#define MMIO_QUEUE_READY   0x044
#define MMIO_QUEUE_NOTIFY  0x050
#define MMIO_INTR_STATUS   0x060
#define MMIO_INTR_ACK      0x064
#define MMIO_STATUS        0x070
#define MMIO_QUEUE_DESC    0x080   // low word; the high word is at +4
#define MMIO_QUEUE_DRIVER  0x090
#define MMIO_QUEUE_DEVICE  0x0a0
#define MMIO_CONFIG        0x100   // the device's own: for a block device, capacity first

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER      2
#define STATUS_DRIVER_OK   4
#define STATUS_FEATURES_OK 8

// Features we turn off: we want the simplest device.
#define BLK_F_RO           5
#define BLK_F_SCSI         7
#define BLK_F_CONFIG_WCE  11
#define BLK_F_MQ          12
#define F_ANY_LAYOUT      27
#define RING_F_INDIRECT   28
#define RING_F_EVENT_IDX  29

// Descriptors in a queue (a power of 2): three a request, so up to ten requests
// in flight, from as many processes (swap-ins, the pageout daemon, the fs).
#define NUM 32
#define SECTOR 512

struct virtq_desc {
  uint64 addr;
  uint32 len;
  uint16 flags;
  uint16 next;
};
#define VRING_DESC_F_NEXT  1
#define VRING_DESC_F_WRITE 2   // the device writes this buffer

struct virtq_avail {
  uint16 flags;
  uint16 idx;
  uint16 ring[NUM];
  uint16 unused;
};

struct virtq_used_elem {
  uint32 id;
  uint32 len;
};

struct virtq_used {
  uint16 flags;
  uint16 idx;
  struct virtq_used_elem ring[NUM];
};

struct virtio_blk_req {
  uint32 type;
#define VIRTIO_BLK_T_IN  0
#define VIRTIO_BLK_T_OUT 1
  uint32 reserved;
  uint64 sector;
};

#define NDISK 2  // unit 0: the file system; unit 1: swap

struct disk {
  uint64 regs;                 // the virtio-mmio slot's registers (direct map)
  const char *name;
  uint64 capacity;             // in SECTORs; 0 if the slot has no block device
  struct virtq_desc *desc;     // each in its own page
  struct virtq_avail *avail;
  struct virtq_used *used;
  char free[NUM];              // is descriptor i free?
  uint16 used_idx;             // how far we have read used->ring
  struct {
    char busy;                 // the device has the request; the issuer sleeps here
    char status;
  } info[NUM];                 // per request, indexed by its first descriptor
  struct virtio_blk_req ops[NUM];
  struct spinlock lock;
};

static struct disk disks[NDISK] = {
  { .regs = VIRTIO0, .name = "virtio0" },
  { .regs = VIRTIO1, .name = "virtio1" },
};

static inline volatile uint32 *
reg(struct disk *d, int r)
{
  return (volatile uint32 *)(d->regs + r);
}

static void
set_queue_addr(struct disk *d, int r, void *p)
{
  uint64 pa = DMAP_TO_PHYS(p);
  *reg(d, r) = (uint32)pa;
  *reg(d, r + 4) = (uint32)(pa >> 32);
}

// Set up d's device and its queue; 0 if its slot holds no block device.
static int
virtio_attach(struct disk *d)
{
  uint32 status = 0;

  initlock(&d->lock, d->name);
  if (*reg(d, MMIO_MAGIC) != 0x74726976 || *reg(d, MMIO_VERSION) != 2)
    panic("%s: not a virtio-mmio version 2 slot: QEMU needs "
          "-global virtio-mmio.force-legacy=false", d->name);
  if (*reg(d, MMIO_DEVICE_ID) != 2)
    return 0;

  *reg(d, MMIO_STATUS) = status;   // reset
  status |= STATUS_ACKNOWLEDGE | STATUS_DRIVER;
  *reg(d, MMIO_STATUS) = status;

  uint32 features = *reg(d, MMIO_DEV_FEATURES);
  features &= ~((1 << BLK_F_RO) | (1 << BLK_F_SCSI) | (1 << BLK_F_CONFIG_WCE) |
                (1 << BLK_F_MQ) | (1 << F_ANY_LAYOUT) | (1 << RING_F_EVENT_IDX) |
                (1 << RING_F_INDIRECT));
  *reg(d, MMIO_DRV_FEATURES) = features;
  status |= STATUS_FEATURES_OK;
  *reg(d, MMIO_STATUS) = status;
  if ((*reg(d, MMIO_STATUS) & STATUS_FEATURES_OK) == 0)
    panic("%s: features not accepted", d->name);

  *reg(d, MMIO_QUEUE_SEL) = 0;
  if (*reg(d, MMIO_QUEUE_READY))
    panic("%s: queue 0 already in use", d->name);
  if (*reg(d, MMIO_QUEUE_NUM_MAX) < NUM)
    panic("%s: queue too short", d->name);
  d->desc = kalloc();
  d->avail = kalloc();
  d->used = kalloc();
  if (!d->desc || !d->avail || !d->used)
    panic("%s: out of memory", d->name);
  *reg(d, MMIO_QUEUE_NUM) = NUM;
  set_queue_addr(d, MMIO_QUEUE_DESC, d->desc);
  set_queue_addr(d, MMIO_QUEUE_DRIVER, d->avail);
  set_queue_addr(d, MMIO_QUEUE_DEVICE, d->used);
  *reg(d, MMIO_QUEUE_READY) = 1;

  for (int i = 0; i < NUM; i++)
    d->free[i] = 1;
  status |= STATUS_DRIVER_OK;
  *reg(d, MMIO_STATUS) = status;

  // The capacity is fixed while the machine runs: no need for the config
  // generation counter that guards a read of a field that may change.
  d->capacity = *reg(d, MMIO_CONFIG) | (uint64)*reg(d, MMIO_CONFIG + 4) << 32;
  return 1;
}

static int
alloc_desc(struct disk *d)
{
  for (int i = 0; i < NUM; i++) {
    if (d->free[i]) {
      d->free[i] = 0;
      return i;
    }
  }
  return -1;
}

static void
free_desc(struct disk *d, int i)
{
  KASSERT(i >= 0 && i < NUM && !d->free[i], "virtio: bad free of descriptor %d", i);
  d->desc[i].addr = 0;
  d->desc[i].len = 0;
  d->desc[i].flags = 0;
  d->desc[i].next = 0;
  d->free[i] = 1;
  wakeup(&d->free[0]);
}

static void
free_chain(struct disk *d, int i)
{
  for (;;) {
    int flags = d->desc[i].flags, next = d->desc[i].next;
    free_desc(d, i);
    if (!(flags & VRING_DESC_F_NEXT))
      break;
    i = next;
  }
}

// Three descriptors for one request, or -1 if not that many are free.
static int
alloc3_desc(struct disk *d, int *idx)
{
  for (int i = 0; i < 3; i++) {
    idx[i] = alloc_desc(d);
    if (idx[i] < 0) {
      for (int j = 0; j < i; j++)
        free_desc(d, idx[j]);
      return -1;
    }
  }
  return 0;
}

// Move len bytes between data (in the direct map: physically contiguous) and d from
// sector on, in one request; sleeps until the device is done.
static void
virtio_rw(struct disk *d, uint64 sector, void *data, uint32 len, int write)
{
  int idx[3];

  acquire(&d->lock);
  while (alloc3_desc(d, idx) != 0)
    sleep(&d->free[0], &d->lock);

  struct virtio_blk_req *req = &d->ops[idx[0]];
  req->type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
  req->reserved = 0;
  req->sector = sector;

  d->desc[idx[0]].addr = DMAP_TO_PHYS(req);
  d->desc[idx[0]].len = sizeof(*req);
  d->desc[idx[0]].flags = VRING_DESC_F_NEXT;
  d->desc[idx[0]].next = idx[1];

  d->desc[idx[1]].addr = DMAP_TO_PHYS(data);
  d->desc[idx[1]].len = len;
  d->desc[idx[1]].flags = (write ? 0 : VRING_DESC_F_WRITE) | VRING_DESC_F_NEXT;
  d->desc[idx[1]].next = idx[2];

  d->info[idx[0]].status = 0xff;    // the device writes 0 on success
  d->desc[idx[2]].addr = DMAP_TO_PHYS(&d->info[idx[0]].status);
  d->desc[idx[2]].len = 1;
  d->desc[idx[2]].flags = VRING_DESC_F_WRITE;
  d->desc[idx[2]].next = 0;

  d->info[idx[0]].busy = 1;

  // Publish the descriptors before the index that makes them visible.
  d->avail->ring[d->avail->idx % NUM] = idx[0];
  __sync_synchronize();
  d->avail->idx += 1;
  __sync_synchronize();
  *reg(d, MMIO_QUEUE_NOTIFY) = 0;

  while (d->info[idx[0]].busy)
    sleep(&d->info[idx[0]], &d->lock);

  free_chain(d, idx[0]);
  release(&d->lock);
}

// Wake the issuers of d's finished requests.
static void
virtio_intr(struct disk *d)
{
  acquire(&d->lock);
  // Acknowledge first: a completion that arrives while we loop raises a new interrupt.
  *reg(d, MMIO_INTR_ACK) = *reg(d, MMIO_INTR_STATUS) & 0x3;
  __sync_synchronize();
  while (d->used_idx != d->used->idx) {
    __sync_synchronize();
    int id = d->used->ring[d->used_idx % NUM].id;
    if (d->info[id].status != 0)
      panic("%s: request failed, status %d", d->name, d->info[id].status);
    d->info[id].busy = 0;
    wakeup(&d->info[id]);
    d->used_idx += 1;
  }
  release(&d->lock);
}

void
blk_init(void)
{
  if (!virtio_attach(&disks[0]))
    panic("virtio0: no disk: QEMU needs a virtio-blk-device on virtio-mmio-bus.0");
}

void
blk_rw(struct buf *b, int write)
{
  virtio_rw(&disks[0], (uint64)b->blockno * (BSIZE / SECTOR), b->data, BSIZE, write);
}

// Either disk's interrupt (the port's trap code calls it for both): each has its
// own lock and ring, and an interrupt with nothing new costs a look at the ring.
void
blk_intr(void)
{
  for (int u = 0; u < NDISK; u++)
    if (disks[u].capacity)
      virtio_intr(&disks[u]);
}

void
swapdev_init(void)
{
  struct disk *d = &disks[1];

  if (virtio_attach(d))
    printf("swap: %lu KiB on %s\n", swapdev_npages() * (PAGE_SIZE / 1024), d->name);
  else
    printf("swap: none (no disk on %s)\n", d->name);
}

uint64
swapdev_npages(void)
{
  return disks[1].capacity / (PAGE_SIZE / SECTOR);
}

void
swapdev_rw(uint64 pageno, void *kva, int write)
{
  KASSERT(pageno < swapdev_npages(), "swapdev_rw: page %ld beyond the swap disk (%ld)", (long)pageno, (long)swapdev_npages());
  virtio_rw(&disks[1], pageno * (PAGE_SIZE / SECTOR), kva, PAGE_SIZE, write);
}
