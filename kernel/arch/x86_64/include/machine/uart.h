// Access to the console's 16550 UART registers (dev/uart.c): COM1, in I/O port
// space at 0x3f8, one port per register; its interrupt is ISA IRQ 4.
#ifndef _MACHINE_UART_H_
#define _MACHINE_UART_H_

#include <sys/types.h>
#include <machine/x86.h>

#define COM1      0x3f8
#define COM1_IRQ  4

static inline uint8 uart_reg_read(int reg) { return inb(COM1 + reg); }
static inline void uart_reg_write(int reg, uint8 v) { outb(COM1 + reg, v); }

#endif
