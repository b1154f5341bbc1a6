// The few string and memory functions the kernel uses.
#include <sys/types.h>
#include "kern/systm.h"

void *
memset(void *dst, int c, size_t n)
{
  uint8 *d = dst;
  // Word stores for the page-sized clears that kalloc and faults do, eight a turn:
  // under QEMU a loop's compare and branch cost about what a store does.
  if ((((uint64)d | n) & 7) == 0) {
    uint64 w = (uint8)c, *p = dst;
    w |= w << 8; w |= w << 16; w |= w << 32;
    for (; n >= 64; n -= 64, p += 8) {
      p[0] = w; p[1] = w; p[2] = w; p[3] = w;
      p[4] = w; p[5] = w; p[6] = w; p[7] = w;
    }
    for (; n; n -= 8)
      *p++ = w;
    return dst;
  }
  while (n-- > 0)
    *d++ = c;
  return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
  const uint8 *s1 = a, *s2 = b;
  for (; n > 0; n--, s1++, s2++)
    if (*s1 != *s2)
      return *s1 - *s2;
  return 0;
}

void *
memmove(void *dst, const void *src, size_t n)
{
  const char *s = src;
  char *d = dst;

  if (s < d && s + n > d) {
    // Overlap with the destination above: copy backwards.
    s += n;
    d += n;
    while (n-- > 0)
      *--d = *--s;
  } else if ((((uint64)s | (uint64)d | n) & 7) == 0) {
    // Eight words a turn, as memset: page copies (copy-on-write) are most of it.
    const uint64 *ws = src;
    uint64 *wd = dst;
    for (; n >= 64; n -= 64, ws += 8, wd += 8) {
      wd[0] = ws[0]; wd[1] = ws[1]; wd[2] = ws[2]; wd[3] = ws[3];
      wd[4] = ws[4]; wd[5] = ws[5]; wd[6] = ws[6]; wd[7] = ws[7];
    }
    for (; n; n -= 8)
      *wd++ = *ws++;
  } else {
    while (n-- > 0)
      *d++ = *s++;
  }
  return dst;
}

// The compiler may emit calls to memcpy for struct copies.
void *
memcpy(void *dst, const void *src, size_t n)
{
  return memmove(dst, src, n);
}

int
strncmp(const char *p, const char *q, size_t n)
{
  while (n > 0 && *p && *p == *q)
    n--, p++, q++;
  if (n == 0)
    return 0;
  return (uint8)*p - (uint8)*q;
}

char *
strncpy(char *s, const char *t, int n)
{
  char *os = s;
  while (n-- > 0 && (*s++ = *t++) != 0)
    ;
  while (n-- > 0)
    *s++ = 0;
  return os;
}

// Like strncpy, but always NUL-terminates.
char *
safestrcpy(char *s, const char *t, int n)
{
  char *os = s;
  if (n <= 0)
    return os;
  while (--n > 0 && (*s++ = *t++) != 0)
    ;
  *s = 0;
  return os;
}

size_t
strlen(const char *s)
{
  size_t n;
  for (n = 0; s[n]; n++)
    ;
  return n;
}
