/* SPDX-License-Identifier: GPL-2.0-only */
/* The mailbox-only handoff, loader side: where each CPU is (the census),
 * the route it gets (stay, migrate, unreachable), the region reused in
 * place or moved, and what --ap-handoff=auto picks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi-fixture.h"
#include "ap-census.h"
#include "ap-handoff.h"
#include "ap-mailbox.h"
#include "bytes.h"
#include "madt.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/park-abi.h"
#include "park-region.h"

#define REGION   0x3e760000ull
#define FW_MBOX  0x3f000000ull
#define RELEASE_612 "6.12.117+deb12-amd64"

struct world {
	struct sysview sv;
	struct acpi_tableset tables;
	uint8_t *fw_madt;
	size_t fw_len;
	struct madt_cpus cpus;
	struct ap_census census;
};

/* A running kernel started by mpkexec on the park region at REGION: its
 * MADT (wakeup `version`, mailbox address cleared if `zeroed`), the MPKP
 * table with `state[i]` for APIC ID i, and `online` CPUs. */
static struct world *world_new(const char *release, unsigned version, bool zeroed,
			       const uint32_t state[4], const char *online)
{
	struct world *w = calloc(1, sizeof(*w));
	struct mpk_error err = { 0 };
	uint32_t flags_off[MPK_MAX_APS];
	uint8_t *park = malloc(PARK_REGION_SIZE);

	fixture_tableset(&w->tables);
	w->fw_madt = read_file(Q35_APIC, &w->fw_len);
	assert_int_equal(madt_parse_cpus(w->fw_madt, w->fw_len, &w->cpus, &err), 0);
	assert_int_equal(w->cpus.n, 4);
	assert_int_equal(madt_with_wakeup(w->fw_madt, w->fw_len, REGION, park_reset_vector(REGION),
					  version, &w->sv.madt, &w->sv.madt_len, flags_off, &err), 0);
	if (zeroed) /* what Linux >= 6.11 does to a v0 structure: the last entry */
		put_le64(w->sv.madt + w->sv.madt_len - (version ? 24 : 16) + 8, 0);
	park_region_build(park, REGION, park_code_blob, w->cpus.apic_id, 4, version);
	for (unsigned i = 0; i < 4; i++)
		put_le32(park + PARK_CPUS_OFF + i * PARK_CPU_SIZE + PARK_CPU_STATE, state[i]);
	w->sv.mpkp_len = PARK_STATUS_LEN(4);
	w->sv.mpkp = malloc(w->sv.mpkp_len);
	memcpy(w->sv.mpkp, park + PARK_STATUS_OFF, w->sv.mpkp_len);
	free(park);
	assert_int_equal(memmap_add(&w->sv.firmware_map, 0x100000, REGION, E820_RAM), 0);
	assert_int_equal(memmap_add(&w->sv.firmware_map, REGION, REGION + PARK_REGION_SIZE,
				    E820_NVS), 0);
	assert_int_equal(memmap_add(&w->sv.firmware_map, REGION + PARK_REGION_SIZE, 0x3ffe0000,
				    E820_RAM), 0);
	snprintf(w->sv.osrelease, sizeof(w->sv.osrelease), "%s", release);
	for (const char *c = online; *c; c++)
		w->sv.online_apic_ids[w->sv.n_online++] = (uint32_t)(*c - '0');
	w->sv.have_boot_apic_id = true;
	w->sv.boot_apic_id = 0;
	ap_census_take(&w->sv, w->fw_madt, w->fw_len, &w->cpus, 0, &w->census);
	return w;
}

static void world_free(struct world *w)
{
	free(w->fw_madt);
	acpi_tableset_free(&w->tables);
	sysview_free(&w->sv);
	free(w);
}

static const uint32_t P = PARK_STATE_PARKED, W = PARK_STATE_WOKEN, A = PARK_STATE_ABSENT;

