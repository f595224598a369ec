/* SPDX-License-Identifier: GPL-2.0-only */
#include "console.h"

#include "cpu.h"

static uint16_t console_port; /* 0: console off */

/* 16550 registers, offsets from the base port. */
#define UART_THR 0  /* transmit holding; divisor low with DLAB */
#define UART_IER 1  /* interrupt enable; divisor high with DLAB */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_THRE 0x20
#define LCR_DLAB 0x80
#define LCR_8N1  0x03

void console_init(uint16_t port)
{
	console_port = port;
	if (!port)
		return;
	outb(port + UART_IER, 0x00);          /* no interrupts */
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_THR, 1);             /* divisor 1: 115200 baud */
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, 0xc7);          /* FIFOs on, cleared */
	outb(port + UART_MCR, 0x03);          /* DTR, RTS */
}

static void console_putc(char c)
{
	/* Bounded: a missing UART must not hang the handoff. */
	for (unsigned i = 0; i < 100000 && !(inb(console_port + UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(console_port + UART_THR, (uint8_t)c);
}

void console_puts(const char *s)
{
	if (!console_port)
		return;
	for (; *s; s++) {
		if (*s == '\n')
			console_putc('\r');
		console_putc(*s);
	}
}

void console_hex(uint64_t v)
{
	char buf[19];
	int i = 18;

	buf[i] = '\0';
	do {
		buf[--i] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	console_puts(&buf[i]);
}

void console_dec(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	console_puts(&buf[i]);
}
