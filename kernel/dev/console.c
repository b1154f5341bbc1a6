// The console: reads a line at a time from the UART with simple editing, writes
// through the UART's buffer.
//
//   backspace or DEL  erase a character     ^U  erase the line
//   ^D                end of file           ^P  list processes
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/param.h"
#include "kern/proc.h"
#include "kern/spinlock.h"
#include "fs/file.h"
#include "dev/cons.h"

#define BACKSPACE 0x100
#define C(x) ((x) - '@')   // control-x

// Write c to the UART synchronously; BACKSPACE rubs out the last character shown.
void
consputc(int c)
{
  if (c == BACKSPACE) {
    uartputc_sync('\b');
    uartputc_sync(' ');
    uartputc_sync('\b');
  } else {
    uartputc_sync(c);
  }
}

static struct {
  struct spinlock lock;
#define INPUT_BUF_SIZE 128
  char buf[INPUT_BUF_SIZE];
  uint r;  // read index
  uint w;  // write index: the end of the completed lines
  uint e;  // edit index: the end of the line being typed
} cons;

static int
consolewrite(int user_src, uint64 src, int n)
{
  int i;

  for (i = 0; i < n; i++) {
    char c;
    if (either_copyin(&c, user_src, src + i, 1) < 0)
      break;
    uartputc(c);
  }
  return i;
}

// Copy up to one whole line to dst; wait for one if none is typed yet. The line
// is taken out under the lock and copied out after it, since the copy may fault.
static int
consoleread(int user_dst, uint64 dst, int n)
{
  char buf[INPUT_BUF_SIZE];
  int got = 0;

  acquire(&cons.lock);
  while (cons.r == cons.w) {
    if (killed(myproc())) {
      release(&cons.lock);
      return -EINTR;
    }
    sleep(&cons.r, &cons.lock);
  }
  while (got < n && got < INPUT_BUF_SIZE && cons.r != cons.w) {
    int c = cons.buf[cons.r++ % INPUT_BUF_SIZE];
    if (c == C('D')) {
      // End of file. If some bytes came first, keep the ^D for the next read, so
      // that that one returns 0.
      if (got > 0)
        cons.r--;
      break;
    }
    buf[got++] = c;
    if (c == '\n')
      break;
  }
  release(&cons.lock);
  if (got > 0 && either_copyout(user_dst, dst, buf, got) < 0)
    return -EFAULT;
  return got;
}

// A character from the UART: edit the line, or complete it and wake readers.
void
consoleintr(int c)
{
  acquire(&cons.lock);
  switch (c) {
  case C('P'):
    procdump();
    break;
  case C('U'):
    while (cons.e != cons.w && cons.buf[(cons.e - 1) % INPUT_BUF_SIZE] != '\n') {
      cons.e--;
      consputc(BACKSPACE);
    }
    break;
  case C('H'):
  case '\x7f':
    if (cons.e != cons.w) {
      cons.e--;
      consputc(BACKSPACE);
    }
    break;
  default:
    if (c != 0 && cons.e - cons.r < INPUT_BUF_SIZE) {
      c = (c == '\r') ? '\n' : c;
      consputc(c);
      cons.buf[cons.e++ % INPUT_BUF_SIZE] = c;
      if (c == '\n' || c == C('D') || cons.e - cons.r == INPUT_BUF_SIZE) {
        cons.w = cons.e;
        wakeup(&cons.r);
      }
    }
    break;
  }
  release(&cons.lock);
}

void
consoleinit(void)
{
  initlock(&cons.lock, "cons");
  uartinit();
  devsw[CONSOLE].read = consoleread;
  devsw[CONSOLE].write = consolewrite;
}
