// SPDX-License-Identifier: GPL-2.0
#include "testlib.h"

int main(int argc, char **argv)
{
	return mt_test_main(argc, argv);
}
