// The swap disk: a second block device that holds pages, not a file system
// (build/ARCH/swap.img; the second virtio-blk device on RISC-V, the IDE primary
// slave on x86-64). The swap pager (vm/swap_pager.c) is its only user.
#ifndef _DEV_SWAPDEV_H_
#define _DEV_SWAPDEV_H_

#include <sys/types.h>

// Find the swap disk at boot (after blk_init) and print its size ("swap: 32768 KiB
// on virtio1"), or that there is none. A machine without one (SWAP=0) boots and
// runs without swap: swapdev_npages() is then 0. The disk's driver implements
// these (dev/virtio_blk.c, arch/x86_64/ide.c); its interrupt is blk_intr()'s.
void swapdev_init(void);

// How many PAGE_SIZE pages the swap disk holds.
uint64 swapdev_npages(void);

// Read page pageno (< swapdev_npages()) of the swap disk into the page at kva, or
// write it there, in one request to the device. kva is the page's direct-map
// address (a device may move it by DMA, so it must be one physical page). Sleeps
// until the transfer is done: process context only, no spin lock held. Safe from
// several processes at once.
void swapdev_rw(uint64 pageno, void *kva, int write);

#endif
