/* The x86_64 image types, in probe order.  Adding a type is one file with
 * its probe and plan, and one line here.  The order is kexec-tools': a
 * multiboot2 header, then an ELF executable, then a multiboot header, then
 * bzImage last (the fallback: its message is the one shown when nothing
 * accepts the image).  The ELF probe declines an ELF with a multiboot
 * header (elf-exec-load.h), so such a kernel reaches multiboot. */
#include "image-types.h"

#include "bzimage-load.h"
#include "bzimage.h"
#include "elf-exec-load.h"
#include "multiboot.h"
#include "multiboot2.h"

static const char *const multiboot2_aliases[] = { "multiboot2-x86", NULL };
static const char *const elf_aliases[] = { "elf-x86_64", "elf-x86", NULL };
static const char *const multiboot_aliases[] = { "multiboot-x86", NULL };
static const char *const bzimage_aliases[] = { "bzImage64", NULL };

const struct image_type image_types[] = {
	{ "multiboot2", multiboot2_aliases, multiboot2_probe, multiboot2_plan, .linux_boot = false },
	{ "elf", elf_aliases, elf_image_probe, elf_image_plan, .linux_boot = false },
	{ "multiboot", multiboot_aliases, multiboot_probe, multiboot_plan, .linux_boot = false },
	{ "bzImage", bzimage_aliases, bzimage_probe, bzimage_plan, .linux_boot = true },
};
const size_t image_types_count = sizeof(image_types) / sizeof(image_types[0]);
