// Mutual exclusion spin locks: held with interrupts off on this CPU.
#ifndef _KERN_SPINLOCK_H_
#define _KERN_SPINLOCK_H_

struct spinlock {
  uint locked;       // is the lock held?
  const char *name;  // for debugging
  struct cpu *cpu;   // the CPU holding the lock
};

void initlock(struct spinlock *lk, const char *name);
void acquire(struct spinlock *lk);
void release(struct spinlock *lk);
int holding(struct spinlock *lk);
void push_off(void);
void pop_off(void);

#endif
