/* SPDX-License-Identifier: GPL-2.0-only */
/* mpk-payload: what it does once in 64-bit mode (payload.h says how it
 * gets here).  No libc, no interrupts, one CPU (the BSP) runs this file;
 * the APs only run ap_entry64 (common.S).
 *
 *   1. COM1 (0x3f8, 115200 8N1), a first line
 *   2. the RSDP: multiboot2 ACPI tag (new RSDP, type 15; old, type 14),
 *      boot_params.acpi_rsdp_addr (ELF64 --args-linux), else (multiboot v1,
 *      ELF64 --args-none) the BIOS area: EBDA, 0xE0000-0xFFFFF (SeaBIOS
 *      puts it there; on UEFI there is nothing to find)
 *   3. XSDT (RSDT if none) -> MADT: Local APIC / x2APIC entries, the
 *      Multiprocessor Wakeup structure; FADT: PM timer, PM1a control, DSDT
 *   4. every enabled CPU but ourselves: through the mailbox (ACPI 6.4
 *      5.2.12.19, one CPU at a time as Linux does) or, without a wakeup
 *      structure (or with ap=init on the command line), INIT-SIPI-SIPI into
 *      our real-mode trampoline; each checks in (ap_entry64)
 *   5. the result lines, MPK-DONE (MPK-FAIL when a CPU did not check in),
 *      power off through ACPI (S5)
 *
 * Records (tests/vm/scenario.py parses them; keys [a-z_]):
 *   MPK-PAYLOAD-HELLO entry=mb2|mb1|elf64 magic= info= paging=4|5 (the 64-bit
 *                     entry keeps the loader's depth: PML5 above our PML4)
 *   MPK-PAYLOAD-INFO loader=<name, spaces as _> mmap=<RAM ranges> cmdline=<...>
 *   MPK-PAYLOAD-RSDP source=mb2-acpi-new|mb2-acpi-old|boot-params|bios-scan
 *                    addr= rev= oem= root=xsdt@0x...|rsdt@0x...
 *   MPK-PAYLOAD-MADT apic= flags= kind=lapic|x2apic   (one per CPU entry)
 *   MPK-PAYLOAD-START mode=mailbox|init|none entry= madt_cpus= online_capable=
 *                     wakeup=vN@0x...|none reset= self= lapic=x2apic|xapic|unused rsdp=
 *   MPK-PAYLOAD-WAKE apic= via=mailbox|init ack=ok|timeout ack_us= checkin=ok|timeout checkin_us=
 *                    (via=skipped: skip=ID on the command line)
 *   MPK-PAYLOAD-CPUS checked_in= expected= apic_ids=a,b,... missing=...|none
 *   MPK-PAYLOAD-POWEROFF pm1a_cnt= slp_typ= source=dsdt|assumed
 *   MPK-DONE | MPK-FAIL <reason>
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "payload.h"

volatile uint32_t ap_slot;
volatile uint32_t checkin_count;
volatile uint32_t checkin_ids[MAX_CPUS];

/* ---- port I/O, MSRs, CPUID ------------------------------------------- */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

static uint32_t my_apic_id(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] >= 0xb) {
		uint32_t b[4];

		cpuid(0xb, 0, b);
		if (b[1])
			return b[3];
	}
	cpuid(1, 0, r);
	return r[1] >> 24;
}

/* ---- memory -------------------------------------------------------- */

/* Physical addresses are used as pointers: our map is the identity of the
 * low 4 GiB; anything above is refused where it is read (mapped()). */
static bool mapped(uint64_t addr, uint64_t len)
{
	return len <= 0x100000000ull && addr <= 0x100000000ull - len;
}

static inline const uint8_t *phys(uint64_t addr)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)addr;

	__asm__("" : "+r"(p));  /* an address, not an object GCC can size */
	return p;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static bool mem_eq(const uint8_t *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != (uint8_t)b[i])
			return false;
	return true;
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/* ---- COM1 ------------------------------------------------------------ */

#define COM1 0x3f8

static void serial_init(void)
{
	outb(COM1 + 1, 0x00);   /* no interrupts */
	outb(COM1 + 3, 0x80);   /* DLAB */
	outb(COM1 + 0, 1);      /* divisor 1: 115200 */
	outb(COM1 + 1, 0);
	outb(COM1 + 3, 0x03);   /* 8N1 */
	outb(COM1 + 2, 0xc7);   /* FIFOs on, cleared */
	outb(COM1 + 4, 0x03);   /* DTR, RTS */
}

