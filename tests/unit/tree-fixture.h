/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the unit tests: files in a temporary tree shaped like sysfs,
 * for inputs the committed fixtures do not have. */
#ifndef MPKEXEC_TEST_TREE_FIXTURE_H
#define MPKEXEC_TEST_TREE_FIXTURE_H

#include <stddef.h>

/* Writes root/rel (creating its directories); fails the test on error. */
void put_bytes(const char *root, const char *rel, const void *data, size_t len);
void put_file(const char *root, const char *rel, const char *text);

/* cmocka setup/teardown: *state = a new empty directory under /tmp (a
 * strdup'd path), removed with everything in it afterwards. */
int tree_setup(void **state);
int tree_teardown(void **state);

#endif
