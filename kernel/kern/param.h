// Kernel-wide limits.
#ifndef _KERN_PARAM_H_
#define _KERN_PARAM_H_

#define NPROC        64   // maximum number of processes
#define NCPU          8   // maximum number of CPUs
#define NOFILE       16   // open files per process
#define NFILE       100   // open files per system
#define NINODE       50   // maximum number of active i-nodes
#define NDEV         10   // maximum major device number
#define ROOTDEV       1   // device number of the file system root disk
#define MAXARG       32   // max exec arguments
#define ARG_MAX    4096   // max bytes of exec arguments, strings and argv[] (POSIX's least)
#define MAXOPBLOCKS  10   // max # of blocks any FS op writes
#define LOGSIZE      (MAXOPBLOCKS*3)  // max data blocks in on-disk log
#define NBUF         256  // size of the disk block cache (MAXOPBLOCKS*3 made a file
                          // of a few pages miss it on every read)
#define FSSIZE       4000 // size of file system in blocks
#define MAXPATH      128  // maximum file path name
#define HZ           100  // timer interrupts per second

#endif
