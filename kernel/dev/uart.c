// The 16550 UART that is the console. Output from processes goes through a buffer
// that the transmit interrupt drains; kernel printf writes synchronously.
// Register access is the port's (machine/uart.h): MMIO on RISC-V, port I/O on x86.
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "kern/spinlock.h"
#include "dev/cons.h"
#include <machine/uart.h>

#define RHR 0   // receive holding register (read)
#define THR 0   // transmit holding register (write)
#define IER 1   // interrupt enable
#define  IER_RX_ENABLE (1 << 0)
#define  IER_TX_ENABLE (1 << 1)
#define FCR 2   // FIFO control
#define  FCR_FIFO_ENABLE (1 << 0)
#define  FCR_FIFO_CLEAR (3 << 1)
#define ISR 2   // interrupt status
#define LCR 3   // line control
#define  LCR_EIGHT_BITS (3 << 0)
#define  LCR_BAUD_LATCH (1 << 7)
#define MCR 4   // modem control
#define  MCR_OUT2 (1 << 3)      // routes the interrupt line out on PCs
#define LSR 5   // line status
#define  LSR_RX_READY (1 << 0)
#define  LSR_TX_IDLE (1 << 5)

static struct spinlock uart_tx_lock;
#define UART_TX_BUF_SIZE 64
static char uart_tx_buf[UART_TX_BUF_SIZE];
static uint64 uart_tx_w;   // next write goes to uart_tx_buf[uart_tx_w % SIZE]
static uint64 uart_tx_r;   // next read comes from uart_tx_buf[uart_tx_r % SIZE]

void
uartinit(void)
{
  uart_reg_write(IER, 0x00);
  uart_reg_write(LCR, LCR_BAUD_LATCH);
  uart_reg_write(0, 0x03);   // 38.4K baud
  uart_reg_write(1, 0x00);
  uart_reg_write(LCR, LCR_EIGHT_BITS);
  uart_reg_write(FCR, FCR_FIFO_ENABLE | FCR_FIFO_CLEAR);
  uart_reg_write(MCR, MCR_OUT2);
  uart_reg_write(IER, IER_TX_ENABLE | IER_RX_ENABLE);
  initlock(&uart_tx_lock, "uart");
}

// Move buffered output to the UART while it has room. Caller holds uart_tx_lock.
static void
uartstart(void)
{
  while (uart_tx_w != uart_tx_r) {
    if ((uart_reg_read(LSR) & LSR_TX_IDLE) == 0)
      return;   // the transmit interrupt will call again
    int c = uart_tx_buf[uart_tx_r % UART_TX_BUF_SIZE];
    uart_tx_r++;
    wakeup(&uart_tx_r);
    uart_reg_write(THR, c);
  }
}

void
uartputc(int c)
{
  acquire(&uart_tx_lock);
  while (panicked)
    ;
  while (uart_tx_w == uart_tx_r + UART_TX_BUF_SIZE)
    sleep(&uart_tx_r, &uart_tx_lock);
  uart_tx_buf[uart_tx_w % UART_TX_BUF_SIZE] = c;
  uart_tx_w++;
  uartstart();
  release(&uart_tx_lock);
}

void
uartputc_sync(int c)
{
  push_off();
  while ((uart_reg_read(LSR) & LSR_TX_IDLE) == 0)
    ;
  uart_reg_write(THR, c);
  pop_off();
}

static int
uartgetc(void)
{
  if (uart_reg_read(LSR) & LSR_RX_READY)
    return uart_reg_read(RHR);
  return -1;
}

void
uartintr(void)
{
  int c;

  uart_reg_read(ISR);   // acknowledge
  while ((c = uartgetc()) >= 0)
    consoleintr(c);
  acquire(&uart_tx_lock);
  uartstart();
  release(&uart_tx_lock);
}