static void putc_raw(char c)
{
	/* bounded: a missing UART must not hang the payload */
	for (unsigned i = 0; i < 1000000 && !(inb(COM1 + 5) & 0x20); i++)
		cpu_relax();
	outb(COM1, (uint8_t)c);
}

static void say(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			putc_raw('\r');
		putc_raw(*s);
	}
}

static void put_hex(uint64_t v)
{
	char buf[19];
	int i = 18;

	buf[i] = 0;
	do {
		buf[--i] = "0123456789abcdef"[v & 0xf];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	say(buf + i);
}

static void put_dec(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	say(buf + i);
}

/* A word of firmware or loader text: printable, no spaces (as _), bounded. */
static void put_word(const uint8_t *s, size_t max)
{
	for (size_t i = 0; i < max && s[i]; i++)
		putc_raw(s[i] > ' ' && s[i] < 0x7f ? (char)s[i] : '_');
}

/* Rest-of-line text (cmdline): printable, bounded. */
static void put_text(const uint8_t *s, size_t max)
{
	for (size_t i = 0; i < max && s[i]; i++)
		putc_raw(s[i] >= ' ' && s[i] < 0x7f ? (char)s[i] : '?');
}

/* ---- time: the ACPI PM timer (3.579545 MHz) ------------------------- */

static uint16_t pm_tmr_port;
static uint32_t pm_tmr_mask = 0xffffff;  /* 24 bits unless FADT TMR_VAL_EXT */

static uint32_t pm_ticks(void)
{
	return inl(pm_tmr_port) & pm_tmr_mask;
}

/* A clock in microseconds that only has to be right over seconds: the PM
 * timer, or without one (no FADT) a PAUSE count (about, not exactly, 1 us
 * each under QEMU TCG; only the timeouts then drift). */
struct clock {
	uint32_t last;
	uint64_t us_acc;   /* in ticks, scaled below */
};

static void clock_start(struct clock *c)
{
	c->last = pm_tmr_port ? pm_ticks() : 0;
	c->us_acc = 0;
}

static uint64_t clock_us(struct clock *c)
{
	if (!pm_tmr_port) {
		cpu_relax();
		return ++c->us_acc;
	}
	uint32_t now = pm_ticks();

	c->us_acc += (now - c->last) & pm_tmr_mask;
	c->last = now;
	return c->us_acc * 1000000ull / 3579545ull;
}

static void delay_us(uint64_t us)
{
	struct clock c;

	clock_start(&c);
	while (clock_us(&c) < us)
		cpu_relax();
}

/* ---- boot information ----------------------------------------------- */

struct bootinfo {
	const char *entry;            /* "mb2", "mb1", "elf64" */
	const uint8_t *rsdp;          /* NULL: not found */
	const char *rsdp_source;
	uint64_t rsdp_addr;           /* where the RSDP (or the tag's copy) is */
	const uint8_t *cmdline;
	const uint8_t *loader;
	/* RAM ranges of the memory map, for the trampoline page */
	unsigned nram;
	uint64_t ram[64][2];
	bool have_map;
};

static void add_ram(struct bootinfo *bi, uint64_t base, uint64_t len)
{
	bi->have_map = true;
	if (bi->nram < 64 && len) {
		bi->ram[bi->nram][0] = base;
		bi->ram[bi->nram][1] = base + len;
		bi->nram++;
	}
}

static bool is_ram(const struct bootinfo *bi, uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < bi->nram; i++)
		if (bi->ram[i][0] <= start && end <= bi->ram[i][1])
			return true;
	return false;
}

static bool rsdp_valid(const uint8_t *p)
{
	if (!mem_eq(p, "RSD PTR ", 8) || sum8(p, 20))
		return false;
	if (p[15] >= 2) {
		uint32_t len = rd32(p + 20);

		if (len < 36 || len > 4096 || sum8(p, len))
			return false;
	}
	return true;
}

