// SPDX-License-Identifier: GPL-2.0
/* The lockdown hint of a refused fentry load, with and without securityfs. */
#include <stdlib.h>
#include <string.h>

#include "sysenv.h"
#include "testlib.h"
#include "../fixtures/fixture.h"

TEST(sysenv_lockdown_hint_without_securityfs)
{
	char *dir = fx_tmpdir(), buf[512];

	if (!ASSERT_TRUE(dir != NULL, "tmpdir"))
		return;
	mt_lockdown_hint(dir, buf, sizeof(buf));
	ASSERT_TRUE(strstr(buf, "does not exist") != NULL, "says the file is missing");
	ASSERT_TRUE(strstr(buf, "mount -t securityfs securityfs ") != NULL,
		    "how to mount securityfs");
	ASSERT_TRUE(strstr(buf, "lockdown=") && strstr(buf, "/proc/cmdline"),
		    "or where the command line says it");
	fx_write(dir, "lockdown", "none [integrity] confidentiality\n");
	mt_lockdown_hint(dir, buf, sizeof(buf));
	ASSERT_TRUE(strstr(buf, "\"none [integrity] confidentiality\"") != NULL,
		    "the state when it can be read");
	ASSERT_TRUE(strstr(buf, "mount -t") == NULL, "no mount advice then");
	fx_rmtree(dir);
}
