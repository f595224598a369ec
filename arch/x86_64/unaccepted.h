/* SPDX-License-Identifier: GPL-2.0-only */
/* Memory that firmware left unaccepted (Intel TDX, AMD SEV-SNP; the EFI
 * unaccepted-memory table, Linux >= 6.5).  A guest that touches such memory
 * before accepting it is ended, so a kexec must only write accepted memory
 * and the next kernel must learn what is still unaccepted. */
#ifndef MPKEXEC_UNACCEPTED_H
#define MPKEXEC_UNACCEPTED_H

#include <stdbool.h>

#include "error.h"
#include "sysview.h"

/* 0 if a load is safe as to unaccepted memory; -1 with the reason and what
 * to do otherwise.  `efi_why` is NULL when the EFI data (and with it the
 * configuration table naming the unaccepted-memory bitmap) is handed over,
 * else why not. */
int unaccepted_check(const struct sysview *sv, const char *efi_why, struct mpk_error *err);

#endif
