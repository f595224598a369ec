/* SPDX-License-Identifier: GPL-2.0-only */
#include "ap-census.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/park-abi.h"

/* Linux 6.11 (arch/x86/kernel/acpi/madt_wakeup.c) is the first to send its
 * CPUs to a v1 mailbox's ResetVector when it offlines them or kexecs;
 * older kernels halt them in their own text, where no mailbox reaches. */
#define RESET_VECTOR_MAJOR 6
#define RESET_VECTOR_MINOR 11

bool osrelease_at_least(const char *release, unsigned major, unsigned minor)
{
	unsigned ma, mi;

	if (sscanf(release, "%u.%u", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/* The live MPKP table: its body, or false if absent or malformed. */
static bool read_mpkp(const struct sysview *sv, struct park_status_body *b)
{
	if (!sv->mpkp || sv->mpkp_len < PARK_STATUS_HEAD ||
	    memcmp(sv->mpkp, PARK_STATUS_SIG, 4) != 0)
		return false;
	memcpy(b, sv->mpkp + PARK_STATUS_BODY, sizeof(*b));
	/* Records past the table's end, or past the PARK_MAX_CPUS a region
	 * holds, do not exist: purgatory would read them outside the region. */
	if (b->nr_cpus > PARK_MAX_CPUS)
		b->nr_cpus = PARK_MAX_CPUS;
	if (PARK_STATUS_LEN((uint64_t)b->nr_cpus) > sv->mpkp_len)
		b->nr_cpus = (uint32_t)((sv->mpkp_len - PARK_STATUS_HEAD) / PARK_CPU_SIZE);
	return b->region_base != 0;
}

static bool range_is_type(const struct memmap *m, uint64_t start, uint64_t end, uint32_t type)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].start <= start && end <= m->r[i].end)
			return m->r[i].type == type;
	return false;
}

static bool is_online(const struct sysview *sv, uint32_t id)
{
	for (unsigned i = 0; i < sv->n_online; i++)
		if (sv->online_apic_ids[i] == id)
			return true;
	return false;
}

static void find_mailbox(const struct sysview *sv, const uint8_t *fw_madt, size_t fw_len,
			 const struct park_status_body *mpkp, bool have_mpkp,
			 struct ap_census *c)
{
	struct madt_wakeup w = { 0 }, fw = { 0 };
	bool running = sv->madt && madt_find_wakeup(sv->madt, sv->madt_len, &w);

	if (running && w.mailbox) {
		c->mailbox = w.mailbox;
		snprintf(c->mailbox_src, sizeof(c->mailbox_src),
			 "this kernel's MADT (wakeup structure v%u)", w.version);
	} else if (have_mpkp) {
		c->mailbox = mpkp->region_base;
		snprintf(c->mailbox_src, sizeof(c->mailbox_src),
			 "the MPKP table: this kernel's MADT %s", running ?
			 "has a wakeup structure with no mailbox address (Linux >= 6.11 "
			 "clears it when the mailbox is v0)" : "has no wakeup structure");
	} else if (fw_madt && madt_find_wakeup(fw_madt, fw_len, &fw) && fw.mailbox) {
		c->mailbox = fw.mailbox;
		snprintf(c->mailbox_src, sizeof(c->mailbox_src),
			 "firmware's MADT (wakeup structure v%u)", fw.version);
	} else {
		snprintf(c->mailbox_src, sizeof(c->mailbox_src),
			 "none: neither this kernel's MADT nor firmware's has a wakeup "
			 "mailbox, and there is no MPKP table");
	}
	if (running && (w.version < 1 || !w.reset_vector))
		snprintf(c->returns_why, sizeof(c->returns_why), "this kernel's mailbox is "
			 "v%u, without a ResetVector: Linux halts its APs at kexec", w.version);
	else if (!running || !w.mailbox)
		snprintf(c->returns_why, sizeof(c->returns_why), "this kernel uses no MADT "
			 "mailbox with a ResetVector, so it halts its APs at kexec");
	else if (!osrelease_at_least(sv->osrelease, RESET_VECTOR_MAJOR, RESET_VECTOR_MINOR))
		snprintf(c->returns_why, sizeof(c->returns_why), "Linux %s (before %u.%u) "
			 "halts its APs at kexec instead of using the ResetVector",
			 *sv->osrelease ? sv->osrelease : "(unknown version)",
			 RESET_VECTOR_MAJOR, RESET_VECTOR_MINOR);
	else {
		c->returns_at_kexec = true;
		snprintf(c->returns_why, sizeof(c->returns_why), "Linux %s sends its APs to "
			 "the ResetVector %#" PRIx64 " at kexec", sv->osrelease, w.reset_vector);
	}
}

