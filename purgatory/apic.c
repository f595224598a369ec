/* SPDX-License-Identifier: GPL-2.0-only */
#include "apic.h"

#include "cpu.h"

#define MSR_APIC_BASE        0x1b
#define APIC_BASE_EXTD       (1ull << 10) /* x2APIC mode */
#define APIC_BASE_EN         (1ull << 11)
#define APIC_BASE_ADDR_MASK  0x000ffffffffff000ull

/* Register offsets (xAPIC MMIO); the x2APIC MSR is 0x800 + offset / 16. */
#define APIC_ID              0x020
#define APIC_SVR             0x0f0
#define APIC_ICR_LO          0x300
#define APIC_ICR_HI          0x310
#define X2APIC_MSR(reg)      (0x800u + (reg) / 16)

#define SVR_APIC_ENABLED     (1u << 8)
#define ICR_DELIVERY_PENDING (1u << 12)   /* xAPIC only */
/* ICR low word: delivery mode (bits 10:8), level (14), trigger (15). */
#define ICR_DM_INIT          (5u << 8)
#define ICR_DM_STARTUP       (6u << 8)
#define ICR_LEVEL_ASSERT     (1u << 14)
#define ICR_TRIGGER_LEVEL    (1u << 15)

/* How long to wait for an xAPIC to accept the previous IPI.  Real APICs take
 * well under a microsecond; this bound (~ms of PAUSEs) only stops a broken
 * APIC from hanging the handoff. */
#define ICR_IDLE_SPINS       1000000u

static volatile uint32_t *xapic_reg(const struct apic *a, unsigned reg)
{
	return (volatile uint32_t *)(uintptr_t)(a->mmio_base + reg);
}

int apic_probe(struct apic *a)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	a->x2apic = base & APIC_BASE_EXTD;
	a->mmio_base = base & APIC_BASE_ADDR_MASK;
	a->self_id = 0;
	return (base & APIC_BASE_EN) ? 0 : -1;
}

void apic_enable(struct apic *a)
{
	if (a->x2apic) {
		a->self_id = (uint32_t)rdmsr(X2APIC_MSR(APIC_ID));
		wrmsr(X2APIC_MSR(APIC_SVR), rdmsr(X2APIC_MSR(APIC_SVR)) | SVR_APIC_ENABLED);
	} else {
		a->self_id = *xapic_reg(a, APIC_ID) >> 24;
		*xapic_reg(a, APIC_SVR) |= SVR_APIC_ENABLED;
	}
}

static int xapic_wait_idle(const struct apic *a)
{
	for (uint32_t i = 0; i < ICR_IDLE_SPINS; i++) {
		if (!(*xapic_reg(a, APIC_ICR_LO) & ICR_DELIVERY_PENDING))
			return 0;
		cpu_relax();
	}
	return -1;
}

int apic_send_ipi(const struct apic *a, enum ipi_kind kind, uint32_t dest, uint8_t vector)
{
	uint32_t icr;

	switch (kind) {
	case IPI_INIT_ASSERT:
		icr = ICR_DM_INIT | ICR_LEVEL_ASSERT | ICR_TRIGGER_LEVEL;
		break;
	case IPI_INIT_DEASSERT:
		/* 82489DX legacy; Linux still sends it, modern CPUs ignore it. */
		icr = ICR_DM_INIT | ICR_TRIGGER_LEVEL;
		break;
	default:
		icr = ICR_DM_STARTUP | vector;
		break;
	}
	if (a->x2apic) {
		/* One MSR write; physical destination = full 32-bit ID. */
		wrmsr(X2APIC_MSR(APIC_ICR_LO), (uint64_t)dest << 32 | icr);
		return 0;
	}
	if (dest > 0xfe || xapic_wait_idle(a) < 0)
		return -1;
	*xapic_reg(a, APIC_ICR_HI) = dest << 24;
	*xapic_reg(a, APIC_ICR_LO) = icr; /* this write sends */
	return xapic_wait_idle(a);
}