static void parse_mb2(struct bootinfo *bi, uint64_t info)
{
	const uint8_t *old = NULL;

	bi->entry = "mb2";
	if (!info || !mapped(info, 8))
		return;
	uint32_t total = rd32(phys(info));

	if (total < 16 || !mapped(info, total))
		return;
	for (uint32_t off = 8; off + 8 <= total;) {
		const uint8_t *t = phys(info + off);
		uint32_t type = rd32(t), size = rd32(t + 4);

		if (type == 0 || size < 8 || off + size > total)
			break;
		switch (type) {
		case 1:  /* command line */
			bi->cmdline = t + 8;
			break;
		case 2:  /* boot loader name */
			bi->loader = t + 8;
			break;
		case 6: { /* memory map */
			uint32_t esz = rd32(t + 8);

			if (esz < 24)
				break;
			for (uint32_t e = 16; e + esz <= size; e += esz)
				if (rd32(t + e + 16) == 1)
					add_ram(bi, rd64(t + e), rd64(t + e + 8));
			break;
		}
		case 14: /* ACPI old RSDP (a copy) */
			if (size >= 8 + 20 && rsdp_valid(t + 8))
				old = t + 8;
			break;
		case 15: /* ACPI new RSDP (a copy) */
			if (size >= 8 + 36 && rsdp_valid(t + 8) && !bi->rsdp) {
				bi->rsdp = t + 8;
				bi->rsdp_source = "mb2-acpi-new";
			}
			break;
		}
		off += (size + 7) & ~7u;
	}
	if (!bi->rsdp && old) {
		bi->rsdp = old;
		bi->rsdp_source = "mb2-acpi-old";
	}
	if (bi->rsdp)
		bi->rsdp_addr = (uintptr_t)bi->rsdp;
}

static void parse_mb1(struct bootinfo *bi, uint64_t info)
{
	bi->entry = "mb1";
	if (!info || !mapped(info, 72))
		return;
	const uint8_t *p = phys(info);
	uint32_t flags = rd32(p);

	if (flags & (1u << 2) && mapped(rd32(p + 16), 1))
		bi->cmdline = phys(rd32(p + 16));
	if (flags & (1u << 9) && mapped(rd32(p + 64), 1))
		bi->loader = phys(rd32(p + 64));
	if (flags & (1u << 6)) {
		uint32_t len = rd32(p + 44), addr = rd32(p + 48);

		if (mapped(addr, len))
			for (uint32_t off = 0; off + 24 <= len;) {
				const uint8_t *e = phys(addr + off);
				uint32_t sz = rd32(e);

				if (rd32(e + 20) == 1)
					add_ram(bi, rd64(e + 4), rd64(e + 12));
				off += sz + 4;
			}
	}
}

/* Linux boot_params (the ELF64 build with --args-linux). */
#define BP_ACPI_RSDP   0x070
#define BP_EXT_CMDLINE 0x0c8
#define BP_E820_COUNT  0x1e8
#define BP_CMDLINE     0x228
#define BP_E820_TABLE  0x2d0

static void parse_boot_params(struct bootinfo *bi, uint64_t bp)
{
	bi->entry = "elf64";
	if (!bp || !mapped(bp, 4096))
		return;
	const uint8_t *p = phys(bp);
	uint64_t rsdp = rd64(p + BP_ACPI_RSDP);
	uint64_t cmd = rd32(p + BP_CMDLINE) | (uint64_t)rd32(p + BP_EXT_CMDLINE) << 32;
	unsigned n = p[BP_E820_COUNT];

	if (cmd && mapped(cmd, 1))
		bi->cmdline = phys(cmd);
	for (unsigned i = 0; i < n && i < 128; i++) {
		const uint8_t *e = p + BP_E820_TABLE + 20 * i;

		if (rd32(e + 16) == 1)
			add_ram(bi, rd64(e), rd64(e + 8));
	}
	if (rsdp && mapped(rsdp, 36) && rsdp_valid(phys(rsdp))) {
		bi->rsdp = phys(rsdp);
		bi->rsdp_addr = rsdp;
		bi->rsdp_source = "boot-params";
	}
}

/* The BIOS way (ACPI 5.2.5.1): the first KiB of the EBDA, then
 * 0xE0000-0xFFFFF, on 16-byte boundaries. */
static void scan_bios(struct bootinfo *bi)
{
	uint64_t ebda = (uint64_t)rd16(phys(0x40e)) << 4;
	uint64_t ranges[2][2] = { { ebda, ebda + 1024 }, { 0xe0000, 0x100000 } };

	for (unsigned r = 0; r < 2; r++) {
		if (ranges[r][0] < 0x400 || ranges[r][1] > 0x100000)
			continue;
		for (uint64_t a = ranges[r][0]; a + 36 <= ranges[r][1]; a += 16)
			if (rsdp_valid(phys(a))) {
				bi->rsdp = phys(a);
				bi->rsdp_addr = a;
				bi->rsdp_source = "bios-scan";
				return;
			}
	}
}

