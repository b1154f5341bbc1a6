// Memory-management system calls: mmap, munmap, mprotect, minherit, madvise, msync,
// mincore (and, in later labs, mlock and friends). Values are FreeBSD's.
//
// Where DragonFly and POSIX/FreeBSD differ, vmlab follows FreeBSD, so that a test
// program behaves the same here and on a Linux or BSD host:
//   - munmap() over a hole succeeds (DragonFly: EINVAL).
//   - mmap() without MAP_FIXED whose range would leave user space: ENOMEM; with
//     MAP_FIXED, or a range that wraps around: EINVAL.
//   - mlockall(MCL_CURRENT) is implemented (DragonFly: ENOSYS).
// Where FreeBSD is looser than POSIX, vmlab takes POSIX's (and Linux's) answer:
//   - the file offset of mmap() must be page aligned, MAP_FIXED or not: EINVAL
//     (FreeBSD takes any offset and returns an address as far into its page).
//   - every address argument of the family must be page aligned: EINVAL (FreeBSD
//     rounds it down for mprotect, minherit, madvise and mincore).
//   - mmap() of a directory: ENODEV, like a pipe or a device (FreeBSD: EINVAL).
// And where no system says, vmlab's choice:
//   - a range that leaves user space: EINVAL for munmap, mprotect, minherit and
//     madvise; ENOMEM for msync and mincore, which report unmapped memory so.
//   - len 0: EINVAL for mmap and munmap; success, doing nothing, for the others
//     (DragonFly and FreeBSD msync the whole entry at addr).
//   - MAP_STACK (lab 4; EINVAL before it): as FreeBSD, fd must be -1 and prot must
//     allow reading and writing; and MAP_SHARED is EINVAL (FreeBSD allows it). The
//     top MIN(len, 128 KiB) is mapped; the rest of [addr, addr+len) is reserved
//     for the stack to grow down into on faults.
#ifndef _SYS_MMAN_H_
#define _SYS_MMAN_H_

#define PROT_NONE   0x00
#define PROT_READ   0x01
#define PROT_WRITE  0x02
#define PROT_EXEC   0x04

#define MAP_SHARED  0x0001   // changes are shared
#define MAP_PRIVATE 0x0002   // changes are private (copy-on-write)
#define MAP_FIXED   0x0010   // exactly at addr, replacing what is there
#define MAP_STACK   0x0400   // a stack that grows down (lab 4)
#define MAP_ANON    0x1000   // no file: zero-filled memory
#define MAP_ANONYMOUS MAP_ANON

#define MAP_FAILED  ((void *)-1)

// A map holds at most this many entries: mmap, mprotect, minherit, madvise, mlock
// and munlock, each of which may add two (a clip at each end of its range), are
// ENOMEM within two of it; munmap never is (giving memory back must always work).
// Each entry costs the kernel about 140 bytes: a process that clips its memory
// page by page stops at about 2.2 MiB of them, not at every free page. (Linux's
// max_map_count is 65530, for machines with far more memory.)
#define VM_MAP_ENTRY_MAX 16384

// minherit()
#define INHERIT_SHARE 0
#define INHERIT_COPY  1
#define INHERIT_NONE  2

// madvise()
#define MADV_NORMAL     0
#define MADV_RANDOM     1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED   3
#define MADV_DONTNEED   4
#define MADV_FREE       5

// msync()
#define MS_SYNC       0x0000
#define MS_ASYNC      0x0001
#define MS_INVALIDATE 0x0002

// mincore()
#define MINCORE_INCORE 0x1

// mlockall() (lab 5)
#define MCL_CURRENT 0x0001
#define MCL_FUTURE  0x0002

#endif
