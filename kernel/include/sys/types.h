// Fixed-width types shared by the kernel, user space and mkfs.
// Both ports are LP64, so one definition serves both.
#ifndef _SYS_TYPES_H_
#define _SYS_TYPES_H_

typedef unsigned int   uint;
typedef unsigned short ushort;
typedef unsigned char  uchar;

typedef unsigned char      uint8;
typedef unsigned short     uint16;
typedef unsigned int       uint32;
typedef unsigned long      uint64;
typedef signed char        int8;
typedef short              int16;
typedef int                int32;
typedef long               int64;

typedef unsigned long size_t;
typedef long          ssize_t;
typedef long          off_t;
typedef unsigned long uintptr_t;

// VM address and protection types, with the BSD names.
typedef uint64 vm_offset_t;   // a virtual address or an offset into an object
typedef uint64 vm_size_t;
typedef uint64 vm_paddr_t;    // a physical address
typedef uint8  vm_prot_t;
typedef uint8  vm_inherit_t;

#ifndef NULL
#define NULL ((void *)0)
#endif

#endif
