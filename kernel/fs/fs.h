// The on-disk format of the file system, shared by the kernel and mkfs.
//
// The disk is an array of BSIZE-byte blocks:
//
//   [ boot | super | log header, log blocks | inodes | free bitmap | data ... ]
//      0      1      logstart                inodestart bmapstart
//
// mkfs computes the boundaries and records them in the superblock.
#ifndef _FS_FS_H_
#define _FS_FS_H_

#include <sys/types.h>
#include "kern/param.h"

#define BSIZE    1024        // block size in bytes
#define ROOTINO  1           // inode number of the root directory
#define FSMAGIC  0x564d4c46  // "VMLF": a vmlab file system

// Block 1 of the disk.
struct superblock {
  uint magic;       // FSMAGIC
  uint size;        // size of the image in blocks
  uint nblocks;     // number of data blocks
  uint ninodes;     // number of inodes
  uint nlog;        // number of log blocks, header included
  uint logstart;    // first log block (the header)
  uint inodestart;  // first inode block
  uint bmapstart;   // first free-bitmap block
};

// A file's blocks: NDIRECT listed in the inode, then NINDIRECT through one indirect
// block, then NINDIRECT*NINDIRECT through a double-indirect block (a block of
// indirect blocks), so a file can use the whole disk.
#define NDIRECT     11
#define NINDIRECT   (BSIZE / sizeof(uint))
#define NDINDIRECT  (NINDIRECT * NINDIRECT)
#define MAXFILE     (NDIRECT + NINDIRECT + NDINDIRECT)   // in blocks
#define IND_SLOT    NDIRECT         // addrs[] index of the indirect block
#define DIND_SLOT   (NDIRECT + 1)   // addrs[] index of the double-indirect block
#define NADDRS      (NDIRECT + 2)

// An inode on disk. Its size (64 bytes) divides BSIZE, so no inode spans two blocks.
struct dinode {
  short type;           // T_DIR, T_FILE, T_DEVICE, or 0 if free
  short major;          // device numbers (T_DEVICE only)
  short minor;
  short nlink;          // directory entries that name this inode
  uint size;            // size of the file in bytes
  uint addrs[NADDRS];   // data block addresses; 0 means not allocated
};

// Inodes per block, and the block holding inode i.
#define IPB           (BSIZE / sizeof(struct dinode))
#define IBLOCK(i, sb) ((i) / IPB + (sb).inodestart)

// Bitmap bits per block, and the bitmap block holding the bit for block b.
#define BPB           (BSIZE * 8)
#define BBLOCK(b, sb) ((b) / BPB + (sb).bmapstart)

// A directory is a file holding a sequence of these; inum 0 marks a free entry.
// A name shorter than DIRSIZ is NUL-terminated; one of exactly DIRSIZ is not.
#define DIRSIZ 14

struct dirent {
  ushort inum;
  char name[DIRSIZ];
};

#endif
