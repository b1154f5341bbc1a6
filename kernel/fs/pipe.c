// Pipes: a bounded byte buffer between a writing file and a reading one.

#include <sys/types.h>
#include "kern/systm.h"
#include "kern/param.h"
#include "kern/spinlock.h"
#include "kern/proc.h"
#include "vm/vm.h"
#include "fs/fs.h"
#include "fs/file.h"
#include "fs/fsdefs.h"

#define PIPESIZE 512

// The bytes are data[nread % PIPESIZE .. nwrite % PIPESIZE). nread and nwrite only
// grow (wrapping around uint is harmless), so the pipe is empty when nread ==
// nwrite and full when nwrite == nread + PIPESIZE.
struct pipe {
  struct spinlock lock;
  char data[PIPESIZE];
  uint nread;       // bytes read so far
  uint nwrite;      // bytes written so far
  int readopen;     // is the read end still open?
  int writeopen;    // is the write end still open?
  int reading;      // a reader is copying bytes out: other readers wait their turn
};

// User bytes pass through a small buffer on the kernel stack.
// Why not copy straight into the pipe: copyin and copyout may fault pages in and
// sleep, which must not happen while holding the pipe's spin lock.
#define PIPE_BOUNCE 128

// Make a pipe and its two files: *f0 reads, *f1 writes. Returns 0 or -errno.
int
pipealloc(struct file **f0, struct file **f1)
{
  struct pipe *pi;

  KASSERT(sizeof(struct pipe) <= PAGE_SIZE, "struct pipe larger than a page");
  *f0 = *f1 = 0;
  if ((*f0 = filealloc()) == 0 || (*f1 = filealloc()) == 0)
    goto bad_nfile;
  if ((pi = (struct pipe *)kalloc()) == 0)
    goto bad_nomem;
  pi->readopen = 1;
  pi->writeopen = 1;
  pi->nread = 0;
  pi->nwrite = 0;
  pi->reading = 0;
  initlock(&pi->lock, "pipe");

  (*f0)->type = FD_PIPE;
  (*f0)->readable = 1;
  (*f0)->writable = 0;
  (*f0)->pipe = pi;
  (*f1)->type = FD_PIPE;
  (*f1)->readable = 0;
  (*f1)->writable = 1;
  (*f1)->pipe = pi;
  return 0;

bad_nomem:
  fileclose(*f0);
  fileclose(*f1);
  return -ENOMEM;
bad_nfile:
  if (*f0)
    fileclose(*f0);
  return -ENFILE;
}

// Close one end; free the pipe when both are closed.
void
pipeclose(struct pipe *pi, int writable)
{
  acquire(&pi->lock);
  if (writable) {
    pi->writeopen = 0;
    wakeup(&pi->nread);    // readers see end of file
  } else {
    pi->readopen = 0;
    wakeup(&pi->nwrite);   // writers see EPIPE
  }
  if (pi->readopen || pi->writeopen) {
    release(&pi->lock);
    return;
  }
  release(&pi->lock);
  kfree((char *)pi);
}

// Put the m bytes of buf into the pipe, waiting for room. Returns how many went in:
// fewer than m if the read end closed or the writer was killed (*err says which).
static int
pipe_put(struct pipe *pi, char *buf, int m, int *err)
{
  int i = 0;

  acquire(&pi->lock);
  while (i < m) {
    if (!pi->readopen) {
      *err = -EPIPE;
      break;
    }
    if (pi->nwrite == pi->nread + PIPESIZE) {
      if (killed(myproc())) {
        *err = -EINTR;
        break;
      }
      wakeup(&pi->nread);
      sleep(&pi->nwrite, &pi->lock);
      continue;
    }
    pi->data[pi->nwrite++ % PIPESIZE] = buf[i++];
  }
  wakeup(&pi->nread);
  release(&pi->lock);
  return i;
}

// Write n bytes from user address addr. Returns n, or what was written before the
// read end closed (-EPIPE if nothing), the writer was killed (-EINTR), or a bad
// address was met (-EFAULT): a piece of the buffer that cannot be read whole puts
// nothing in the pipe.
int
pipewrite(struct pipe *pi, uint64 addr, int n)
{
  char buf[PIPE_BOUNCE];
  int tot = 0, err = 0;

  while (tot < n) {
    int m = MIN(n - tot, PIPE_BOUNCE);
    if (copyin(buf, addr + tot, m) < 0) {
      err = -EFAULT;
      break;
    }
    int put = pipe_put(pi, buf, m, &err);
    tot += put;
    if (put < m)
      break;
  }
  return tot > 0 ? tot : err;
}

// Read up to n bytes into user address addr: wait for at least one byte (or end of
// file), then take what is there. Returns the bytes read, 0 at end of file, -EINTR
// if killed while waiting, or -EFAULT (the bytes that could not be copied out stay
// in the pipe, for the next read).
int
piperead(struct pipe *pi, uint64 addr, int n)
{
  char buf[PIPE_BOUNCE];
  int tot = 0, err = 0;

  acquire(&pi->lock);
  // Wait for bytes, and for our turn: a reader takes bytes out of the pipe only
  // once they are copied out, so two readers at once would copy the same bytes.
  while ((pi->nread == pi->nwrite && pi->writeopen) || pi->reading) {
    if (killed(myproc())) {
      release(&pi->lock);
      return -EINTR;
    }
    sleep(&pi->nread, &pi->lock);
  }
  pi->reading = 1;
  while (tot < n && pi->nread != pi->nwrite) {
    int m = 0;
    while (m < PIPE_BOUNCE && tot + m < n && pi->nread + m != pi->nwrite) {
      buf[m] = pi->data[(pi->nread + m) % PIPESIZE];
      m++;
    }
    release(&pi->lock);
    int bad = copyout(addr + tot, buf, m) < 0;
    acquire(&pi->lock);
    if (bad) {
      err = -EFAULT;
      break;
    }
    pi->nread += m;
    tot += m;
    wakeup(&pi->nwrite);
  }
  pi->reading = 0;
  wakeup(&pi->nread);   // the next reader's turn
  release(&pi->lock);
  return tot > 0 ? tot : err;
}
