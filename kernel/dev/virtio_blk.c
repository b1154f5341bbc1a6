// A virtio block device on the virtio-mmio transport (version 2, "modern"):
// the disk of QEMU's RISC-V virt machine. One request is three descriptors
// (header, data, status) in a queue of NUM descriptors; a process that issues a
// request sleeps until the device's interrupt says it is done.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "kern/spinlock.h"
#include "kern/sleeplock.h"
#include "fs/fs.h"
#include "fs/buf.h"
#include "fs/fsdefs.h"
#include "vm/vm.h"
#include <machine/memlayout.h>

// virtio-mmio registers (virtio spec 1.1, section 4.2.2)
#define MMIO_MAGIC         0x000   // 0x74726976 "virt"
#define MMIO_VERSION       0x004   // 2
#define MMIO_DEVICE_ID     0x008   // 2 for a block device
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

#define NUM 8   // descriptors in the queue

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

static struct disk {
  struct virtq_desc *desc;     // each in its own page
  struct virtq_avail *avail;
  struct virtq_used *used;
  char free[NUM];              // is descriptor i free?
  uint16 used_idx;             // how far we have read used->ring
  struct {
    struct buf *b;
    char status;
  } info[NUM];                 // per request, indexed by its first descriptor
  struct virtio_blk_req ops[NUM];
  struct spinlock lock;
} disk;

static inline volatile uint32 *
reg(int r)
{
  return (volatile uint32 *)(VIRTIO0 + r);
}

static void
set_queue_addr(int r, void *p)
{
  uint64 pa = DMAP_TO_PHYS(p);
  *reg(r) = (uint32)pa;
  *reg(r + 4) = (uint32)(pa >> 32);
}

void
blk_init(void)
{
  uint32 status = 0;

  initlock(&disk.lock, "virtio_disk");
  if (*reg(MMIO_MAGIC) != 0x74726976 || *reg(MMIO_VERSION) != 2 || *reg(MMIO_DEVICE_ID) != 2)
    panic("virtio disk not found: QEMU needs -global virtio-mmio.force-legacy=false");

  *reg(MMIO_STATUS) = status;   // reset
  status |= STATUS_ACKNOWLEDGE | STATUS_DRIVER;
  *reg(MMIO_STATUS) = status;

  uint32 features = *reg(MMIO_DEV_FEATURES);
  features &= ~((1 << BLK_F_RO) | (1 << BLK_F_SCSI) | (1 << BLK_F_CONFIG_WCE) |
                (1 << BLK_F_MQ) | (1 << F_ANY_LAYOUT) | (1 << RING_F_EVENT_IDX) |
                (1 << RING_F_INDIRECT));
  *reg(MMIO_DRV_FEATURES) = features;
  status |= STATUS_FEATURES_OK;
  *reg(MMIO_STATUS) = status;
  if ((*reg(MMIO_STATUS) & STATUS_FEATURES_OK) == 0)
    panic("virtio disk: features not accepted");

  *reg(MMIO_QUEUE_SEL) = 0;
  if (*reg(MMIO_QUEUE_READY))
    panic("virtio disk: queue 0 already in use");
  if (*reg(MMIO_QUEUE_NUM_MAX) < NUM)
    panic("virtio disk: queue too short");
  disk.desc = kalloc();
  disk.avail = kalloc();
  disk.used = kalloc();
  if (!disk.desc || !disk.avail || !disk.used)
    panic("virtio disk: out of memory");
  *reg(MMIO_QUEUE_NUM) = NUM;
  set_queue_addr(MMIO_QUEUE_DESC, disk.desc);
  set_queue_addr(MMIO_QUEUE_DRIVER, disk.avail);
  set_queue_addr(MMIO_QUEUE_DEVICE, disk.used);
  *reg(MMIO_QUEUE_READY) = 1;

  for (int i = 0; i < NUM; i++)
    disk.free[i] = 1;
  status |= STATUS_DRIVER_OK;
  *reg(MMIO_STATUS) = status;
}

