// The user library's C part: program entry, the system call return path, and the
// string and memory routines xv6 programs expect.

#include <sys/fcntl.h>
#include <machine/vmparam.h>
#include "user/user.h"

int errno;

extern int main(int argc, char *argv[]);

// The kernel enters here with argc and argv in the first two argument registers
// and an aligned stack, so no assembly is needed; returning from main is exit.
// Run as `resident PROG` runs it, the program makes itself resident here, before
// main has changed anything: every later exec of it starts here again, from a
// copy of this moment (lab 7). The exit status is 0 or the errno.
void
_start(int argc, char *argv[])
{
  if(argc == 1 && strcmp(argv[0], RESIDENT_REGISTER) == 0)
    exit(exec_sys_register(_start) < 0 ? errno : 0);
  exit(main(argc, argv));
}

// Every system call stub (usys.S) ends here with the kernel's result.
// The kernel returns -errno on failure; no valid result lies in [-4095, -1]
// (addresses from sbrk are far below the top of the address space).
long
__syscall_ret(long r)
{
  if(r < 0 && r >= -4095){
    errno = -r;
    return -1;
  }
  return r;
}

char*
strcpy(char *s, const char *t)
{
  char *os = s;

  while((*s++ = *t++) != 0)
    ;
  return os;
}

int
strcmp(const char *p, const char *q)
{
  while(*p && *p == *q)
    p++, q++;
  return (uchar)*p - (uchar)*q;
}

uint
strlen(const char *s)
{
  uint n;

  for(n = 0; s[n]; n++)
    ;
  return n;
}

char*
strchr(const char *s, char c)
{
  for(; *s; s++)
    if(*s == c)
      return (char*)s;
  return 0;
}

// GCC at -O2 recognises the loops below as memset/memmove and would replace them
// with calls to themselves; this attribute keeps the loops loops.
#define NOPATTERN __attribute__((optimize("no-tree-loop-distribute-patterns")))

NOPATTERN void*
memset(void *dst, int c, uint n)
{
  char *d = dst;
  uint i;

  for(i = 0; i < n; i++)
    d[i] = c;
  return dst;
}

// Copies correctly when the ranges overlap: backwards if dst is above src.
NOPATTERN void*
memmove(void *dst, const void *src, int n)
{
  char *d = dst;
  const char *s = src;

  if(n <= 0)
    return dst;
  if(s < d && s + n > d){
    while(n-- > 0)
      d[n] = s[n];
  } else {
    while(n-- > 0)
      *d++ = *s++;
  }
  return dst;
}

void*
memcpy(void *dst, const void *src, uint n)
{
  return memmove(dst, src, n);
}

int
memcmp(const void *a, const void *b, uint n)
{
  const uchar *p = a, *q = b;

  for(; n > 0; n--, p++, q++)
    if(*p != *q)
      return *p - *q;
  return 0;
}

// Read a line from fd 0 into buf, keeping the newline; at most max-1 bytes.
char*
gets(char *buf, int max)
{
  int i;
  char c;

  for(i = 0; i+1 < max; ){
    if(read(0, &c, 1) < 1)
      break;
    buf[i++] = c;
    if(c == '\n' || c == '\r')
      break;
  }
  buf[i] = '\0';
  return buf;
}

int
stat(const char *path, struct stat *st)
{
  int fd, r;

  fd = open(path, O_RDONLY);
  if(fd < 0)
    return -1;
  r = fstat(fd, st);
  close(fd);
  return r;
}

int
atoi(const char *s)
{
  int n = 0, neg = 0;

  if(*s == '-'){
    neg = 1;
    s++;
  }
  while(*s >= '0' && *s <= '9')
    n = n*10 + *s++ - '0';
  return neg ? -n : n;
}

// Pages come in on first touch (demand paging). A program that checks that free
// memory returns to its starting level calls this first: it touches a few pages of
// stack and every page of the program's image (reading the text, writing the data,
// which makes the private copy a later write would), so that a page first touched
// by a test does not look like a leak.
extern char etext[], end[];   // user/user.ld

void
warmup(void)
{
  volatile char deep[4 * PAGE_SIZE];
  char *p;

  for(int i = 0; i < (int)sizeof(deep); i += 512)
    deep[i] = 0;
  for(p = (char *)VM_USER_TEXT; p < etext; p += PAGE_SIZE)
    (void)*(volatile char *)p;
  for(p = (char *)(((uint64)etext + PAGE_SIZE - 1) & ~(uint64)(PAGE_SIZE - 1)); p < end; p += PAGE_SIZE)
    *(volatile char *)p = *(volatile char *)p;
}
