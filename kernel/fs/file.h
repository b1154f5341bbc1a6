// Open files, in-core inodes, and the device switch.
#ifndef _FS_FILE_H_
#define _FS_FILE_H_

#include <sys/types.h>
#include "kern/param.h"
#include "kern/sleeplock.h"
#include "fs/fs.h"

// An open file: what a file descriptor refers to. Shared by dup() and fork().
struct file {
  enum { FD_NONE, FD_PIPE, FD_INODE, FD_DEVICE } type;
  int ref;              // file descriptors referring to it
  char readable;
  char writable;
  struct pipe *pipe;    // FD_PIPE
  struct inode *ip;     // FD_INODE and FD_DEVICE
  uint off;             // FD_INODE: offset of the next read or write
  short major;          // FD_DEVICE
};

// An inode in memory: a cached copy of a dinode plus bookkeeping.
// ref, dev and inum are protected by the inode table's spin lock; valid and the
// copy of the dinode by the inode's sleep lock.
struct inode {
  uint dev;
  uint inum;
  int ref;                // C pointers to this entry (iget/idup minus iput)
  struct sleeplock lock;
  int valid;              // have the fields below been read from disk?

  short type;             // copy of struct dinode
  short major;
  short minor;
  short nlink;
  uint size;
  uint addrs[NADDRS];

  struct vm_object *i_object;  // the VM object of its mapped pages, if mapped
  uint i_gen;             // changes to its contents (writei, itrunc), for as long as
                          // it is cached: a resident registration's check
  // A file that runs cannot be written, nor run while it may be written (ETXTBSY):
  // the counts go from 0 to 1 only under the inode lock, where the other is
  // checked (open_inode, kexec); atomically otherwise.
  int i_writecount;       // open files that may write it
  int i_textcount;        // processes running it (their p_textvp)
};

// Device drivers, indexed by major number. user_dst/user_src say whether the
// address is a user one (as in either_copyout); each returns bytes moved or -errno.
struct devsw {
  int (*read)(int user_dst, uint64 dst, int n);
  int (*write)(int user_src, uint64 src, int n);
};

extern struct devsw devsw[NDEV];

#define CONSOLE 1

#endif
