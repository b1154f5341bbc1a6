// libc services for stubs.c (see host.h).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "host.h"
#include "stubs.h"

// Kernel printf output: to stdout, or (stub_quiet) only into stub_lastmsg, so that
// a test that provokes a report can check it without cluttering the log.
int stub_quiet;
char stub_lastmsg[512];

void
host_vprintf(const char *fmt, va_list ap)
{
  va_list ap2;
  va_copy(ap2, ap);
  vsnprintf(stub_lastmsg, sizeof(stub_lastmsg), fmt, ap2);
  va_end(ap2);
  if (!stub_quiet) {
    vfprintf(stdout, fmt, ap);
    fflush(stdout);
  }
}

void
host_abort(void)
{
  fflush(stdout);
  fflush(stderr);
  abort();
}

void *
host_page_alloc(void)
{
  void *p = aligned_alloc(4096, 4096);
  if (p)
    memset(p, 0, 4096);
  return p;
}

void
host_page_free(void *p)
{
  free(p);
}

void *
host_calloc(unsigned long n, unsigned long size)
{
  return calloc(n, size);
}

void
host_free(void *p)
{
  free(p);
}
