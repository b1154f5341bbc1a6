// The console: a line discipline over the UART.
#ifndef _DEV_CONS_H_
#define _DEV_CONS_H_

void consoleinit(void);
void consputc(int c);          // synchronous: for printf and echo
void consoleintr(int c);       // a character arrived from the UART

// uart.c
void uartinit(void);
void uartputc(int c);          // may sleep until there is room in the buffer
void uartputc_sync(int c);     // spins; for kernel printf
void uartintr(void);

#endif
