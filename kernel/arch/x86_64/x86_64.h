// Declarations shared by the x86-64 port's files (not part of the MI interface).
#ifndef _X86_64_H_
#define _X86_64_H_

#define CPUSTACK 16384    // each CPU's boot stack, which stays its scheduler stack
#define AP_TRAMP 0x8000   // where the APs' real-mode trampoline is copied (< 1 MiB)

#ifndef __ASSEMBLER__
#include <sys/types.h>
#include "kern/param.h"

// machdep.c
struct memrange { uint64 start, end; };
extern struct memrange physram[];    // usable RAM from the PVH memory map
extern int nphysram;
void cpu_setup(int cpu);             // GDT, TSS, IDT, FPU off: on every CPU, first thing
void tss_set_rsp0(uint64 rsp0);      // the stack a trap from user mode starts on

// acpi.c: what the ACPI tables say about this machine
extern int nacpicpu;                 // CPUs in the MADT, the boot CPU first
extern uint8 acpicpu_apicid[NCPU];   // their local APIC ids
extern uint64 ioapic_pa;
extern uint64 hpet_pa;
extern uint16 acpi_pm1a_cnt;         // the PM1a control port, for power-off
void acpi_init(uint64 rsdp_pa);
int isa_irq_to_gsi(int irq, int *level, int *low);

// lapic.c
extern uint8 apicid_to_cpu[256];
void lapic_init(void);
void lapic_timer_rearm(void);
void lapic_eoi(void);
int lapic_id(void);
void lapic_startap(int apicid, uint64 addr);
void lapic_ipi(int apicid, int vector);

// hpet.c
void hpet_init(void);
int hpet_running(void);

// ioapic.c
void ioapic_init(void);
void ioapic_enable(int irq, int cpu);

// trap.c
void idt_init(void);
void idt_load(void);

#endif

#endif