static void test_census_612_in_place(void **state)
{
	struct world *w = world_new(RELEASE_612, 1, false, (uint32_t[]){ A, W, P, W }, "013");

	(void)state;
	assert_int_equal(w->census.mailbox, REGION);
	assert_int_equal(w->census.region, REGION);
	assert_true(w->census.region_reusable);
	assert_true(w->census.returns_at_kexec);
	assert_non_null(strstr(w->census.mailbox_src, "this kernel's MADT (wakeup structure v1)"));
	assert_int_equal(w->census.cpu[0].where, AP_WHERE_BOOT);
	assert_int_equal(w->census.cpu[1].where, AP_WHERE_ONLINE);
	assert_int_equal(w->census.cpu[2].where, AP_WHERE_PARKED);
	assert_int_equal(w->census.cpu[2].record, 2);
	assert_int_equal(w->census.cpu[3].where, AP_WHERE_ONLINE);
	world_free(w);
}

static void test_census_61_halts(void **state)
{
	struct world *w = world_new("6.1.0-56-amd64", 1, false, (uint32_t[]){ A, W, W, P }, "012");

	(void)state;
	assert_false(w->census.returns_at_kexec);
	assert_string_equal(w->census.returns_why, "Linux 6.1.0-56-amd64 (before 6.11) halts "
			    "its APs at kexec instead of using the ResetVector");
	assert_int_equal(w->census.cpu[3].where, AP_WHERE_PARKED);
	world_free(w);
}

static void test_census_v0_zeroed_found_through_mpkp(void **state)
{
	struct world *w = world_new(RELEASE_612, 0, true, (uint32_t[]){ A, W, P, P }, "01");

	(void)state;
	assert_int_equal(w->census.mailbox, REGION);
	assert_int_equal(w->census.region, REGION);
	assert_non_null(strstr(w->census.mailbox_src, "the MPKP table: this kernel's MADT has a "
			       "wakeup structure with no mailbox address"));
	assert_false(w->census.returns_at_kexec);
	assert_string_equal(w->census.returns_why, "this kernel's mailbox is v0, without a "
			    "ResetVector: Linux halts its APs at kexec");
	world_free(w);
}

static void test_census_held_and_not_nvs(void **state)
{
	struct world *w = world_new(RELEASE_612, 1, false, (uint32_t[]){ A, W, W, A }, "01");

	(void)state;
	assert_int_equal(w->census.cpu[2].where, AP_WHERE_HELD);
	assert_int_equal(w->census.cpu[3].where, AP_WHERE_STOPPED);
	/* the same region, no longer ACPI NVS in this kernel's map */
	w->sv.firmware_map.r[1].type = E820_RESERVED;
	ap_census_take(&w->sv, w->fw_madt, w->fw_len, &w->cpus, 0, &w->census);
	assert_false(w->census.region_reusable);
	assert_string_equal(w->census.region_why, "[0x3e760000, 0x3e7a5000) is not ACPI NVS in "
			    "this kernel's memory map");
	world_free(w);
}

static void test_census_foreign_mailbox(void **state)
{
	struct world *w = world_new(RELEASE_612, 1, false, (uint32_t[]){ A, A, A, A }, "01");
	struct mpk_error err = { 0 };
	uint32_t flags_off[MPK_MAX_APS];

	(void)state;
	/* firmware's own mailbox (a TDX guest's OVMF), no park region */
	free(w->sv.madt);
	free(w->sv.mpkp);
	w->sv.mpkp = NULL;
	assert_int_equal(madt_with_wakeup(w->fw_madt, w->fw_len, FW_MBOX, FW_MBOX + 0x800, 1,
					  &w->sv.madt, &w->sv.madt_len, flags_off, &err), 0);
	ap_census_take(&w->sv, w->sv.madt, w->sv.madt_len, &w->cpus, 0, &w->census);
	assert_int_equal(w->census.mailbox, FW_MBOX);
	assert_int_equal(w->census.region, 0);
	assert_int_equal(w->census.cpu[1].where, AP_WHERE_ONLINE);
	assert_int_equal(w->census.cpu[2].where, AP_WHERE_MAILBOX);
	assert_int_equal(w->census.cpu[3].where, AP_WHERE_MAILBOX);
	world_free(w);
}

/* An MPKP table longer than a region, claiming more records than it has:
 * only the PARK_MAX_CPUS records inside a region are read (purgatory reads
 * the record named here in the region itself). */