/* ---- ACPI tables ----------------------------------------------------- */

static const uint8_t *root;       /* XSDT or RSDT */
static bool root_is_xsdt;

static const uint8_t *sdt(uint64_t addr)
{
	if (!addr || !mapped(addr, 36))
		return NULL;
	uint32_t len = rd32(phys(addr) + 4);

	if (len < 36 || len > (16u << 20) || !mapped(addr, len))
		return NULL;
	return phys(addr);
}

static const uint8_t *find_table(const char *sig)
{
	if (!root)
		return NULL;
	uint32_t len = rd32(root + 4), esz = root_is_xsdt ? 8 : 4;

	for (uint32_t off = 36; off + esz <= len; off += esz) {
		uint64_t a = root_is_xsdt ? rd64(root + off) : rd32(root + off);
		const uint8_t *t = sdt(a);

		if (t && mem_eq(t, sig, 4))
			return t;
	}
	return NULL;
}

struct cpu {
	uint32_t apic_id;
	uint32_t flags;
	const char *kind;
};

static struct cpu cpus[MAX_CPUS];
static unsigned ncpus;
static uint64_t mailbox;          /* 0: no wakeup structure */
static unsigned mailbox_version;
static uint64_t reset_vector;
static uint64_t lapic_base = 0xfee00000;

static void add_cpu(uint32_t id, uint32_t flags, const char *kind)
{
	if (!(flags & 3))
		return;  /* neither enabled nor online capable: not a CPU */
	for (unsigned i = 0; i < ncpus; i++)
		if (cpus[i].apic_id == id)
			return;  /* listed twice (Local APIC and x2APIC) */
	if (ncpus < MAX_CPUS)
		cpus[ncpus++] = (struct cpu){ id, flags, kind };
}

static void parse_madt(const uint8_t *m)
{
	uint32_t len = rd32(m + 4);

	lapic_base = rd32(m + 36);
	for (uint32_t off = 44; off + 2 <= len;) {
		const uint8_t *e = m + off;
		uint8_t type = e[0], elen = e[1];

		if (elen < 2 || off + elen > len)
			break;
		if (type == 0 && elen >= 8)
			add_cpu(e[3], rd32(e + 4), "lapic");
		else if (type == 9 && elen >= 16)
			add_cpu(rd32(e + 4), rd32(e + 8), "x2apic");
		else if (type == 5 && elen >= 12)
			lapic_base = rd64(e + 4);
		else if (type == 0x10 && elen >= 16) {
			mailbox_version = rd16(e + 2);
			mailbox = rd64(e + 8);
			reset_vector = elen >= 24 ? rd64(e + 16) : 0;
		}
		off += elen;
	}
}

/* FADT fields (ACPI 6.5 table 5.9) */
static uint16_t pm1a_cnt;
static uint8_t slp_typ_s5;
static const char *slp_source = "assumed";

static uint64_t gas_io(const uint8_t *f, uint32_t flen, uint32_t off)
{
	/* a Generic Address Structure in system I/O space */
	if (off + 12 > flen || f[off] != 1)
		return 0;
	return rd64(f + off + 4);
}

/* \_S5's SLP_TYPa: the first element of the package named _S5_ in the
 * DSDT (NameOp "_S5_" PackageOp PkgLength NumElements, then a Zero/One
 * opcode or a BytePrefix constant).  A byte search, not an AML
 * interpreter: enough for QEMU's DSDT, where _S5 is Package {0, 0}, and
 * most firmware's.  Not found: 0 (QEMU's value) is assumed and said. */
static void find_s5(const uint8_t *dsdt)
{
	uint32_t len = rd32(dsdt + 4);

	for (uint32_t i = 36; i + 12 < len; i++) {
		if (!mem_eq(dsdt + i, "_S5_", 4) || dsdt[i + 4] != 0x12)
			continue;
		const uint8_t *p = dsdt + i + 5;

		p += 1 + (p[0] >> 6);    /* PkgLength: lead byte + its follow bytes */
		p += 1;                  /* NumElements */
		if (p[0] == 0x0a)
			slp_typ_s5 = p[1] & 7;
		else if (p[0] == 0x00 || p[0] == 0x01)
			slp_typ_s5 = p[0];
		else
			return;
		slp_source = "dsdt";
		return;
	}
}

