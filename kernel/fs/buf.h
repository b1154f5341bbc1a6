// A block in the buffer cache (bio.c).
#ifndef _FS_BUF_H_
#define _FS_BUF_H_

#include <sys/types.h>
#include "kern/sleeplock.h"
#include "fs/fs.h"

struct buf {
  int valid;               // data[] holds the block's contents
  int disk;                // owned by the disk driver while a request is in flight
  uint dev;
  uint blockno;
  struct sleeplock lock;   // held by whoever uses data[]
  uint refcnt;             // references from bread() callers and the log (bpin)
  struct buf *prev;        // LRU list: bcache.head.next is the most recently used
  struct buf *next;
  uchar data[BSIZE];
};

#endif
