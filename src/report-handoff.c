/* SPDX-License-Identifier: GPL-2.0-only */
/* --last-handoff rendered, text or JSON: the handoff report and the park
 * region's status table as src/handoff-account.c reads them.  Pure (writes
 * only to `out`), so tests/fuzz/fuzz_report.c runs it on any bytes. */
#include "report.h"

#include <inttypes.h>
#include <string.h>

#include "json-out.h"
#include "mpkexec/handoff-report.h"
#include "mpkexec/park-abi.h"

struct name {
	const char *key, *text;
};

/* Values not named here print as "strategy N" / "outcome N" (a newer
 * purgatory's), so a new value needs no change elsewhere. */
static const struct name strategies[] = {
	[MPK_STRATEGY_INIT] = { "init", "init (APs put into INIT; original MADT)" },
	[MPK_STRATEGY_PARK] = { "park", "park (APs gathered into the park region; MADT "
				"wakeup mailbox)" },
	[MPK_STRATEGY_PARK_FAILED] = { "park-failed", "park failed (no AP arrived): APs put "
				       "into INIT; original ACPI tables" },
	[MPK_STRATEGY_MAILBOX] = { "mailbox", "mailbox (APs handed over through mailboxes "
				   "only; MADT wakeup mailbox)" },
};

static const struct name outcomes[] = {
	[MPK_CPU_BOOT] = { "boot", "boot CPU (ran purgatory)" },
	[MPK_CPU_INIT] = { "init", "INIT" },
	[MPK_CPU_PARKED_INIT_SIPI] = { "parked-init-sipi", "parked via INIT-SIPI-SIPI" },
	[MPK_CPU_ALREADY_PARKED] = { "already-parked", "already parked" },
	[MPK_CPU_MIGRATED] = { "migrated", "migrated from another mailbox" },
	[MPK_CPU_NOT_ARRIVED] = { "not-arrived", "did not arrive: disabled in the MADT" },
	[MPK_CPU_RETURNED] = { "returned", "returned through the ResetVector" },
	[MPK_CPU_UNREACHABLE] = { "unreachable", "unreachable (no mailbox reaches it): "
				  "disabled in the MADT" },
	[MPK_CPU_LEFT_BEHIND] = { "left-behind", "left behind (old boot CPU or firmware's BSP; "
				  "purgatory ran elsewhere): not INIT'd" },
	[MPK_CPU_SELF_PARKED] = { "self-parked", "ran purgatory, handed the boot to firmware's "
				  "BSP and parked itself" },
	[MPK_CPU_BOOT_WOKEN] = { "boot-woken", "boot CPU (firmware's BSP, woken from the park "
				 "loop to boot this kernel)" },
};

static const struct name park_states[] = {
	[PARK_STATE_ABSENT] = { "absent", "absent" },
	[PARK_STATE_PARKED] = { "parked", "in the park loop" },
	[PARK_STATE_WOKEN] = { "woken", "woken by mailbox" },
};

static const struct name park_hows[] = {
	[0] = { "never", "never" },
	[PARK_HOW_INIT_SIPI] = { "init-sipi", "INIT-SIPI" },
	[PARK_HOW_MIGRATED] = { "migrated", "migrated" },
	[PARK_HOW_RESET_VECTOR] = { "reset-vector", "ResetVector" },
};

/* The name of v in table t, or "<what> N" in buf (key NULL). */
static const struct name *name_of(const struct name *t, size_t n, uint32_t v,
				  const char *what, struct name *buf, char *text, size_t len)
{
	if (v < n && t[v].key)
		return &t[v];
	snprintf(text, len, "%s %u", what, v);
	buf->key = NULL;
	buf->text = text;
	return buf;
}

#define NAME_OF(t, v, what, buf, text) \
	name_of(t, sizeof(t) / sizeof(t[0]), v, what, buf, text, sizeof(text))

static double tsc_ms(uint64_t a, uint64_t b, uint64_t khz)
{
	return khz && b >= a ? (double)(b - a) / (double)khz : 0.0;
}