static void test_census_mpkp_records_bounded(void **state)
{
	struct world *w = world_new(RELEASE_612, 0, true, (uint32_t[]){ A, W, W, W }, "012");
	size_t len = PARK_STATUS_LEN(2000);
	uint8_t *t = calloc(1, len);

	(void)state;
	assert_non_null(t);
	memcpy(t, w->sv.mpkp, w->sv.mpkp_len);
	put_le32(t + PARK_STATUS_BODY + 4, 0xffffffffu);               /* nr_cpus */
	put_le32(t + PARK_STATUS_HEAD + 3 * PARK_CPU_SIZE + PARK_CPU_APIC_ID, 99);
	put_le32(t + PARK_STATUS_HEAD + 1500 * PARK_CPU_SIZE + PARK_CPU_APIC_ID, 3);
	put_le32(t + PARK_STATUS_HEAD + 1500 * PARK_CPU_SIZE + PARK_CPU_STATE, P);
	free(w->sv.mpkp);
	w->sv.mpkp = t;
	w->sv.mpkp_len = len;
	ap_census_take(&w->sv, w->fw_madt, w->fw_len, &w->cpus, 0, &w->census);
	assert_int_equal(w->census.region, REGION);
	assert_int_equal(w->census.cpu[2].record, 2);
	assert_int_equal(w->census.cpu[3].record, MPK_NO_RECORD);
	assert_int_equal(w->census.cpu[3].where, AP_WHERE_STOPPED);
	world_free(w);
}

/* An MPKP region base near 2^64: base + size wraps past 4 GiB's test. */
static void test_census_region_near_2_64(void **state)
{
	struct world *w = world_new(RELEASE_612, 0, true, (uint32_t[]){ A, P, P, P }, "0");
	const uint64_t top = 0xfffffffffffff000ull;

	(void)state;
	put_le64(w->sv.mpkp + PARK_STATUS_BODY + 8, top);
	memmap_free(&w->sv.firmware_map);
	assert_int_equal(memmap_add(&w->sv.firmware_map, 0xfffffffff0000000ull,
				    0xffffffffffffffffull, E820_NVS), 0);
	ap_census_take(&w->sv, w->fw_madt, w->fw_len, &w->cpus, 0, &w->census);
	assert_int_equal(w->census.mailbox, top);
	assert_int_equal(w->census.region, top);
	assert_false(w->census.region_reusable);
	assert_string_equal(w->census.region_why, "it is above 4 GiB, outside purgatory's "
			    "identity map");
	world_free(w);
}

/* An MPKP region base that is not a page: never reused in place. */
static void test_census_region_unaligned(void **state)
{
	struct world *w = world_new(RELEASE_612, 0, true, (uint32_t[]){ A, P, P, P }, "0");

	(void)state;
	put_le64(w->sv.mpkp + PARK_STATUS_BODY + 8, REGION + 0x10);
	ap_census_take(&w->sv, w->fw_madt, w->fw_len, &w->cpus, 0, &w->census);
	assert_int_equal(w->census.region, REGION + 0x10);
	assert_false(w->census.region_reusable);
	assert_string_equal(w->census.region_why, "its base 0x3e760010 is not 4 KiB aligned");
	world_free(w);
}

static void plan_begin(struct world *w, struct planner *pl, struct load_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	for (size_t i = 0; i < w->sv.firmware_map.n; i++)
		assert_int_equal(memmap_add(&plan->handed_map, w->sv.firmware_map.r[i].start,
					    w->sv.firmware_map.r[i].end,
					    w->sv.firmware_map.r[i].type), 0);
	planner_init(pl, &w->sv.firmware_map);
}

static bool has_segment(const struct load_plan *plan, const char *what, uint64_t *at)
{
	for (unsigned i = 0; i < plan->nseg; i++)
		if (strcmp(plan->seg[i].what, what) == 0) {
			*at = plan->seg[i].mem;
			return true;
		}
	return false;
}

