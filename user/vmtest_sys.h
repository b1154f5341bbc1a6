// The headers of the VM test programs (mmaptest, rbtest, cowtest, stacktest), which
// build for vmlab and also on a Linux host (gcc -o mmaptest user/mmaptest.c): there
// LINUX is defined and the C library's headers stand in for vmlab's user.h.
#ifndef _USER_VMTEST_SYS_H_
#define _USER_VMTEST_SYS_H_

// (The x86-64 port builds with the host's gcc, which defines __linux__ too; but
// not hosted.)
#if defined(__linux__) && __STDC_HOSTED__
#define LINUX 1
#endif

#ifdef LINUX
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#define PAGE_SIZE 4096
typedef unsigned long uint64;
typedef unsigned int uint32;
#else
#include <sys/fcntl.h>
#include <machine/vmparam.h>
#include "user/user.h"
#include "user/memsnap.h"
#endif

// A child's exit as wait() reports it; making a file. (Inline: not every program
// uses each.)
#ifdef LINUX
static inline int exited_with(int st, int code) { return WIFEXITED(st) && WEXITSTATUS(st) == code; }
static inline int was_killed(int st) { return WIFSIGNALED(st); }
static inline int creat_(char *name) { return open(name, O_CREAT | O_RDWR | O_TRUNC, 0644); }
#else
static inline int exited_with(int st, int code) { return st == code; }
static inline int was_killed(int st) { return st == -1; }
static inline int creat_(char *name) { return open(name, O_CREATE | O_RDWR | O_TRUNC); }
#endif

#endif
