// struct stat as fstat() returns it; the layout is xv6's.
#ifndef _SYS_STAT_H_
#define _SYS_STAT_H_

#define T_DIR     1   // directory
#define T_FILE    2   // regular file
#define T_DEVICE  3   // device

struct stat {
  int dev;     // file system's disk device
  uint ino;    // inode number
  short type;  // T_DIR, T_FILE or T_DEVICE
  short nlink; // number of links to the file
  uint64 size; // size in bytes
};

#endif
