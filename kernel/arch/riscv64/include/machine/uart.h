// Access to the console's 16550 UART registers (dev/uart.c): memory-mapped on the
// virt machine, one byte per register.
#ifndef _MACHINE_UART_H_
#define _MACHINE_UART_H_

#include <sys/types.h>
#include <machine/memlayout.h>

static inline uint8 uart_reg_read(int reg) { return *(volatile uint8 *)(UART0 + reg); }
static inline void uart_reg_write(int reg, uint8 v) { *(volatile uint8 *)(UART0 + reg) = v; }

#endif
