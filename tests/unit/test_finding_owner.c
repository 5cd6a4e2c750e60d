// SPDX-License-Identifier: GPL-2.0
/* Who owns the overlay, as a finding shows it: the real container id next
 * to the layer id and its source, both lowerdir forms, and the remedy in
 * the owning runtime's terms. */
#include <stdio.h>

#include "testlib.h"
#include "findings.h"
#include "json.h"
#include "term.h"

#define LOWER_LAYER "0a0b0c0d0e0f10111213141516171819"
#define PODMAN_LAYER "7d3c9a1b2e4f5061728394a5b6c7d8e9"
#define PODMAN_CTR "abc0000011112222333344445555666677778888999900001111222233334444"

/* The finding's JSON carries the real container id, the layer id and the
 * source; the remedy follows the runtime. */
TEST(finding_owner_json_and_remedy)
{
	static const char *const lowers[] = { "/g/overlay2/" LOWER_LAYER "/diff" };
	struct mt_finding f = {
		.id = 1, .kind = MT_FIND_RISK, .op = "unshare", .path = "/g/overlay2/L/merged",
		.lowerdir = "/g/overlay2/l/ABCDEFGHIJ", .lower_layers = lowers,
		.nr_lower_layers = 1, .container_id = PODMAN_CTR, .layer_id = PODMAN_LAYER,
		.id_source = "containers-storage", .container_name = "sleepy",
		.image = "localhost/busybox:latest", .runtime = "podman/cri-o",
		.runtime_kind = MT_RT_CONTAINERS_STORAGE,
		.runtime_root = "/var/lib/containers/storage",
		.reason_code = MT_REASON_RISK_PRIVATE_ORIGINAL,
	};
	static const char *const fields[] = {
		"\"lowerdir\":\"/g/overlay2/l/ABCDEFGHIJ\"",
		"\"lower_layers\":[\"/g/overlay2/" LOWER_LAYER "/diff\"]",
		"\"container_id\":\"" PODMAN_CTR "\"", "\"layer_id\":\"" PODMAN_LAYER "\"",
		"\"id_source\":\"containers-storage\"", "\"container_name\":\"sleepy\"",
		"\"image\":\"localhost/busybox:latest\"", "\"runtime\":\"podman/cri-o\"",
		"skip_mount_home = \\\"true\\\"", "[storage.options.overlay]",
		"/var/lib/containers/storage/overlay",
	};
	char buf[8192];
	struct mt_json j;

	mt_json_init_buf(&j, buf, sizeof(buf));
	ASSERT_TRUE(mt_finding_json(&j, &f, 0) >= 0, "json written");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!ASSERT_TRUE(strstr(buf, fields[i]), fields[i]))
			mt_test_log("json: %s", buf);
	ASSERT_FALSE(strstr(buf, "moby#36047"), "no Docker advice for podman");
	{
		char text[4096] = "", brief[4096] = "";
		FILE *mem = fmemopen(text, sizeof(text) - 1, "w");

		if (ASSERT_TRUE(mem, "fmemopen")) {
			/* -v, unwrapped */
			mt_finding_text_styled(mem, &f, 0, &(struct mt_term){ .width = 0 }, true);
			fclose(mem);
		}
		ASSERT_TRUE(strstr(text, "    owner:   " PODMAN_CTR " of image localhost/busybox:latest, "
				   "id from containers-storage, layer " PODMAN_LAYER "\n"),
			    "text names it");
		mem = fmemopen(brief, sizeof(brief) - 1, "w");
		if (ASSERT_TRUE(mem, "fmemopen")) {
			mt_finding_text(mem, &f, 0);
			fclose(mem);
		}
		/* by default the headline has the id as docker ps shows it */
		ASSERT_TRUE(strstr(brief, ", podman/cri-o container abc000001111 \"sleepy\": "), brief);
		ASSERT_FALSE(strstr(brief, "owner:"), "no owner line without -v");
	}
	f.runtime_kind = MT_RT_DOCKER;
	f.runtime_root = "/home/docker_rt";
	mt_json_init_buf(&j, buf, sizeof(buf));
	mt_finding_json(&j, &f, 0);
	ASSERT_TRUE(strstr(buf, "mount --make-rshared /home/docker_rt"), "docker: its root");
	ASSERT_TRUE(strstr(buf, "moby#36047"), "docker: the version that fixed it");
	ASSERT_FALSE(strstr(buf, "skip_mount_home"), "docker: no podman advice");
	f.runtime_kind = MT_RT_CONTAINERD;
	f.runtime_root = "/run/containerd";
	mt_json_init_buf(&j, buf, sizeof(buf));
	mt_finding_json(&j, &f, 0);
	ASSERT_TRUE(strstr(buf, "containerd's dirs (/run/containerd) shared"),
		    "containerd: its own dirs");
	ASSERT_FALSE(strstr(buf, "moby#36047"), "containerd: no docker advice");
}
