// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own mm/gup_test.c (CONFIG_GUP_TEST, a bool) as a loadable module, for kernels
 * built without it. The harness copies mm/gup_test.[ch] of the selftests' linux-source (or of
 * a --kernel-tree that has them) next to this file and builds it against the kernel's Debian
 * headers or the built tree (its config and Module.symvers).
 */
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0) && !defined(GUP_TEST_OWN_SOURCE)
/*
 * Before 6.5 these took a 'struct vm_area_struct **vmas' argument; 6.5 removed it (NULL). A
 * kernel tree's own mm/gup_test.c (GUP_TEST_OWN_SOURCE) already calls them its kernel's way.
 */
#define get_user_pages(start, nr, flags, pages) get_user_pages(start, nr, flags, pages, NULL)
#define pin_user_pages(start, nr, flags, pages) pin_user_pages(start, nr, flags, pages, NULL)
#endif

#ifdef GUP_TEST_NO_PINNABLE_CHECK
/*
 * With CONFIG_CMA, folio_is_longterm_pinnable() reads the pageblock's migratetype through
 * get_pfnblock_flags_mask(), which the kernel does not export to modules. Only the sanity WARN
 * of PIN_LONGTERM_BENCHMARK calls it (gup_longterm and cow use PIN_LONGTERM_TEST_*): this build
 * leaves that one check out.
 */
#define folio_is_longterm_pinnable(folio) ((void)(folio), true)
#endif

#include "mm/gup_test.c"

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mm/gup_test.c (CONFIG_GUP_TEST) built as a module");
