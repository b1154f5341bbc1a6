// Kernel printf and panic, to the console.
#include <stdarg.h>
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/spinlock.h"
#include "kern/proc.h"
#include "dev/cons.h"
#include <machine/frame.h>
#include <machine/vmparam.h>

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

// The kernel stack that holds address fp: the current process's, or this CPU's own.
static void
stack_bounds(uint64 fp, uint64 *lo, uint64 *hi)
{
  struct proc *p = myproc();

  if (p && p->kstack <= fp && fp < p->kstack + KSTACKSIZE) {
    *lo = p->kstack;
    *hi = p->kstack + KSTACKSIZE;
  } else {
    md_cpu_stack(lo, hi);
  }
}

#define MAXFRAMES 16

// The return addresses on this kernel stack from the frame at fp outwards (the
// first: where that frame's function was called from), one per line between
// "backtrace:" and "backtrace end" (grade/harness.py looks for them and turns them
// into function names and lines; by hand: addr2line -f -e build/ARCH/kernel ADDR).
// The kernel is built with -fno-omit-frame-pointer, so the frames form a chain
// (<machine/frame.h>). A panic may come from a corrupt kernel, so no frame pointer is
// trusted: the walk stops at one that is misaligned, outside the current kernel stack,
// or not above the one before it (the stack grows down), and after MAXFRAMES frames.
// It stops too at a return address outside the kernel's text: the frame of a trap
// from user space holds the user's.
static void
backtrace(uint64 fp)
{
  extern char stext[], etext[];     // kernel.ld
  uint64 lo, hi;
  const int below = MIN(FRAME_SAVED_PC, FRAME_SAVED_FP);
  const int above = MAX(FRAME_SAVED_PC, FRAME_SAVED_FP) + 8;

  stack_bounds(fp, &lo, &hi);
  printf("backtrace:\n");
  for (int n = 0; n < MAXFRAMES; n++) {
    if (fp % 8 != 0 || fp + below < lo || fp + above > hi)
      break;
    uint64 pc = *(uint64 *)(fp + FRAME_SAVED_PC);
    uint64 caller = *(uint64 *)(fp + FRAME_SAVED_FP);
    if (pc < (uint64)stext || pc >= (uint64)etext)
      break;
    printf("  %p\n", (void *)pc);
    if (caller <= fp)
      break;
    fp = caller;
  }
  printf("backtrace end\n");
}

// A panic's first words; then its message, on the same line. Not inlined, so that
// GDB's "break panic" stops at a line of panic's own, not at the inline intr_off.
static void __attribute__((noinline))
panic_begin(void)
{
  intr_off();      // stay on this CPU and this stack
  pr.locking = 0;
  printf("panic: ");
}

// The end of a panic's line, a backtrace from fp (panic's own frame, so that it
// begins at panic's caller), and this CPU stops.
static void __attribute__((noreturn))
panic_end(uint64 fp)
{
  printf("\n");
  panicked = 1;    // freeze the console output of other CPUs
  backtrace(fp);
  for (;;)
    ;
}

// Print "panic: " and the message on one line, then a backtrace, and stop this CPU.
void
panic(const char *fmt, ...)
{
  va_list ap;

  panic_begin();
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  panic_end((uint64)__builtin_frame_address(0));
}

// A KASSERT that failed: a panic that names the condition and where it is.
void
kassert_failed(const char *cond, const char *file, int line, const char *fmt, ...)
{
  va_list ap;

  panic_begin();
  printf("assertion \"%s\" failed: ", cond);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf(" (%s:%d)", file, line);
  panic_end((uint64)__builtin_frame_address(0));
}

void
printfinit(void)
{
  initlock(&pr.lock, "pr");
  pr.locking = 1;
}