static void test_plan_in_place(void **state)
{
	/* CPU 3 woken into this kernel and offlined without the ResetVector */
	struct world *w = world_new(RELEASE_612, 1, false, (uint32_t[]){ A, W, P, W }, "01");
	struct mpk_purgatory_params *p;
	struct mpk_error err = { 0 };
	struct planner pl;
	struct load_plan *plan = malloc(sizeof(*plan));
	struct madt_cpus next;
	uint64_t at;

	(void)state;
	plan_begin(w, &pl, plan);
	p = &plan->params;
	p->flags = MPK_PF_SERIAL_DEBUG;
	assert_int_equal(ap_mailbox_plan(&w->census, &w->tables, w->fw_madt, w->fw_len, &w->cpus,
					 0, 1, &pl, plan, &err), 0);
	assert_false(has_segment(plan, "park region", &at)); /* never copied over live code */
	assert_true(has_segment(plan, "ACPI tables", &at));
	assert_int_equal(p->flags, MPK_PF_MAILBOX_APS);
	assert_int_equal(p->park_base, REGION);
	assert_int_equal(p->src_mailbox, REGION);
	assert_int_equal(p->src_region, REGION);
	assert_int_equal(p->aps[0].action, MPK_AP_EXEMPT);
	assert_int_equal(p->aps[1].action, MPK_AP_STAY);
	assert_int_equal(p->aps[2].action, MPK_AP_STAY);
	assert_int_equal(p->aps[2].src_record, 2);
	assert_int_equal(p->aps[3].action, MPK_AP_UNREACHABLE);
	/* the next MADT offers CPUs 0-2 only, with the wakeup structure */
	assert_int_equal(madt_parse_cpus(plan->acpi.buf + plan->acpi.madt_off,
					 plan->acpi.madt_len, &next, &err), 0);
	assert_int_equal(next.n, 3);
	/* CPU 3's entry stays listed, neither enabled nor online-capable */
	assert_int_equal(plan->acpi.buf[plan->acpi.madt_off + p->aps[3].madt_flags_off] &
			 (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE), 0);
	assert_int_equal(plan->ncpu, 4);
	assert_int_equal(plan->cpu[3].apic_id, 3);
	assert_string_equal(plan->cpu[3].now, "held");
	assert_string_equal(plan->cpu[3].now_text, "offline in this kernel, which kept it (not "
			    "in the park loop)");
	assert_string_equal(plan->cpu[3].handover, "unreachable");
	assert_non_null(strstr(plan->cpu[3].handover_text, "UNREACHABLE"));
	assert_false(plan->cpu[3].offered);
	assert_true(plan->cpu[2].offered);
	assert_string_equal(plan->ap_tally, "2 of 3 APs handed over, 1 unreachable; IPIs: "
			    "0 INIT, 0 SIPI");
	assert_non_null(strstr(plan->warning, "APIC ID 3 (offline in this kernel"));
	load_plan_free(plan);
	free(plan);
	world_free(w);
}

static void test_plan_relocate(void **state)
{
	struct world *w = world_new(RELEASE_612, 1, false, (uint32_t[]){ A, W, P, W }, "013");
	struct mpk_purgatory_params *p;
	struct mpk_error err = { 0 };
	struct planner pl;
	struct load_plan *plan = malloc(sizeof(*plan));
	uint64_t at = 0;

	(void)state;
	plan_begin(w, &pl, plan);
	p = &plan->params;
	assert_int_equal(ap_mailbox_plan(&w->census, &w->tables, w->fw_madt, w->fw_len, &w->cpus,
					 0x20000000, 1, &pl, plan, &err), 0);
	assert_true(has_segment(plan, "park region", &at));
	assert_int_equal(at, 0x20000000);
	assert_int_equal(p->park_base, 0x20000000);
	assert_int_equal(p->src_region, REGION);
	for (unsigned i = 1; i < 4; i++)
		assert_int_equal(p->aps[i].action, MPK_AP_MIGRATE);
	assert_non_null(strstr(plan->ap_desc, "new (CPUs migrate out of the old region)"));
	load_plan_free(plan);
	free(plan);
	world_free(w);
}

static void test_plan_relocates_when_region_unusable(void **state)
{
	/* the region is no longer NVS here: the planner moves the CPUs itself */
	struct world *w = world_new(RELEASE_612, 1, false, (uint32_t[]){ A, P, P, W }, "03");
	struct mpk_error err = { 0 };
	struct planner pl;
	struct load_plan *plan = malloc(sizeof(*plan));
	uint64_t at = 0;

	(void)state;
	w->sv.firmware_map.r[1].type = E820_RESERVED;
	ap_census_take(&w->sv, w->fw_madt, w->fw_len, &w->cpus, 0, &w->census);
	plan_begin(w, &pl, plan);
	assert_int_equal(ap_mailbox_plan(&w->census, &w->tables, w->fw_madt, w->fw_len, &w->cpus,
					 0, 1, &pl, plan, &err), 0);
	assert_true(has_segment(plan, "park region", &at));
	assert_true(at != REGION);
	assert_int_equal(plan->params.src_region, REGION);
	for (unsigned i = 1; i < 4; i++)
		assert_int_equal(plan->params.aps[i].action, MPK_AP_MIGRATE);
	assert_non_null(strstr(plan->ap_desc, "old region not reusable: [0x3e760000, "
			       "0x3e7a5000) is not ACPI NVS"));
	load_plan_free(plan);
	free(plan);
	world_free(w);
}