static void park_now_text(FILE *out, const struct handoff_account *a, const struct park_now *pn)
{
	fprintf(out, "park region now: %#" PRIx64 ", ABI %u, mailbox v%" PRIu64
		", %u CPU records%s\n", pn->region_base, pn->abi_version, pn->mailbox_version,
		pn->nr_announced, pn->region_base == a->park_base ? "" :
		" (not the reported region!)");
	for (uint32_t i = 0; i < pn->nr_cpus; i++) {
		struct park_now_cpu c;
		struct name b1, b2;
		char t1[32], t2[32];

		park_now_cpu(pn, i, &c);
		fprintf(out, "  APIC ID %u: %s, %u wakeups, %u tests, last arrival: %s\n",
			c.apic_id, NAME_OF(park_states, c.state, "state", &b1, t1)->text,
			c.wakeups, c.tests, NAME_OF(park_hows, c.how, "how", &b2, t2)->text);
	}
}

static void park_now_json(struct json_out *j, const struct handoff_account *a,
			  const struct park_now *pn)
{
	json_object_begin(j, "park_now");
	json_hex(j, "region_base", pn->region_base);
	json_bool(j, "is_reported_region", pn->region_base == a->park_base);
	json_u64(j, "abi_version", pn->abi_version);
	json_u64(j, "mailbox_version", pn->mailbox_version);
	json_u64(j, "nr_cpus", pn->nr_announced);
	json_array_begin(j, "cpus");
	for (uint32_t i = 0; i < pn->nr_cpus; i++) {
		struct park_now_cpu c;
		struct name b1, b2;
		char t1[32], t2[32];

		park_now_cpu(pn, i, &c);
		json_object_begin(j, NULL);
		json_u64(j, "apic_id", c.apic_id);
		json_u64(j, "state_code", c.state);
		json_string(j, "state", NAME_OF(park_states, c.state, "state", &b1, t1)->key);
		json_u64(j, "wakeups", c.wakeups);
		json_u64(j, "tests", c.tests);
		json_u64(j, "how_code", c.how);
		json_string(j, "how", NAME_OF(park_hows, c.how, "how", &b2, t2)->key);
		json_u64(j, "arrived_tsc", c.arrived_tsc);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void handoff_text(FILE *out, const struct handoff_account *a)
{
	struct name b;
	char t[32];

	fprintf(out, "last handoff (setup_data type %#x):\n", MPK_SETUP_DATA_TYPE);
	fprintf(out, "strategy: %s\n", NAME_OF(strategies, a->strategy, "strategy", &b, t)->text);
	fprintf(out, "digests: %u segments checked%s\n", a->digests_checked,
		a->digests_checked ? ", all matched" : " (-i)");
	fprintf(out, "IPIs sent: %u INIT, %u SIPI\n", a->init_ipis, a->sipi_ipis);
	fprintf(out, "purgatory: %.3f ms from entry to payload; AP gather %.3f ms "
		"(TSC estimate %" PRIu64 " kHz)\n",
		tsc_ms(a->tsc_entry, a->tsc_exit, a->tsc_khz),
		tsc_ms(a->tsc_gather_start, a->tsc_gather_end, a->tsc_khz), a->tsc_khz);
	fprintf(out, "RSDP handed over: %#" PRIx64 "\n", a->rsdp);
	if (a->strategy == MPK_STRATEGY_MAILBOX)
		fprintf(out, "source mailbox: %#" PRIx64 "; park region %#" PRIx64 ", "
			"handoff %" PRIu64 " it served\n", a->src_mailbox, a->park_base,
			a->region_generation);
	if (a->flags & MPK_REPORT_CRASH)
		fprintf(out, "crash capture: the crashed kernel's CPU APIC ID %u ran purgatory\n",
			a->self_apic_id);
	if (a->flags & MPK_REPORT_HANDOFF_FAILED)
		fprintf(out, "boot handoff failed: firmware's BSP did not take its Wakeup; "
			"purgatory's CPU booted this kernel\n");
	fprintf(out, "purgatory ran on APIC ID %u; CPUs (%u):\n", a->self_apic_id, a->nr_cpus);
	for (uint32_t i = 0; i < a->nr_cpus; i++) {
		struct handoff_account_cpu c;

		handoff_account_cpu(a, i, &c);
		fprintf(out, "  APIC ID %u: %s", c.apic_id,
			NAME_OF(outcomes, c.outcome, "outcome", &b, t)->text);
		if (c.arrived_tsc && a->tsc_gather_start && c.arrived_tsc >= a->tsc_gather_start)
			fprintf(out, " (+%.3f ms)", tsc_ms(a->tsc_gather_start, c.arrived_tsc,
							  a->tsc_khz));
		else if (c.arrived_tsc)
			fprintf(out, " (arrived %.3f ms before this handoff began)",
				tsc_ms(c.arrived_tsc, a->tsc_gather_start, a->tsc_khz));
		fputc('\n', out);
	}
}

static void handoff_json(struct json_out *j, const struct handoff_account *a)
{
	const struct name *n;
	struct name b;
	char t[32];

	json_string(j, "schema", REPORT_SCHEMA_LAST_HANDOFF);
	json_u64(j, "report_version", a->version);
	json_hex(j, "setup_data_type", MPK_SETUP_DATA_TYPE);
	json_u64(j, "strategy_code", a->strategy);
	n = NAME_OF(strategies, a->strategy, "strategy", &b, t);
	json_string(j, "strategy", n->key);
	json_string(j, "strategy_text", n->text);
	json_u64(j, "digests_checked", a->digests_checked);
	json_u64(j, "init_ipis", a->init_ipis);
	json_u64(j, "sipi_ipis", a->sipi_ipis);
	json_u64(j, "tsc_khz", a->tsc_khz);
	json_object_begin(j, "tsc");
	json_u64(j, "entry", a->tsc_entry);
	json_u64(j, "gather_start", a->tsc_gather_start);
	json_u64(j, "gather_end", a->tsc_gather_end);
	json_u64(j, "exit", a->tsc_exit);
	json_object_end(j);
	json_double(j, "purgatory_ms", tsc_ms(a->tsc_entry, a->tsc_exit, a->tsc_khz));
	json_double(j, "gather_ms", tsc_ms(a->tsc_gather_start, a->tsc_gather_end, a->tsc_khz));
	json_hex(j, "rsdp", a->rsdp);
	json_hex(j, "park_base", a->park_base);
	json_hex(j, "src_mailbox", a->src_mailbox);
	json_u64(j, "region_generation", a->region_generation);
	json_u64(j, "self_apic_id", a->self_apic_id);
	json_u64(j, "flags", a->flags);
	json_bool(j, "crash", a->flags & MPK_REPORT_CRASH);
	json_bool(j, "boot_handoff_failed", a->flags & MPK_REPORT_HANDOFF_FAILED);
	json_array_begin(j, "cpus");
	for (uint32_t i = 0; i < a->nr_cpus; i++) {
		struct handoff_account_cpu c;

		handoff_account_cpu(a, i, &c);
		n = NAME_OF(outcomes, c.outcome, "outcome", &b, t);
		json_object_begin(j, NULL);
		json_u64(j, "apic_id", c.apic_id);
		json_u64(j, "outcome_code", c.outcome);
		json_string(j, "outcome", n->key);
		json_string(j, "outcome_text", n->text);
		json_u64(j, "arrived_tsc", c.arrived_tsc);
		if (c.arrived_tsc && a->tsc_gather_start && c.arrived_tsc >= a->tsc_gather_start)
			json_double(j, "arrived_ms", tsc_ms(a->tsc_gather_start, c.arrived_tsc,
							     a->tsc_khz));
		else if (c.arrived_tsc)
			json_double(j, "arrived_ms", -tsc_ms(c.arrived_tsc, a->tsc_gather_start,
							      a->tsc_khz));
		else
			json_null(j, "arrived_ms");
		json_object_end(j);
	}
	json_array_end(j);
}

void report_handoff(FILE *out, const struct handoff_account *a, const uint8_t *park,
		    size_t park_len, const char *park_why, bool json)
{
	struct park_now pn;
	char why[200] = "";
	bool have_park = false;
	struct json_out j;

	if (a->park_base) {
		if (!park)
			snprintf(why, sizeof(why), "%s", park_why ? park_why : "unreadable");
		else
			have_park = park_now_parse(park, park_len, &pn, why, sizeof(why)) == 0;
	}
	if (!json) {
		handoff_text(out, a);
		if (have_park)
			park_now_text(out, a, &pn);
		else if (a->park_base)
			fprintf(out, "park region now: /sys/firmware/acpi/tables/%s unreadable "
				"(%s)\n", PARK_STATUS_SIG, why);
		return;
	}
	json_init(&j, out);
	json_object_begin(&j, NULL);
	handoff_json(&j, a);
	if (have_park)
		park_now_json(&j, a, &pn);
	else
		json_null(&j, "park_now");
	json_string(&j, "park_now_error", a->park_base && !have_park ? why : NULL);
	json_object_end(&j);
	json_finish(&j);
}

