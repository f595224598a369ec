/* The x86_64 image types, in probe order.  Adding a type is one file with
 * its probe and plan, and one line here.  The order is kexec-tools': a
 * multiboot2 header, then an ELF executable, then a multiboot header, then
 * bzImage last (the fallback: its message is the one shown when nothing
 * accepts the image).  Still to come, in that order before bzImage:
 *   multiboot2 ("multiboot2-x86"), elf ("elf-x86_64"), multiboot
 *   ("multiboot-x86"). */
#include "image-types.h"

#include "bzimage-load.h"
#include "bzimage.h"
#include "multiboot2.h"

static const char *const multiboot2_aliases[] = { "multiboot2-x86", NULL };
static const char *const bzimage_aliases[] = { "bzImage64", NULL };

const struct image_type image_types[] = {
	{ "multiboot2", multiboot2_aliases, multiboot2_probe, multiboot2_plan, .linux_boot = false },
	{ "bzImage", bzimage_aliases, bzimage_probe, bzimage_plan, .linux_boot = true },
};
const size_t image_types_count = sizeof(image_types) / sizeof(image_types[0]);
