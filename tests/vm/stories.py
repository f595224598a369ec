"""The mailbox stories that run under both firmwares (scenario.story_test
generation lists): mailbox-tdx-story.test, mailbox-relocate.test and their
uefi-*.test twins."""

ALL = [0, 1, 2, 3]
MAILBOX = "--ap-handoff=mailbox"
P2 = 0x20000000
MIGRATED = "migrated from another mailbox"

# The TDX story with no INIT/SIPI after the first handoff.  gen 0: 6.1 with
# maxcpus=1 (APs never started) -> park -> gen 1: 6.12, 4 CPUs through the
# mailbox -> mailbox -> gen 2: 6.12, 4 CPUs -> offline CPUs 2 and 3,
# mailbox -> gen 3: 6.12, 4 CPUs.  Gens 2 and 3 must
# report 0 INIT and 0 SIPI.
TDX_STORY = [
    {"kernel": "6.1", "k": ["maxcpus=1"], "x": ["--ap-handoff=park"], "online": "0",
     "loadmsg": ["park: purgatory gathers every AP with INIT-SIPI-SIPI"]},
    {"kernel": "6.12", "x": [MAILBOX], "online": "0-3", "brought": 4, "enabled": ALL,
     "wakeup": 1, "strategy": "park", "ipis": (3, 6),
     "outcomes": {1: "parked via INIT-SIPI-SIPI", 2: "parked via INIT-SIPI-SIPI",
                  3: "parked via INIT-SIPI-SIPI"},
     "loadmsg": ["reused in place", "3 of 3 APs handed over, 0 unreachable; IPIs: 0 INIT, 0 SIPI",
                 "AP APIC ID 3: now online in this kernel -> returns to this region "
                 "through the ResetVector at kexec"]},
    {"kernel": "6.12", "off": [2, 3], "x": [MAILBOX], "online": "0-3", "brought": 4,
     "enabled": ALL, "wakeup": 1, "strategy": "mailbox", "ipis": (0, 0), "region": "same",
     "outcomes": {0: "boot CPU", 1: "returned through the ResetVector",
                  2: "returned through the ResetVector", 3: "returned through the ResetVector"},
     "exec_note": "mpkexec: note: brought CPUs 2,3 online before kexec",
     "loadmsg": ["AP APIC ID 2: now parked in the park region",
                 "3 of 3 APs handed over, 0 unreachable; IPIs: 0 INIT, 0 SIPI"]},
    {"kernel": "6.12", "online": "0-3", "brought": 4, "enabled": ALL, "wakeup": 1,
     "strategy": "mailbox", "ipis": (0, 0), "region": "same",
     "outcomes": {1: "returned through the ResetVector", 2: "returned through the ResetVector",
                  3: "returned through the ResetVector"}},
]

# Relocation.  gen 1 runs on park region P1; it loads gen 2 with
# --park-addr=0x20000000, so purgatory moves every AP from P1 to
# P2 with P1's own Wakeup command (no INIT/SIPI); gen 2 sees only P2 and,
# with the default --ap-handoff=auto, picks mailbox mode and reuses P2 in place.
RELOCATE = [
    {"kernel": "6.12", "x": ["--ap-handoff=park"], "online": "0-3"},
    # nokaslr: with KASLR this kernel's own image may sit on P2 (seen once)
    {"kernel": "6.12", "k": ["nokaslr"], "x": ["--ap-handoff=mailbox", "--park-addr=%#x" % P2],
     "online": "0-3",
     "brought": 4, "enabled": ALL, "wakeup": 1, "strategy": "park", "ipis": (3, 6),
     "loadmsg": ["park region %#x new (CPUs migrate out of the old region)" % P2,
                 "returns to the old mailbox through the ResetVector at kexec, then "
                 "Wakeup -> new region (migrate)",
                 "3 of 3 APs handed over, 0 unreachable; IPIs: 0 INIT, 0 SIPI"]},
    # no --ap-handoff: auto must see the mailbox this kernel started from
    {"kernel": "6.12", "online": "0-3", "brought": 4,
     "enabled": ALL, "wakeup": 1, "strategy": "mailbox", "ipis": (0, 0), "region": "new",
     "region_at": P2, "outcomes": {1: MIGRATED, 2: MIGRATED, 3: MIGRATED},
     "loadmsg": ["AP handoff: auto: this kernel starts its CPUs through a mailbox (an "
                 "mpkexec park region); mailbox (no INIT, no SIPI): park region %#x reused "
                 "in place" % P2]},
    {"kernel": "6.12", "online": "0-3", "brought": 4, "enabled": ALL, "wakeup": 1,
     "strategy": "mailbox", "ipis": (0, 0), "region": "same", "region_at": P2,
     "outcomes": {1: "returned through the ResetVector", 2: "returned through the ResetVector",
                  3: "returned through the ResetVector"}},
]
