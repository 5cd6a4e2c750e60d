// SPDX-License-Identifier: GPL-2.0
/*
 * Driving the runtimes' CLIs and the service namespaces for the e2e tests:
 * every command has a timeout, every process the runner starts dies with it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h"

/* dockerd and podman answer in well under a second here; a loaded CI
 * machine (qemu guests on every core) may take much longer. */
#define CMD_TIMEOUT_MS 60000
#define SERVICE_READY_MS 10000

static bool env_skip(const char *skip_var, const char *need_var, const char **val)
{
	const char *why = getenv(skip_var);

	*val = getenv(need_var);
	if (why && *why) {
		mt_test_skip("%s", why);
		return false;
	}
	if (!*val || !**val) {
		mt_test_skip("%s is not set (run the suite through tests/e2e/e2e.sh)", need_var);
		return false;
	}
	return true;
}

bool rt_docker(struct e2e_runtime *rt)
{
	const char *cli;

	memset(rt, 0, sizeof(*rt));
	if (!env_skip("E2E_DOCKER_SKIP", "E2E_DOCKER", &cli) ||
	    !env_skip("E2E_DOCKER_SKIP", "E2E_DOCKER_ROOT", &rt->root))
		return false;
	rt->name = "docker";
	rt->argv[rt->argc++] = cli;
	return true;
}

bool rt_podman(struct e2e_runtime *rt, bool shared)
{
	static char runroot[2][512], tmpdir[2][512];
	const char *cli, *run;

	memset(rt, 0, sizeof(*rt));
	if (!env_skip("E2E_PODMAN_SKIP", "E2E_PODMAN", &cli) ||
	    !env_skip("E2E_PODMAN_SKIP", "E2E_PODMAN_RUN", &run) ||
	    !env_skip("E2E_PODMAN_SKIP", shared ? "E2E_PODMAN_SHARED_ROOT" : "E2E_PODMAN_ROOT",
		      &rt->root))
		return false;
	snprintf(runroot[shared], sizeof(runroot[0]), "%s/%s", run, shared ? "shared" : "default");
	snprintf(tmpdir[shared], sizeof(tmpdir[0]), "%s/%s-tmp", run, shared ? "shared" : "default");
	rt->name = "podman";
	rt->podman = true;
	rt->argv[rt->argc++] = cli;
	rt->argv[rt->argc++] = "--root";
	rt->argv[rt->argc++] = rt->root;
	rt->argv[rt->argc++] = "--runroot";
	rt->argv[rt->argc++] = runroot[shared];
	rt->argv[rt->argc++] = "--tmpdir";
	rt->argv[rt->argc++] = tmpdir[shared];
	/* no systemd here (nor in CI): cgroupfs, and events in a file */
	rt->argv[rt->argc++] = "--cgroup-manager=cgroupfs";
	rt->argv[rt->argc++] = "--events-backend=file";
	rt->argv[rt->argc++] = "--storage-driver=overlay";
	if (shared)
		rt->argv[rt->argc++] = "--storage-opt=overlay.skip_mount_home=true";
	return true;
}


/* Exec argv with stdout and stderr in memfds; the exit status, or -1. */
static int run_argv(const char *const *argv, char **out, char **err)
{
	int ofd = memfd_create("e2e-stdout", 0), efd = memfd_create("e2e-stderr", 0);
	pid_t ppid = getpid(), pid;
	int status = -1;

	*out = *err = NULL;
	if (ofd < 0 || efd < 0)
		goto out;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != ppid)
			_exit(127);
		dup2(null, 0);
		dup2(ofd, 1);
		dup2(efd, 2);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid > 0)
		status = wait_pid_timeout(pid, CMD_TIMEOUT_MS);
	*out = it_read_memfd(ofd);
	*err = it_read_memfd(efd);
out:
	if (ofd >= 0)
		close(ofd);
	if (efd >= 0)
		close(efd);
	return status;
}

bool rt_cmd(const struct e2e_runtime *rt, char *out, size_t len, const char *arg, ...)
{
	const char *argv[48];
	char cmd[512] = "", *o, *e;
	int n = 0, st;
	va_list ap;
	bool ok;

	for (; n < rt->argc; n++)
		argv[n] = rt->argv[n];
	va_start(ap, arg);
	for (; arg && n < 47; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	for (int i = 0; i < n; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), "%s%s", i ? " " : "", argv[i]);
	st = run_argv(argv, &o, &e);
	ok = st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && o;
	if (ok && out) {
		size_t l = strlen(o);

		while (l && o[l - 1] == '\n')
			o[--l] = '\0';
		snprintf(out, len, "%s", o);
	}
	if (!ok)
		mt_test_fail(__FILE__, __LINE__, "`%s`: %s 0x%x; stderr: %.1500s", cmd,
			     st < 0 ? "could not run, status" : "status", (unsigned int)st,
			     e ? e : "");
	else if (it_verbose)
		mt_test_log("$ %s", cmd);
	free(o);
	free(e);
	return ok;
}

