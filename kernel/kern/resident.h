// Resident executables (imgact_resident.c): what exec, exit and main call.
#ifndef _KERN_RESIDENT_H_
#define _KERN_RESIDENT_H_

#include <sys/types.h>

struct inode;
struct vmspace;
struct vmresident;

void resident_init(void);
void resident_prune(void);
struct vmresident *resident_lookup(struct inode *ip);
int resident_exec(struct vmresident *vr, struct vmspace **vmp, uint64 *entry);

#endif