/* Issue 10: an ABI 1 region (null IDT in its loop: an NMI there is a
 * triple fault) is never reused in place; its CPUs migrate into a new ABI 2
 * region through its own mailbox, and its records (of the old layout) are
 * not read. */
static void test_plan_migrates_out_of_abi1_region(void **state)
{
	struct world *w = world_new(RELEASE_612, 1, false, (uint32_t[]){ A, W, P, W }, "013");
	struct mpk_error err = { 0 };
	struct planner pl;
	struct load_plan *plan = malloc(sizeof(*plan));
	uint64_t at = 0;

	(void)state;
	assert_int_equal(PARK_ABI_VERSION, 2);
	put_le32(w->sv.mpkp + PARK_STATUS_BODY, 1);
	w->sv.firmware_map.r[1].end = REGION + 0x12000; /* ABI 1's size */
	w->sv.firmware_map.r[2].start = REGION + 0x12000;
	ap_census_take(&w->sv, w->fw_madt, w->fw_len, &w->cpus, 0, &w->census);
	assert_int_equal(w->census.mailbox, REGION);
	assert_false(w->census.region_reusable);
	assert_string_equal(w->census.region_why, "its ABI is 1, this mpkexec's is 2");
	assert_int_equal(w->census.region, 0);
	plan_begin(w, &pl, plan);
	assert_int_equal(ap_mailbox_plan(&w->census, &w->tables, w->fw_madt, w->fw_len, &w->cpus,
					 0, 1, &pl, plan, &err), 0);
	assert_true(has_segment(plan, "park region", &at));
	assert_true(at != REGION);
	assert_int_equal(plan->params.src_mailbox, REGION);
	assert_int_equal(plan->params.src_region, 0);
	for (unsigned i = 1; i < 4; i++)
		assert_int_equal(plan->params.aps[i].action, MPK_AP_MIGRATE);
	assert_non_null(strstr(plan->ap_desc, "old region not reusable: its ABI is 1, this "
			       "mpkexec's is 2"));
	load_plan_free(plan);
	free(plan);
	world_free(w);
}