static void parse_fadt(const uint8_t *f)
{
	uint32_t len = rd32(f + 4);
	uint64_t x;

	if (len >= 92) {
		pm1a_cnt = (uint16_t)rd32(f + 64);
		pm_tmr_port = (uint16_t)rd32(f + 76);
	}
	if (len >= 116 && rd32(f + 112) & (1u << 8))
		pm_tmr_mask = 0xffffffff;   /* TMR_VAL_EXT */
	if ((x = gas_io(f, len, 172)) != 0)
		pm1a_cnt = (uint16_t)x;
	if ((x = gas_io(f, len, 208)) != 0)
		pm_tmr_port = (uint16_t)x;
	uint64_t dsdt = len >= 148 && rd64(f + 140) ? rd64(f + 140) : rd32(f + 40);
	const uint8_t *d = sdt(dsdt);

	if (d && mem_eq(d, "DSDT", 4))
		find_s5(d);
}

/* ---- power off --------------------------------------------------------- */

static void __attribute__((noreturn)) power_off(void)
{
	say("MPK-PAYLOAD-POWEROFF pm1a_cnt=");
	put_hex(pm1a_cnt);
	say(" slp_typ=");
	put_dec(slp_typ_s5);
	say(" source=");
	say(slp_source);
	say("\n");
	delay_us(2000);   /* the UART FIFO drains (16 bytes at 115200: 1.4 ms) */
	if (pm1a_cnt)
		outw(pm1a_cnt, (uint16_t)(slp_typ_s5 << 10 | 1u << 13));  /* SLP_TYP, SLP_EN */
	delay_us(200000);
	/* Still here: a triple fault (QEMU -no-reboot then exits). */
	say("MPK-PAYLOAD-POWEROFF failed: triple fault\n");
	delay_us(2000);
	static const struct __attribute__((packed)) { uint16_t limit; uint64_t base; } null_idt;
	__asm__ volatile("lidt %0; int3" : : "m"(null_idt));
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void __attribute__((noreturn)) fail(const char *why)
{
	say("MPK-FAIL ");
	say(why);
	say("\n");
	power_off();
}

/* ---- local APIC (INIT mode) ------------------------------------------ */

#define MSR_APIC_BASE 0x1b
#define APIC_X2       (1u << 10)
#define APIC_EN       (1u << 11)

static bool x2apic;

static void apic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		*(volatile uint32_t *)(uintptr_t)(lapic_base + reg) = v;
}

static uint32_t apic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return *(volatile uint32_t *)(uintptr_t)(lapic_base + reg);
}

/* want_x2: switch to x2APIC mode first (the command-line word x2apic, on
 * a CPU that has it: CPUID 1 ECX bit 21), so that path can be tested from
 * firmware that leaves the xAPIC mode on. */
static void apic_init(bool want_x2)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t r[4];

	if (!(base & APIC_EN))
		wrmsr(MSR_APIC_BASE, base |= APIC_EN);
	cpuid(1, 0, r);
	if (want_x2 && !(base & APIC_X2) && r[2] & (1u << 21))
		wrmsr(MSR_APIC_BASE, base |= APIC_X2);
	x2apic = base & APIC_X2;
	if (!x2apic)
		lapic_base = base & 0xffffff000ull;
	apic_write(0xf0, apic_read(0xf0) | 0x100 | 0xff);  /* SVR: software enabled */
}

/* ICR: in x2APIC mode one 64-bit MSR write, in xAPIC mode the destination
 * (bits 31:24 of 0x310) then the command (0x300), waiting for the delivery
 * status bit to clear. */
static void send_ipi(uint32_t dest, uint32_t cmd)
{
	if (x2apic) {
		wrmsr(0x830, (uint64_t)dest << 32 | cmd);
		return;
	}
	apic_write(0x310, dest << 24);
	apic_write(0x300, cmd);
	for (unsigned i = 0; i < 1000000 && apic_read(0x300) & (1u << 12); i++)
		cpu_relax();
}

/* ---- waking the APs ---------------------------------------------------- */

#define TIMEOUT_US 1000000   /* per AP: the Wakeup ack, then its check-in */

