# SPDX-License-Identifier: GPL-2.0-only
"""The mailbox stories that run under both firmwares (scenario.story_test
generation lists): mailbox-tdx-story.test, mailbox-relocate.test and their
uefi-*.test twins.  "plan" is what the generation's --plan --json must say
about the load of the next one, "outcomes" the keys of the next one's
--last-handoff --json (docs/json.md); the -l account printed on stderr is
checked line by line against the same plan (check_load_account)."""

ALL = [0, 1, 2, 3]
MAILBOX = "--ap-handoff=mailbox"
P2 = 0x20000000
MIGRATED = "migrated"
RETURNED = "returned"
PARKED = "parked-init-sipi"
TALLY_3 = "3 of 3 APs handed over, 0 unreachable; IPIs: 0 INIT, 0 SIPI"

# The TDX story with no INIT/SIPI after the first handoff.  gen 0: 6.1 with
# maxcpus=1 (APs never started) -> park -> gen 1: 6.12, 4 CPUs through the
# mailbox -> mailbox -> gen 2: 6.12, 4 CPUs -> offline CPUs 2 and 3,
# mailbox -> gen 3: 6.12, 4 CPUs.  Gens 2 and 3 must
# report 0 INIT and 0 SIPI.
TDX_STORY = [
    {"kernel": "6.1", "k": ["maxcpus=1"], "x": ["--ap-handoff=park"], "online": "0",
     "plan": {"mode": "park",
              "summary": ["park: purgatory gathers every AP with INIT-SIPI-SIPI"],
              "cpus": {0: ("boot", "purgatory"), 1: ("stopped", "park"),
                       2: ("stopped", "park"), 3: ("stopped", "park")}}},
    {"kernel": "6.12", "x": [MAILBOX], "online": "0-3", "brought": 4, "enabled": ALL,
     "wakeup": 1, "strategy": "park", "ipis": (3, 6),
     "outcomes": {0: "boot", 1: PARKED, 2: PARKED, 3: PARKED},
     "plan": {"mode": "mailbox", "summary": ["reused in place"], "tally": TALLY_3,
              "cpus": {1: ("online", "stay"), 2: ("online", "stay"), 3: ("online", "stay")}}},
    {"kernel": "6.12", "off": [2, 3], "x": [MAILBOX], "online": "0-3", "brought": 4,
     "enabled": ALL, "wakeup": 1, "strategy": "mailbox", "ipis": (0, 0), "region": "same",
     "outcomes": {0: "boot", 1: RETURNED, 2: RETURNED, 3: RETURNED},
     "exec_note": "mpkexec: note: brought CPUs 2,3 online before kexec",
     "plan": {"mode": "mailbox", "summary": ["reused in place"], "tally": TALLY_3,
              "cpus": {1: ("online", "stay"), 2: ("parked", "stay"), 3: ("parked", "stay")}}},
    {"kernel": "6.12", "online": "0-3", "brought": 4, "enabled": ALL, "wakeup": 1,
     "strategy": "mailbox", "ipis": (0, 0), "region": "same",
     "outcomes": {0: "boot", 1: RETURNED, 2: RETURNED, 3: RETURNED}},
]

# Relocation.  gen 1 runs on park region P1; it loads gen 2 with
# --park-addr=0x20000000, so purgatory moves every AP from P1 to
# P2 with P1's own Wakeup command (no INIT/SIPI); gen 2 sees only P2 and,
# with the default --ap-handoff=auto, picks mailbox mode and reuses P2 in place.
RELOCATE = [
    {"kernel": "6.12", "x": ["--ap-handoff=park"], "online": "0-3",
     "plan": {"mode": "park", "cpus": {1: ("online", "park"), 2: ("online", "park"),
                                       3: ("online", "park")}}},
    # nokaslr: with KASLR this kernel's own image may sit on P2 (seen once)
    {"kernel": "6.12", "k": ["nokaslr"], "x": ["--ap-handoff=mailbox", "--park-addr=%#x" % P2],
     "online": "0-3",
     "brought": 4, "enabled": ALL, "wakeup": 1, "strategy": "park", "ipis": (3, 6),
     "outcomes": {1: PARKED, 2: PARKED, 3: PARKED},
     "plan": {"mode": "mailbox", "park_base": "%#x" % P2, "tally": TALLY_3,
              "summary": ["park region %#x new (CPUs migrate out of the old region)" % P2],
              "cpus": {1: ("online", "migrate"), 2: ("online", "migrate"),
                       3: ("online", "migrate")}}},
    # no --ap-handoff: auto must see the mailbox this kernel started from
    {"kernel": "6.12", "online": "0-3", "brought": 4,
     "enabled": ALL, "wakeup": 1, "strategy": "mailbox", "ipis": (0, 0), "region": "new",
     "region_at": P2, "outcomes": {1: MIGRATED, 2: MIGRATED, 3: MIGRATED},
     "plan": {"mode": "mailbox", "park_base": "%#x" % P2, "tally": TALLY_3,
              "summary": ["auto: this kernel starts its CPUs through a mailbox (an "
                          "mpkexec park region); mailbox (no INIT, no SIPI): park region "
                          "%#x reused in place" % P2],
              "cpus": {1: ("online", "stay"), 2: ("online", "stay"), 3: ("online", "stay")}}},
    {"kernel": "6.12", "online": "0-3", "brought": 4, "enabled": ALL, "wakeup": 1,
     "strategy": "mailbox", "ipis": (0, 0), "region": "same", "region_at": P2,
     "outcomes": {1: RETURNED, 2: RETURNED, 3: RETURNED}},
]
