// x86-64 instructions the kernel needs that C cannot say, and the architectural
// constants they use.
#ifndef _MACHINE_X86_H_
#define _MACHINE_X86_H_

#ifndef __ASSEMBLER__
#include <sys/types.h>
#endif

// Model-specific registers.
#define MSR_APIC_BASE 0x1b
#define MSR_EFER      0xc0000080
#define  EFER_LME     (1 << 8)     // long mode
#define  EFER_NXE     (1 << 11)    // the PTE no-execute bit

// Control registers.
#define CR0_PE  0x00000001
#define CR0_MP  0x00000002
#define CR0_EM  0x00000004      // no FPU: x87 instructions trap
#define CR0_TS  0x00000008
#define CR0_WP  0x00010000      // supervisor writes obey read-only pages
#define CR0_PG  0x80000000
#define CR4_PAE 0x00000020
#define CR4_PGE 0x00000080
#define CR4_OSFXSR     0x00000200
#define CR4_OSXMMEXCPT 0x00000400

// Flags.
#define FL_IF 0x200     // interrupts enabled

// Segment selectors: the GDT layout is in machdep.c.
#define SEG_KCODE 1     // kernel code, 64-bit
#define SEG_KDATA 2     // kernel data
#define SEG_UDATA 3     // user data (before user code, the order sysret would need)
#define SEG_UCODE 4     // user code, 64-bit
#define SEG_TSS   5     // this CPU's TSS (a 16-byte descriptor: slots 5 and 6)
#define NSEGS     7
#define DPL_USER  3
#define SEL(seg, rpl) (((seg) << 3) | (rpl))

// Trap vectors.
#define T_DIVIDE   0
#define T_DEBUG    1
#define T_NMI      2
#define T_BRKPT    3
#define T_ILLOP    6
#define T_DEVICE   7
#define T_DBLFLT   8
#define T_GPFLT   13
#define T_PGFLT   14
#define T_IRQ0    32     // ISA IRQ n arrives as vector T_IRQ0 + n (via the IOAPIC)
#define T_TIMER   T_IRQ0 // the LAPIC timer
#define T_SYSCALL 64     // int $64 (machine/usyscall.h)
#define T_IPI     240    // the inter-processor interrupt (md_ipi_send)
#define T_SPURIOUS 255   // the LAPIC's spurious-interrupt vector

#define IRQ_IDE   14     // primary ATA channel

#ifndef __ASSEMBLER__
// Port I/O.
static inline uint8 inb(uint16 port)
{ uint8 v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16 inw(uint16 port)
{ uint16 v; asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32 inl(uint16 port)
{ uint32 v; asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outb(uint16 port, uint8 v)
{ asm volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16 port, uint16 v)
{ asm volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16 port, uint32 v)
{ asm volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline void insw(uint16 port, void *addr, int cnt)
{ asm volatile("cld; rep insw" : "+D"(addr), "+c"(cnt) : "d"(port) : "memory"); }
static inline void outsw(uint16 port, const void *addr, int cnt)
{ asm volatile("cld; rep outsw" : "+S"(addr), "+c"(cnt) : "d"(port) : "memory"); }

// Model-specific and control registers, the TLB, flags.
static inline uint64 rdmsr(uint32 msr)
{ uint32 lo, hi; asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return ((uint64)hi << 32) | lo; }
static inline void wrmsr(uint32 msr, uint64 v)
{ asm volatile("wrmsr" : : "c"(msr), "a"((uint32)v), "d"((uint32)(v >> 32))); }
static inline uint64 rcr0(void) { uint64 v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline void lcr0(uint64 v) { asm volatile("mov %0, %%cr0" : : "r"(v)); }
static inline uint64 rcr2(void) { uint64 v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64 rcr3(void) { uint64 v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline void lcr3(uint64 v) { asm volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline uint64 rcr4(void) { uint64 v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void lcr4(uint64 v) { asm volatile("mov %0, %%cr4" : : "r"(v)); }
static inline void invlpg(uint64 va) { asm volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static inline uint64 rdtsc(void)
{ uint32 lo, hi; asm volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64)hi << 32) | lo; }
static inline uint64 read_rflags(void)
{ uint64 v; asm volatile("pushfq; popq %0" : "=r"(v)); return v; }
#endif

#endif
