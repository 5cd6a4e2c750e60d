// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testlib.h"

static struct mt_test *tests, **tests_tail = &tests;
static bool cur_failed, cur_skipped, verbose;
static char cur_log[16384];
static size_t cur_log_len;
static const char *(*test_gate)(const struct mt_test *t);
static void (*test_note)(char *buf, size_t len);

void mt_test_set_gate(const char *(*gate)(const struct mt_test *t))
{
	test_gate = gate;
}

void mt_test_set_note(void (*note)(char *buf, size_t len))
{
	test_note = note;
}

void mt_test_register(struct mt_test *t)
{
	*tests_tail = t;
	tests_tail = &t->next;
}

static void log_append(const char *fmt, va_list ap)
{
	if (cur_log_len >= sizeof(cur_log) - 1)
		return;
	int n = vsnprintf(cur_log + cur_log_len, sizeof(cur_log) - cur_log_len, fmt, ap);
	if (n > 0)
		cur_log_len += (size_t)n;
	if (cur_log_len > sizeof(cur_log) - 1)
		cur_log_len = sizeof(cur_log) - 1;
}

static void log_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_append(fmt, ap);
	va_end(ap);
}

void mt_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	cur_failed = true;
	log_printf("    %s:%d: ", file, line);
	va_start(ap, fmt);
	log_append(fmt, ap);
	va_end(ap);
	log_printf("\n");
}

void mt_test_log(const char *fmt, ...)
{
	va_list ap;

	log_printf("    ");
	va_start(ap, fmt);
	log_append(fmt, ap);
	va_end(ap);
	log_printf("\n");
}

void mt_test_skip(const char *fmt, ...)
{
	va_list ap;

	cur_skipped = true;
	log_printf("    skip: ");
	va_start(ap, fmt);
	log_append(fmt, ap);
	va_end(ap);
	log_printf("\n");
}

bool mt_test_failed(void)
{
	return cur_failed;
}

double mt_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool selected(const char *name, int nfilters, char **filters)
{
	if (nfilters == 0)
		return true;
	for (int i = 0; i < nfilters; i++)
		if (strstr(name, filters[i]))
			return true;
	return false;
}

int mt_test_main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;
	char **filters = argv + 1;
	int nfilters = argc - 1;

	if (nfilters > 0 && strcmp(filters[0], "-v") == 0) {
		verbose = true;
		filters++;
		nfilters--;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (struct mt_test *t = tests; t; t = t->next) {
		const char *why = NULL;
		char note[160] = "";
		double secs;

		if (!selected(t->name, nfilters, filters))
			continue;
		cur_failed = cur_skipped = false;
		cur_log_len = 0;
		cur_log[0] = '\0';
		secs = mt_now_s();
		if (test_gate && (why = test_gate(t)))
			mt_test_skip("%s", why);
		else
			t->fn();
		secs = mt_now_s() - secs;
		if (test_note && !why)
			test_note(note, sizeof(note));
		/* the time after the name: where a slow suite (TCG guests) spends it */
		if (cur_failed) {
			failed++;
			printf("FAIL %s %.1fs%s\n%s", t->name, secs, note, cur_log);
		} else if (cur_skipped) {
			skipped++;
			printf("SKIP %s %.1fs%s\n%s", t->name, secs, note, cur_log);
		} else {
			passed++;
			printf("PASS %s %.1fs%s\n", t->name, secs, note);
			if (verbose)
				fputs(cur_log, stdout);
		}
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