static int
alloc_desc(void)
{
  for (int i = 0; i < NUM; i++) {
    if (disk.free[i]) {
      disk.free[i] = 0;
      return i;
    }
  }
  return -1;
}

static void
free_desc(int i)
{
  KASSERT(i >= 0 && i < NUM && !disk.free[i], "virtio: bad descriptor free");
  disk.desc[i].addr = 0;
  disk.desc[i].len = 0;
  disk.desc[i].flags = 0;
  disk.desc[i].next = 0;
  disk.free[i] = 1;
  wakeup(&disk.free[0]);
}

static void
free_chain(int i)
{
  for (;;) {
    int flags = disk.desc[i].flags, next = disk.desc[i].next;
    free_desc(i);
    if (!(flags & VRING_DESC_F_NEXT))
      break;
    i = next;
  }
}

// Three descriptors for one request, or -1 if not that many are free.
static int
alloc3_desc(int *idx)
{
  for (int i = 0; i < 3; i++) {
    idx[i] = alloc_desc();
    if (idx[i] < 0) {
      for (int j = 0; j < i; j++)
        free_desc(idx[j]);
      return -1;
    }
  }
  return 0;
}

void
blk_rw(struct buf *b, int write)
{
  uint64 sector = b->blockno * (BSIZE / 512);
  int idx[3];

  acquire(&disk.lock);
  while (alloc3_desc(idx) != 0)
    sleep(&disk.free[0], &disk.lock);

  struct virtio_blk_req *req = &disk.ops[idx[0]];
  req->type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
  req->reserved = 0;
  req->sector = sector;

  disk.desc[idx[0]].addr = DMAP_TO_PHYS(req);
  disk.desc[idx[0]].len = sizeof(*req);
  disk.desc[idx[0]].flags = VRING_DESC_F_NEXT;
  disk.desc[idx[0]].next = idx[1];

  disk.desc[idx[1]].addr = DMAP_TO_PHYS(b->data);
  disk.desc[idx[1]].len = BSIZE;
  disk.desc[idx[1]].flags = (write ? 0 : VRING_DESC_F_WRITE) | VRING_DESC_F_NEXT;
  disk.desc[idx[1]].next = idx[2];

  disk.info[idx[0]].status = 0xff;    // the device writes 0 on success
  disk.desc[idx[2]].addr = DMAP_TO_PHYS(&disk.info[idx[0]].status);
  disk.desc[idx[2]].len = 1;
  disk.desc[idx[2]].flags = VRING_DESC_F_WRITE;
  disk.desc[idx[2]].next = 0;

  b->disk = 1;
  disk.info[idx[0]].b = b;

  // Publish the descriptors before the index that makes them visible.
  disk.avail->ring[disk.avail->idx % NUM] = idx[0];
  __sync_synchronize();
  disk.avail->idx += 1;
  __sync_synchronize();
  *reg(MMIO_QUEUE_NOTIFY) = 0;

  while (b->disk == 1)
    sleep(b, &disk.lock);

  disk.info[idx[0]].b = 0;
  free_chain(idx[0]);
  release(&disk.lock);
}

void
blk_intr(void)
{
  acquire(&disk.lock);
  // Acknowledge first: a completion that arrives while we loop raises a new interrupt.
  *reg(MMIO_INTR_ACK) = *reg(MMIO_INTR_STATUS) & 0x3;
  __sync_synchronize();
  while (disk.used_idx != disk.used->idx) {
    __sync_synchronize();
    int id = disk.used->ring[disk.used_idx % NUM].id;
    if (disk.info[id].status != 0)
      panic("virtio disk: request failed, status %d", disk.info[id].status);
    struct buf *b = disk.info[id].b;
    b->disk = 0;
    wakeup(b);
    disk.used_idx += 1;
  }
  release(&disk.lock);
}