static bool wait_checkin(uint32_t want, struct clock *c, uint64_t *us)
{
	while (checkin_count < want) {
		*us = clock_us(c);
		if (*us > TIMEOUT_US)
			return false;
		cpu_relax();
	}
	*us = clock_us(c);
	return true;
}

static void report_wake(uint32_t id, const char *via, int ack, uint64_t ack_us, bool in,
			uint64_t in_us)
{
	say("MPK-PAYLOAD-WAKE apic=");
	put_dec(id);
	say(" via=");
	say(via);
	if (ack >= 0) {
		say(ack ? " ack=ok ack_us=" : " ack=timeout ack_us=");
		put_dec(ack_us);
	}
	say(in ? " checkin=ok checkin_us=" : " checkin=timeout checkin_us=");
	put_dec(in_us);
	say("\n");
}

/* The ACPI mailbox (ACPI 6.4 5.2.12.19), as Linux's acpi_wakeup_cpu does
 * it: ApicId, WakeupVector, then Command = Wakeup; the firmware (here the
 * park loop, docs/park-abi.md) clears Command once it has read the vector,
 * and the next CPU's command is written only after that.  The AP arrives
 * at ap_entry64 in 64-bit mode on the park region's identity map. */
static void wake_mailbox(uint32_t id)
{
	volatile uint16_t *cmd = (volatile uint16_t *)(uintptr_t)(mailbox + 0);
	volatile uint32_t *apic = (volatile uint32_t *)(uintptr_t)(mailbox + 4);
	volatile uint64_t *vec = (volatile uint64_t *)(uintptr_t)(mailbox + 8);
	uint32_t before = checkin_count;
	struct clock c;
	uint64_t ack_us = 0, in_us = 0;
	bool ack = true;

	clock_start(&c);
	*apic = id;
	*vec = (uintptr_t)ap_entry64;
	barrier();             /* x86-TSO: the stores are seen in this order */
	*cmd = 1;              /* Wakeup */
	while (*cmd != 0) {
		ack_us = clock_us(&c);
		if (ack_us > TIMEOUT_US) {
			ack = false;
			*cmd = 0;      /* withdrawn, so the next CPU's command can go */
			break;
		}
		cpu_relax();
	}
	ack_us = clock_us(&c);
	bool in = ack && wait_checkin(before + 1, &c, &in_us);
	report_wake(id, "mailbox", ack, ack_us, in, in_us);
}

/* INIT, then two STARTUP IPIs with our trampoline's page as the vector
 * (the Intel SDM's universal start-up: 10 ms after INIT, 200 us between
 * the SIPIs), as Linux does with an xAPIC/x2APIC. */
static void wake_init(uint32_t id)
{
	uint32_t before = checkin_count;
	struct clock c;
	uint64_t in_us = 0;

	clock_start(&c);
	send_ipi(id, 0x0000c500);         /* INIT, level, assert */
	send_ipi(id, 0x00008500);         /* INIT, level, de-assert */
	delay_us(10000);
	for (int i = 0; i < 2 && checkin_count == before; i++) {
		send_ipi(id, 0x00000600 | (TRAMP_PAGE >> 12));   /* STARTUP */
		delay_us(200);
	}
	bool in = wait_checkin(before + 1, &c, &in_us);
	report_wake(id, "init", -1, 0, in, in_us);
}

static void setup_trampoline(const struct bootinfo *bi)
{
	size_t n = (size_t)(tramp_end - tramp_start);
	volatile uint8_t *dst = (volatile uint8_t *)(uintptr_t)TRAMP_PAGE;

	if (bi->have_map && !is_ram(bi, TRAMP_PAGE, TRAMP_PAGE + 4096))
		fail("INIT mode: the trampoline page 0x8000 is not RAM in the memory map");
	for (size_t i = 0; i < n; i++)
		dst[i] = (uint8_t)tramp_start[i];
	*(volatile uint32_t *)(dst + (tramp_cr3 - tramp_start)) = (uint32_t)(uintptr_t)pt_pml4;
	*(volatile uint64_t *)(dst + (tramp_target - tramp_start)) = (uintptr_t)ap_entry64;
}

/* ---- command line ------------------------------------------------------ */

/* ap=auto (default: mailbox when the MADT has a wakeup structure, else
 * INIT), ap=mailbox, ap=init, ap=none.  Also: skip=ID (cmdline_skip),
 * x2apic (apic_init). */
