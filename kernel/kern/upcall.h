// Upcalls (kern_upcall.c): what the rest of the kernel calls.
#ifndef _KERN_UPCALL_H_
#define _KERN_UPCALL_H_

struct proc;

void upcall_init(void);
// On p's way back to user mode with p->p_upcallpend set (userret()).
void postupcall(struct proc *p);
// p leaves its vmspace (exit, exec): its upcalls go.
void upcall_release(struct proc *p);

#endif
