// The few libc services the kernel-side stubs (stubs.c) need, behind names that
// do not clash with the kernel's own declarations. stubs.c includes kernel headers
// and not libc's; host.c includes libc's and not the kernel's.
#ifndef _TESTS_HOST_HOST_H_
#define _TESTS_HOST_HOST_H_

#include <stdarg.h>

void host_vprintf(const char *fmt, va_list ap);
void host_abort(void) __attribute__((noreturn));
void *host_page_alloc(void);          // a zeroed 4 KiB-aligned page, or 0
void host_page_free(void *p);
void *host_calloc(unsigned long n, unsigned long size);
void host_free(void *p);

#endif
