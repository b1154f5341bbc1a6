// RISC-V control and status registers, as inline functions.
#ifndef _MACHINE_RISCV_H_
#define _MACHINE_RISCV_H_

#include <sys/types.h>

#define CSR_READ(name) ({ uint64 _v; asm volatile("csrr %0, " #name : "=r"(_v)); _v; })
#define CSR_WRITE(name, v) asm volatile("csrw " #name ", %0" : : "r"((uint64)(v)))

static inline uint64 r_mhartid(void) { return CSR_READ(mhartid); }

#define MSTATUS_MPP_MASK (3L << 11)
#define MSTATUS_MPP_S    (1L << 11)
#define MSTATUS_MIE      (1L << 3)

#define SSTATUS_SPP  (1L << 8)   // previous mode: 1 = supervisor, 0 = user
#define SSTATUS_SPIE (1L << 5)   // supervisor previous interrupt enable
#define SSTATUS_SIE  (1L << 1)   // supervisor interrupt enable
#define SSTATUS_SUM  (1L << 18)  // supervisor may access user memory

#define SIE_SEIE (1L << 9)       // external
#define SIE_STIE (1L << 5)       // timer
#define SIE_SSIE (1L << 1)       // software
#define SIP_SSIP (1L << 1)       // a software interrupt is pending

// scause values
#define SCAUSE_INTR        (1L << 63)
#define SCAUSE_ECALL_U     8
#define SCAUSE_INST_FAULT  12
#define SCAUSE_LOAD_FAULT  13
#define SCAUSE_STORE_FAULT 15
#define SCAUSE_IRQ_SOFT    (SCAUSE_INTR | 1)
#define SCAUSE_IRQ_TIMER   (SCAUSE_INTR | 5)
#define SCAUSE_IRQ_EXT     (SCAUSE_INTR | 9)

static inline uint64 r_sstatus(void) { return CSR_READ(sstatus); }
static inline void w_sstatus(uint64 x) { CSR_WRITE(sstatus, x); }
static inline void s_sstatus(uint64 bits) { asm volatile("csrs sstatus, %0" : : "r"(bits)); }
static inline void c_sstatus(uint64 bits) { asm volatile("csrc sstatus, %0" : : "r"(bits)); }
static inline uint64 r_sie(void) { return CSR_READ(sie); }
static inline void w_sie(uint64 x) { CSR_WRITE(sie, x); }
static inline void c_sip(uint64 bits) { asm volatile("csrc sip, %0" : : "r"(bits)); }
static inline uint64 r_sepc(void) { return CSR_READ(sepc); }
static inline void w_sepc(uint64 x) { CSR_WRITE(sepc, x); }
static inline uint64 r_scause(void) { return CSR_READ(scause); }
static inline uint64 r_stval(void) { return CSR_READ(stval); }
static inline void w_stvec(uint64 x) { CSR_WRITE(stvec, x); }
static inline void w_sscratch(uint64 x) { CSR_WRITE(sscratch, x); }
static inline uint64 r_satp(void) { return CSR_READ(satp); }
static inline void w_satp(uint64 x) { CSR_WRITE(satp, x); }
static inline uint64 r_time(void) { return CSR_READ(time); }
static inline void w_stimecmp(uint64 x) { CSR_WRITE(0x14d, x); }
static inline uint64 r_tp(void) { uint64 x; asm volatile("mv %0, tp" : "=r"(x)); return x; }
static inline void w_tp(uint64 x) { asm volatile("mv tp, %0" : : "r"(x)); }

static inline void sfence_vma(void) { asm volatile("sfence.vma zero, zero"); }
// Flush one page's translation only. Hardware may do less work for it; QEMU (7.2 to
// 9.x at least) flushes its whole TLB for any sfence.vma, as for a write of satp.
static inline void sfence_vma_page(uint64 va) { asm volatile("sfence.vma %0, zero" : : "r"(va)); }

// Sv39 page-table entries.
#define SATP_SV39 (8L << 60)
#define MAKE_SATP(pt) (SATP_SV39 | (((uint64)(pt)) >> 12))

#define PTE_V (1L << 0)
#define PTE_R (1L << 1)
#define PTE_W (1L << 2)
#define PTE_X (1L << 3)
#define PTE_U (1L << 4)
#define PTE_G (1L << 5)
#define PTE_A (1L << 6)
#define PTE_D (1L << 7)
#define PTE_SW_WIRED (1L << 8)   // one of the two bits the hardware leaves to software

#define PA2PTE(pa) ((((uint64)(pa)) >> 12) << 10)
#define PTE2PA(pte) (((pte) >> 10) << 12)
#define PTE_FLAGS(pte) ((pte) & 0x3FF)
#define PX_SHIFT(level) (12 + 9 * (level))
#define PX(level, va) ((((uint64)(va)) >> PX_SHIFT(level)) & 0x1FF)

#endif
