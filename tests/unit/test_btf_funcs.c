// SPDX-License-Identifier: GPL-2.0
/* The one-pass BTF function lookup agrees with libbpf's, on this kernel's BTF. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "btf_funcs.h"
#include "testlib.h"

TEST(btf_funcs_match_libbpf_on_vmlinux)
{
	/* two hooks, a function every kernel has, a type that is not a
	 * function, and a name no kernel has */
	const char *names[] = { "clone_mnt", "umount_tree", "do_sys_openat2", "task_struct",
				"mnttrace_no_such_function" };
	size_t n = sizeof(names) / sizeof(names[0]), len;
	void *raw = mt_btf_read_file("/sys/kernel/btf/vmlinux", &len);
	struct btf *btf = btf__load_vmlinux_btf();
	struct mt_btf_blob b;
	__u32 ids[5];

	if (!raw || !btf) {
		mt_test_skip("no readable /sys/kernel/btf/vmlinux");
		goto out;
	}
	if (!ASSERT_TRUE(mt_btf_blob_open(&b, raw, len) == 0, "the blob opens") ||
	    !ASSERT_TRUE(mt_btf_find_funcs(&b, NULL, names, n, ids) == 0, "every kind is known"))
		goto out;
	ASSERT_TRUE(b.ntypes == btf__type_cnt(btf) - 1, "as many types as libbpf counts");
	for (size_t i = 0; i < n; i++) {
		int want = btf__find_by_name_kind(btf, names[i], BTF_KIND_FUNC);

		if (!ASSERT_TRUE(ids[i] == (__u32)(want > 0 ? want : 0), "same id as libbpf"))
			mt_test_log("%s: %u, libbpf %d", names[i], ids[i], want);
	}
	ASSERT_TRUE(ids[2] > 0, "do_sys_openat2 is found");
	ASSERT_TRUE(ids[3] == 0 && ids[4] == 0, "a struct or an unknown name is not");
out:
	btf__free(btf);
	free(raw);
}

TEST(btf_funcs_refuse_what_is_not_btf)
{
	unsigned char junk[64] = { 0x9f, 0xeb, 1, 0, 24 };
	const char *names[] = { "clone_mnt" };
	struct mt_btf_blob b;
	__u32 id = 7;

	ASSERT_TRUE(mt_btf_blob_open(&b, "not btf", 7) == -EINVAL, "too short");
	/* a header whose type section runs past the end */
	junk[8] = 0;
	junk[12] = 200;
	ASSERT_TRUE(mt_btf_blob_open(&b, junk, sizeof(junk)) == -EINVAL, "sections outside");
	/* one type of a kind that does not exist (31) */
	memset(junk + 8, 0, 16);
	junk[12] = 12;		/* type_len */
	junk[16] = 12;		/* str_off */
	junk[20] = 1;		/* str_len */
	junk[24 + 7] = 31 << 0;	/* info's top byte: kind 31 */
	if (ASSERT_TRUE(mt_btf_blob_open(&b, junk, sizeof(junk)) == 0, "a well-formed header"))
		ASSERT_TRUE(mt_btf_find_funcs(&b, NULL, names, 1, &id) == -EINVAL && id == 0,
			    "an unknown kind is refused, nothing found");
}
