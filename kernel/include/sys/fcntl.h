// open() flags, with xv6's values (an xv6 program passes these numbers).
#ifndef _SYS_FCNTL_H_
#define _SYS_FCNTL_H_

#define O_RDONLY  0x000
#define O_WRONLY  0x001
#define O_RDWR    0x002
#define O_ACCMODE 0x003
#define O_CREATE  0x200
#define O_TRUNC   0x400

#endif
