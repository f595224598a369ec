#include "pagetable.h"

#define PTE_P    (1ull << 0)
#define PTE_RW   (1ull << 1)
#define PTE_PWT  (1ull << 3)
#define PTE_PCD  (1ull << 4)
#define PTE_PS   (1ull << 7)   /* 2 MiB page in a PD entry */
#define SZ_2M    (1ull << 21)
#define SZ_1G    (1ull << 30)

static uint64_t pml5[512] __attribute__((aligned(4096)));
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));

uint64_t pagetable_identity_4g(bool la57, uint64_t uncached)
{
	/* Identity-mapped: a table's virtual address is its physical one. */
	for (unsigned g = 0; g < 4; g++) {
		for (unsigned i = 0; i < 512; i++) {
			uint64_t addr = g * SZ_1G + i * SZ_2M;

			pd[g][i] = addr | PTE_P | PTE_RW | PTE_PS;
			if (addr == (uncached & ~(SZ_2M - 1)))
				pd[g][i] |= PTE_PCD | PTE_PWT;
		}
		pdpt[g] = (uint64_t)(uintptr_t)pd[g] | PTE_P | PTE_RW;
	}
	pml4[0] = (uint64_t)(uintptr_t)pdpt | PTE_P | PTE_RW;
	if (!la57)
		return (uint64_t)(uintptr_t)pml4;
	pml5[0] = (uint64_t)(uintptr_t)pml4 | PTE_P | PTE_RW;
	return (uint64_t)(uintptr_t)pml5;
}