static const char *cmdline_ap(const uint8_t *s)
{
	if (!s)
		return "auto";
	for (size_t i = 0; i < 4096 && s[i]; i++) {
		if ((i == 0 || s[i - 1] == ' ') && mem_eq(s + i, "ap=", 3)) {
			const uint8_t *v = s + i + 3;

			if (mem_eq(v, "init", 4))
				return "init";
			if (mem_eq(v, "mailbox", 7))
				return "mailbox";
			if (mem_eq(v, "none", 4))
				return "none";
		}
	}
	return "auto";
}

/* skip=ID: do not wake the CPU with this APIC ID (so the host's test can
 * show that it fails when a CPU does not check in).  -1: none. */
static int64_t cmdline_skip(const uint8_t *s)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < 4096 && s[i]; i++) {
		if ((i == 0 || s[i - 1] == ' ') && mem_eq(s + i, "skip=", 5)) {
			int64_t v = 0;
			const uint8_t *d = s + i + 5;

			if (*d < '0' || *d > '9')
				return -1;
			for (; *d >= '0' && *d <= '9' && v < 0x100000000ll; d++)
				v = v * 10 + (*d - '0');
			return v;
		}
	}
	return -1;
}

/* A word of the command line on its own (space-separated). */
static bool cmdline_word(const uint8_t *s, const char *w)
{
	size_t n = 0;

	while (w[n])
		n++;
	for (size_t i = 0; s && i < 4096 && s[i]; i++)
		if ((i == 0 || s[i - 1] == ' ') && mem_eq(s + i, w, n) &&
		    (s[i + n] == ' ' || s[i + n] == 0))
			return true;
	return false;
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* ---- main ---------------------------------------------------------------- */

void payload_main(uint32_t magic, uint64_t info, uint32_t entry)
{
	static struct bootinfo bi;   /* .bss: zeroed by the entry code */

	serial_init();
	if (entry == ENTRY_ELF64)
		parse_boot_params(&bi, info);
	else if (magic == MB2_MAGIC)
		parse_mb2(&bi, info);
	else if (magic == MB1_MAGIC)
		parse_mb1(&bi, info);
	else
		bi.entry = "unknown";
	say("MPK-PAYLOAD-HELLO entry=");
	say(bi.entry);
	say(" magic=");
	put_hex(magic);
	say(" info=");
	put_hex(info);
	uint64_t cr4;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	say(cr4 & (1u << 12) ? " paging=5\n" : " paging=4\n");   /* CR4.LA57 */
	if (str_eq(bi.entry, "unknown"))
		fail("payload: entered with an unknown multiboot magic");

	say("MPK-PAYLOAD-INFO loader=");
	if (bi.loader)
		put_word(bi.loader, 64);
	else
		say("none");
	say(" mmap=");
	for (unsigned i = 0; i < bi.nram; i++) {
		if (i)
			say(",");
		put_hex(bi.ram[i][0]);
		say("-");
		put_hex(bi.ram[i][1]);
	}
	if (!bi.nram)
		say("none");
	say(" cmdline=");
	if (bi.cmdline)
		put_text(bi.cmdline, 1024);
	say("\n");

	if (!bi.rsdp)
		scan_bios(&bi);
	if (!bi.rsdp)
		fail("payload: no RSDP (no multiboot2 ACPI tag, no boot_params.acpi_rsdp_addr, "
		     "none in the BIOS area)");
	const uint8_t *r = bi.rsdp;
	uint64_t xsdt = r[15] >= 2 ? rd64(r + 24) : 0;

	root_is_xsdt = xsdt != 0;
	root = sdt(root_is_xsdt ? xsdt : rd32(r + 16));
	say("MPK-PAYLOAD-RSDP source=");
	say(bi.rsdp_source);
	say(" addr=");
	put_hex(bi.rsdp_addr);
	say(" rev=");
	put_dec(r[15]);
	say(" oem=");
	put_word(r + 9, 6);
	say(root_is_xsdt ? " root=xsdt@" : " root=rsdt@");
	put_hex(root_is_xsdt ? xsdt : rd32(r + 16));
	say("\n");
	if (!root)
		fail("payload: the RSDP's XSDT/RSDT is not a table below 4 GiB");
	const uint8_t *madt = find_table("APIC");

	if (!madt)
		fail("payload: no MADT (APIC) in the XSDT/RSDT");
	parse_madt(madt);
	const uint8_t *fadt = find_table("FACP");

	if (fadt)
		parse_fadt(fadt);

	uint32_t self = my_apic_id();
	unsigned enabled = 0, capable = 0;

	for (unsigned i = 0; i < ncpus; i++) {
		say("MPK-PAYLOAD-MADT apic=");
		put_dec(cpus[i].apic_id);
		say(" flags=");
		put_hex(cpus[i].flags);
		say(" kind=");
		say(cpus[i].kind);
		say("\n");
		if (cpus[i].flags & 1)
			enabled++;
		else
			capable++;
	}
	const char *want = cmdline_ap(bi.cmdline);
	const char *mode = str_eq(want, "auto") ? (mailbox ? "mailbox" : "init") : want;

	say("MPK-PAYLOAD-START mode=");
	say(mode);
	say(" entry=");
	say(bi.entry);
	say(" madt_cpus=");
	put_dec(enabled);
	say(" online_capable=");
	put_dec(capable);
	if (mailbox) {
		say(" wakeup=v");
		put_dec(mailbox_version);
		say("@");
		put_hex(mailbox);
		say(" reset=");
		put_hex(reset_vector);
	} else {
		say(" wakeup=none reset=none");
	}
	say(" self=");
	put_dec(self);
	/* INIT mode: the local APIC as the previous system left it */
	if (str_eq(mode, "init"))
		apic_init(cmdline_word(bi.cmdline, "x2apic"));
	say(str_eq(mode, "init") ? (x2apic ? " lapic=x2apic" : " lapic=xapic") : " lapic=unused");
	say(" rsdp=");
	say(bi.rsdp_source);
	say("\n");

	if (str_eq(mode, "mailbox") && (!mailbox || !mapped(mailbox, 16)))
		fail("payload: ap=mailbox but the MADT has no wakeup structure below 4 GiB");
	if (str_eq(mode, "init"))
		setup_trampoline(&bi);
	/* We check in first (slot 0), then each AP in turn. */
	checkin_ids[0] = self + 1;
	ap_slot = 1;
	checkin_count = 1;
	barrier();
	int64_t skip = cmdline_skip(bi.cmdline);

	for (unsigned i = 0; i < ncpus; i++) {
		if (!(cpus[i].flags & 1) || cpus[i].apic_id == self || str_eq(mode, "none"))
			continue;
		if (skip == cpus[i].apic_id) {
			say("MPK-PAYLOAD-WAKE apic=");
			put_dec(cpus[i].apic_id);
			say(" via=skipped\n");
			continue;
		}
		if (str_eq(mode, "mailbox"))
			wake_mailbox(cpus[i].apic_id);
		else
			wake_init(cpus[i].apic_id);
	}

	/* The result: every CPU that checked in, sorted; the enabled ones that
	 * did not. */
	uint32_t n = checkin_count, ids[MAX_CPUS];
	unsigned nid = 0;

	if (n > MAX_CPUS)
		n = MAX_CPUS;
	for (uint32_t i = 0; i < n; i++)
		if (checkin_ids[i])
			ids[nid++] = checkin_ids[i] - 1;
	for (unsigned i = 1; i < nid; i++)
		for (unsigned j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
			uint32_t t = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	say("MPK-PAYLOAD-CPUS checked_in=");
	put_dec(checkin_count);
	say(" expected=");
	put_dec(str_eq(mode, "none") ? 1 : enabled);
	say(" apic_ids=");
	for (unsigned i = 0; i < nid; i++) {
		if (i)
			say(",");
		put_dec(ids[i]);
	}
	say(" missing=");
	unsigned missing = 0;

	for (unsigned i = 0; i < ncpus; i++) {
		bool seen = false;

		if (!(cpus[i].flags & 1) || str_eq(mode, "none"))
			continue;
		for (unsigned j = 0; j < nid; j++)
			seen |= ids[j] == cpus[i].apic_id;
		if (!seen) {
			if (missing++)
				say(",");
			put_dec(cpus[i].apic_id);
		}
	}
	if (!missing)
		say("none");
	say("\n");
	if (missing || checkin_count != (str_eq(mode, "none") ? 1 : enabled))
		fail("payload: not every CPU the MADT enables checked in");
	say("MPK-DONE\n");
	power_off();
}
