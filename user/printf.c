// Formatted output: %d %u %x %p %s %c %%, with an l (or ll) for 64-bit integers.
// Output is gathered in a buffer and written with as few write() calls as it takes,
// so that lines from concurrent processes rarely interleave and printing is cheap.

#include <stdarg.h>
#include "user/user.h"

struct out {
  int fd;
  int n;
  char buf[128];
};

static void
flush(struct out *o)
{
  if(o->n > 0)
    write(o->fd, o->buf, o->n);
  o->n = 0;
}

static void
putc(struct out *o, char c)
{
  if(o->n == sizeof(o->buf))
    flush(o);
  o->buf[o->n++] = c;
}

static void
putnum(struct out *o, uint64 x, int base, int sgn)
{
  static const char digits[] = "0123456789abcdef";
  char tmp[24];
  int i = 0, neg = 0;

  if(sgn && (int64)x < 0){
    neg = 1;
    x = -(int64)x;
  }
  do {
    tmp[i++] = digits[x % base];
    x /= base;
  } while(x != 0);
  if(neg)
    tmp[i++] = '-';
  while(--i >= 0)
    putc(o, tmp[i]);
}

static void
vprintf(int fd, const char *fmt, va_list ap)
{
  struct out o;
  const char *s;
  uint64 x;
  int c, lng;

  o.fd = fd;
  o.n = 0;
  for(; (c = *fmt) != 0; fmt++){
    if(c != '%'){
      putc(&o, c);
      continue;
    }
    lng = 0;
    while(fmt[1] == 'l'){
      lng = 1;
      fmt++;
    }
    c = *++fmt;
    if(c == 0)
      break;
    switch(c){
    case 'd':
      x = lng ? va_arg(ap, long) : va_arg(ap, int);
      putnum(&o, x, 10, 1);
      break;
    case 'u':
      x = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
      putnum(&o, x, 10, 0);
      break;
    case 'x':
      x = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
      putnum(&o, x, 16, 0);
      break;
    case 'p':
      putc(&o, '0');
      putc(&o, 'x');
      putnum(&o, (uint64)va_arg(ap, void*), 16, 0);
      break;
    case 's':
      if((s = va_arg(ap, char*)) == 0)
        s = "(null)";
      for(; *s; s++)
        putc(&o, *s);
      break;
    case 'c':
      putc(&o, va_arg(ap, int));
      break;
    case '%':
      putc(&o, '%');
      break;
    default:
      // An unknown conversion is printed as written, to make the mistake visible.
      putc(&o, '%');
      putc(&o, c);
      break;
    }
  }
  flush(&o);
}

void
fprintf(int fd, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vprintf(fd, fmt, ap);
  va_end(ap);
}

void
printf(const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  vprintf(1, fmt, ap);
  va_end(ap);
}