bool mnttrace_once(struct tracer *t, const char *arg, ...)
{
	const char *argv[TR_MAX_ARGS + 2] = { it_mnttrace };
	int n = 1, st;
	char *o, *e;
	va_list ap;

	va_start(ap, arg);
	for (; arg && n < TR_MAX_ARGS; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	st = run_argv(argv, &o, &e);
	t->exited = true;
	t->status = st;
	t->err_text = e;
	if (o)
		tracer_parse_output(t, o);
	free(o);
	if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && e)
		return true;
	mt_test_fail(__FILE__, __LINE__, "mnttrace %s: status 0x%x; stderr: %.1500s", argv[1],
		     (unsigned int)st, e ? e : "");
	return false;
}

static bool is_hex_id(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == 64 && !s[n];
}

bool rt_start_container(const struct e2e_runtime *rt, char *id, size_t id_len,
			char *merged, size_t merged_len)
{
	const char *image = getenv("E2E_IMAGE");

	if (!image) {
		mt_test_fail(__FILE__, __LINE__, "E2E_IMAGE is not set");
		return false;
	}
	/*
	 * No network: neither dockerd (--bridge=none) nor podman has one set up
	 * here. podman's default limits (nofile and nproc 1048576) are above
	 * what this machine allows a root without CAP_SYS_RESOURCE: runc would
	 * fail with "error setting rlimits ... operation not permitted".
	 */
	if (rt->podman ? !rt_cmd(rt, id, id_len, "run", "-d", "--network", "none",
				 "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
				 image, "sleep", "600", NULL)
		       : !rt_cmd(rt, id, id_len, "run", "-d", "--network", "none", image,
				 "sleep", "600", NULL))
		return false;
	if (!is_hex_id(id)) {
		mt_test_fail(__FILE__, __LINE__, "%s run -d printed \"%s\", not a container id",
			     rt->name, id);
		return false;
	}
	return rt_cmd(rt, merged, merged_len, "inspect", "--format",
		      "{{.GraphDriver.Data.MergedDir}}", id, NULL);
}

bool rt_remove(const struct e2e_runtime *rt, const char *id)
{
	/* podman rm -f waits 10 s for a sleep (pid 1) to obey SIGTERM */
	return rt->podman ? rt_cmd(rt, NULL, 0, "rm", "-f", "-t", "0", id, NULL)
			  : rt_cmd(rt, NULL, 0, "rm", "-f", id, NULL);
}

bool set_propagation(const char *path, unsigned long prop, bool bind)
{
	struct mi_entry e;

	if (bind && !mi_find(0, path, &e) && mount(path, path, NULL, MS_BIND, NULL) < 0) {
		mt_test_fail(__FILE__, __LINE__, "bind %s onto itself: %s", path, strerror(errno));
		return false;
	}
	if (mount(NULL, path, NULL, MS_REC | prop, NULL) < 0) {
		mt_test_fail(__FILE__, __LINE__, "mount --make-r%s %s: %s",
			     prop == MS_SHARED ? "shared" : "private", path, strerror(errno));
		return false;
	}
	return true;
}

static bool read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0;
}

static bool service_ready(pid_t pid, const char *cwd)
{
	char path[64], buf[4096];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if (!read_small(path, buf, sizeof(buf)) || strcmp(buf, "sleep\n"))
		return false;
	if (!cwd)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/cwd", pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return strcmp(buf, cwd) == 0;
}

pid_t service_start(const char *prop, const char *cwd)
{
	const char *plain[] = { "unshare", "-m", "--propagation", prop, "sleep", "600", NULL };
	const char *in_dir[] = { "unshare", "-m", "--propagation", prop, "sh", "-c",
				 "cd \"$1\" && exec sleep 600", "sh", cwd, NULL };
	const char *const *argv = cwd ? in_dir : plain;
	pid_t ppid = getpid(), pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != ppid)
			_exit(127);
		dup2(null, 0);
		dup2(null, 1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0) {
		mt_test_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
		return -1;
	}
	for (int ms = 0; ms < SERVICE_READY_MS; ms += 10) {
		if (service_ready(pid, cwd))
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			mt_test_fail(__FILE__, __LINE__, "service `unshare -m --propagation %s%s%s` "
				     "exited", prop, cwd ? " sh -c cd " : " sleep 600", cwd ? cwd : "");
			return -1;
		}
		sleep_ms(10);
	}
	mt_test_fail(__FILE__, __LINE__, "service %d not sleeping after %d ms", pid,
		     SERVICE_READY_MS);
	kill_wait(pid);
	return -1;
}

void service_stop(pid_t pid)
{
	if (pid > 0)
		kill_wait(pid);
}

bool wait_mounted(pid_t pid, const char *path, bool mounted, int timeout_ms)
{
	struct mi_entry e;

	for (int ms = 0; ms < timeout_ms; ms += 20) {
		if (mi_find(pid, path, &e) == mounted)
			return true;
		sleep_ms(20);
	}
	return false;
}
