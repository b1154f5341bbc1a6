// Kernel printf and panic, to the console.
#include <stdarg.h>
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/spinlock.h"
#include "dev/cons.h"

volatile int panicked = 0;

// One lock keeps lines from different CPUs apart; a panic prints without it.
static struct {
  struct spinlock lock;
  int locking;
} pr;

static const char digits[] = "0123456789abcdef";

static void
printint(uint64 x, int base, int sign)
{
  char buf[24];
  int i = 0, neg = 0;

  if (sign && (int64)x < 0) {
    neg = 1;
    x = -(int64)x;
  }
  do {
    buf[i++] = digits[x % base];
  } while ((x /= base) != 0);
  if (neg)
    buf[i++] = '-';
  while (--i >= 0)
    consputc(buf[i]);
}

// Formats: %d %u %x %ld %lu %lx %p %s %c %%.
static void
vprintf(const char *fmt, va_list ap)
{
  for (int i = 0; fmt[i]; i++) {
    char c = fmt[i];
    if (c != '%') {
      consputc(c);
      continue;
    }
    c = fmt[++i];
    int islong = 0;
    if (c == 'l') {
      islong = 1;
      c = fmt[++i];
    }
    switch (c) {
    case 'd':
      printint(islong ? va_arg(ap, int64) : va_arg(ap, int), 10, 1);
      break;
    case 'u':
      printint(islong ? va_arg(ap, uint64) : va_arg(ap, uint32), 10, 0);
      break;
    case 'x':
      printint(islong ? va_arg(ap, uint64) : va_arg(ap, uint32), 16, 0);
      break;
    case 'p':
      consputc('0');
      consputc('x');
      printint(va_arg(ap, uint64), 16, 0);
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      for (s = s ? s : "(null)"; *s; s++)
        consputc(*s);
      break;
    }
    case 'c':
      consputc(va_arg(ap, int));
      break;
    case 0:
      return;
    default:
      consputc('%');
      consputc(c);
      break;
    }
  }
}

void
printf(const char *fmt, ...)
{
  va_list ap;
  int locking = pr.locking;

  if (locking)
    acquire(&pr.lock);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  if (locking)
    release(&pr.lock);
}

void
panic(const char *fmt, ...)
{
  va_list ap;

  pr.locking = 0;
  printf("panic: ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  panicked = 1;    // freeze the console output of other CPUs
  for (;;)
    ;
}

void
printfinit(void)
{
  initlock(&pr.lock, "pr");
  pr.locking = 1;
}