static void test_plan_park_addr_not_ram(void **state)
{
	struct world *w = world_new(RELEASE_612, 1, false, (uint32_t[]){ A, W, W, W }, "0123");
	struct mpk_error err = { 0 };
	struct planner pl;
	struct load_plan *plan = malloc(sizeof(*plan));

	(void)state;
	plan_begin(w, &pl, plan);
	assert_int_equal(ap_mailbox_plan(&w->census, &w->tables, w->fw_madt, w->fw_len, &w->cpus,
					 REGION + 0x1000, 1, &pl, plan, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_USAGE);
	assert_string_equal(err.msg, "--park-addr=0x3e761000: [0x3e761000, 0x3e7a6000) is not "
			    "free RAM (firmware's memory map, the running kernel's image or another "
			    "segment has it); choose free RAM below 4 GiB (mpkexec --plan lists the "
			    "segments)");
	assert_int_equal(plan->nseg, 0);
	load_plan_free(plan);
	free(plan);
	world_free(w);
}

/* -4096 and -1 as --park-addr: at + size would wrap past the 4 GiB test. */
static void test_plan_park_addr_wraps(void **state)
{
	struct world *w = world_new(RELEASE_612, 1, false, (uint32_t[]){ A, W, W, W }, "0123");
	struct mpk_error err = { 0 };
	struct planner pl;
	struct load_plan *plan = malloc(sizeof(*plan));

	(void)state;
	plan_begin(w, &pl, plan);
	assert_int_equal(ap_mailbox_plan(&w->census, &w->tables, w->fw_madt, w->fw_len, &w->cpus,
					 0xfffffffffffff000ull, 1, &pl, plan, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_USAGE);
	assert_string_equal(err.msg, "--park-addr=0xfffffffffffff000: the park region needs "
			    "0x45000 bytes, 4 KiB aligned, between 1 MiB and 4 GiB");
	assert_int_equal(plan->nseg, 0);
	assert_int_equal(ap_mailbox_plan(&w->census, &w->tables, w->fw_madt, w->fw_len, &w->cpus,
					 0xffffffffffffffffull, 1, &pl, plan, &err), -1);
	assert_string_equal(err.msg, "--park-addr=0xffffffffffffffff: the park region needs "
			    "0x45000 bytes, 4 KiB aligned, between 1 MiB and 4 GiB");
	load_plan_free(plan);
	free(plan);
	world_free(w);
}

static void test_auto_resolution(void **state)
{
	struct world *w = world_new(RELEASE_612, 1, false, (uint32_t[]){ A, W, W, W }, "0123");
	char why[200];

	(void)state;
	assert_int_equal(ap_handoff_resolve(&w->sv, AP_HANDOFF_AUTO, why, sizeof(why)),
			 AP_HANDOFF_MAILBOX);
	assert_string_equal(why, "auto: this kernel starts its CPUs through a mailbox (an "
			    "mpkexec park region)");
	assert_int_equal(ap_handoff_resolve(&w->sv, AP_HANDOFF_INIT, why, sizeof(why)),
			 AP_HANDOFF_INIT);
	free(w->sv.madt);
	w->sv.madt = NULL;
	free(w->sv.mpkp);
	w->sv.mpkp = NULL;
	assert_int_equal(ap_handoff_resolve(&w->sv, AP_HANDOFF_AUTO, why, sizeof(why)),
			 AP_HANDOFF_PARK);
	w->sv.tdx_guest_flag = true;
	assert_int_equal(ap_handoff_resolve(&w->sv, AP_HANDOFF_AUTO, why, sizeof(why)),
			 AP_HANDOFF_MAILBOX);
	assert_string_equal(why, "auto: a TDX guest (the kernel's tdx_guest CPU flag), where only "
			    "mailboxes reach CPUs");
	world_free(w);
}

static void test_cpuinfo_online_and_tdx_flag(void **state)
{
	static const char text[] =
		"processor\t: 0\napicid\t\t: 0\nflags\t\t: fpu tdx_guest x2apic\n\n"
		"processor\t: 1\napicid\t\t: 2\nflags\t\t: fpu x2apic\n\n"
		"processor\t: 2\napicid\t\t: 3\nflags\t\t: fpu x2apic\n";
	uint32_t ids[4];

	(void)state;
	assert_int_equal(cpuinfo_apic_ids(text, ids, 4), 3);
	assert_int_equal(ids[1], 2);
	assert_int_equal(ids[2], 3);
	assert_int_equal(cpuinfo_apic_ids(text, ids, 2), 2); /* bounded */
	assert_true(cpuinfo_has_flag(text, "tdx_guest"));
	assert_true(cpuinfo_has_flag(text, "x2apic"));     /* last word */
	assert_false(cpuinfo_has_flag(text, "tdx"));       /* whole words only */
	assert_false(cpuinfo_has_flag("flags\t: fpu\n", "tdx_guest"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_census_612_in_place),
		cmocka_unit_test(test_census_61_halts),
		cmocka_unit_test(test_census_v0_zeroed_found_through_mpkp),
		cmocka_unit_test(test_census_held_and_not_nvs),
		cmocka_unit_test(test_census_foreign_mailbox),
		cmocka_unit_test(test_census_mpkp_records_bounded),
		cmocka_unit_test(test_census_region_near_2_64),
		cmocka_unit_test(test_census_region_unaligned),
		cmocka_unit_test(test_plan_in_place),
		cmocka_unit_test(test_plan_relocate),
		cmocka_unit_test(test_plan_relocates_when_region_unusable),
		cmocka_unit_test(test_plan_migrates_out_of_abi1_region),
		cmocka_unit_test(test_plan_park_addr_not_ram),
		cmocka_unit_test(test_plan_park_addr_wraps),
		cmocka_unit_test(test_auto_resolution),
		cmocka_unit_test(test_cpuinfo_online_and_tdx_flag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