void ap_census_take(const struct sysview *sv, const uint8_t *fw_madt, size_t fw_madt_len,
		    const struct madt_cpus *cpus, uint32_t boot_apic_id, struct ap_census *c)
{
	struct park_status_body mpkp;
	bool have_mpkp = read_mpkp(sv, &mpkp);

	memset(c, 0, sizeof(*c));
	find_mailbox(sv, fw_madt, fw_madt_len, &mpkp, have_mpkp, c);
	if (have_mpkp && c->mailbox == mpkp.region_base) {
		c->region = mpkp.region_base;
		c->region_reusable = true;
		if (mpkp.abi_version != PARK_ABI_VERSION) {
			c->region_reusable = false;
			snprintf(c->region_why, sizeof(c->region_why), "its ABI is %u, this "
				 "mpkexec's is %u", mpkp.abi_version, PARK_ABI_VERSION);
		} else if (c->region & 4095) {
			/* A mailbox is a 4 KiB page (ACPI 6.4 5.2.12.19), and so is
			 * every part of a region purgatory and the park code use. */
			c->region_reusable = false;
			snprintf(c->region_why, sizeof(c->region_why), "its base %#" PRIx64 " is not "
				 "4 KiB aligned", c->region);
		} else if (c->region > (1ull << 32) - PARK_REGION_SIZE) {
			/* (not region + size: a base near 2^64 would wrap) */
			c->region_reusable = false;
			snprintf(c->region_why, sizeof(c->region_why), "it is above 4 GiB, "
				 "outside purgatory's identity map");
		} else if (!range_is_type(&sv->firmware_map, c->region,
					  c->region + PARK_REGION_SIZE, E820_NVS)) {
			c->region_reusable = false;
			snprintf(c->region_why, sizeof(c->region_why), "[%#" PRIx64 ", %#" PRIx64
				 ") is not ACPI NVS in this kernel's memory map", c->region,
				 c->region + PARK_REGION_SIZE);
		}
		if (mpkp.abi_version != PARK_ABI_VERSION)
			c->region = 0; /* records of another layout: do not read them */
	}
	c->n = cpus->n;
	for (unsigned i = 0; i < cpus->n; i++) {
		struct ap_census_cpu *cpu = &c->cpu[i];
		uint32_t state = PARK_STATE_ABSENT;

		cpu->apic_id = cpus->apic_id[i];
		cpu->record = MPK_NO_RECORD;
		for (uint32_t r = 0; c->region && r < mpkp.nr_cpus; r++) {
			const uint8_t *rec = sv->mpkp + PARK_STATUS_HEAD + r * PARK_CPU_SIZE;

			if (get_le32(rec + PARK_CPU_APIC_ID) == cpu->apic_id) {
				cpu->record = r;
				state = get_le32(rec + PARK_CPU_STATE);
				cpu->how = get_le32(rec + PARK_CPU_HOW);
				break;
			}
		}
		if (cpu->apic_id == boot_apic_id)
			cpu->where = AP_WHERE_BOOT;
		else if (state == PARK_STATE_PARKED)
			cpu->where = AP_WHERE_PARKED;
		else if (is_online(sv, cpu->apic_id))
			cpu->where = AP_WHERE_ONLINE;
		else if (state == PARK_STATE_WOKEN)
			cpu->where = AP_WHERE_HELD;
		else if (c->mailbox && !c->region)
			cpu->where = AP_WHERE_MAILBOX;
		else
			cpu->where = AP_WHERE_STOPPED;
	}
}

const char *ap_where_text(const struct ap_census *c, const struct ap_census_cpu *cpu,
			  char *buf, size_t len)
{
	switch (cpu->where) {
	case AP_WHERE_BOOT:
		snprintf(buf, len, "this kernel's boot CPU");
		break;
	case AP_WHERE_PARKED:
		snprintf(buf, len, "parked in the park region at %#" PRIx64 " (arrived by %s)",
			 c->region, cpu->how == PARK_HOW_RESET_VECTOR ? "ResetVector" :
			 cpu->how == PARK_HOW_MIGRATED ? "migration" : "INIT-SIPI");
		break;
	case AP_WHERE_ONLINE:
		snprintf(buf, len, "online in this kernel");
		break;
	case AP_WHERE_HELD:
		snprintf(buf, len, "offline in this kernel, which kept it (not in the park loop)");
		break;
	case AP_WHERE_MAILBOX:
		snprintf(buf, len, "not running here: in the mailbox loop at %#" PRIx64,
			 c->mailbox);
		break;
	case AP_WHERE_STOPPED:
		snprintf(buf, len, "not running here and in no mailbox%s",
			 cpu->record != MPK_NO_RECORD ? " (it never arrived in the park region)" :
			 " (waiting for INIT/SIPI, or lost)");
		break;
	}
	return buf;
}
