// SPDX-License-Identifier: GPL-2.0
/*
 * Records wait in chunks of CHUNK_SIZE bytes: the reader fills one of its
 * own, without a lock, and publishes it when it is full or the ring is
 * empty; the main thread takes published chunks one at a time and gives
 * the empty ones back (SPARES are kept, so a trickle allocates nothing).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <bpf/libbpf.h>

#include "ringq.h"

#define CHUNK_SIZE (256 * 1024)
#define SPARES 4

struct chunk {
	struct chunk *next;
	size_t used;		/* bytes filled by the reader */
	size_t read;		/* bytes handed out by the main thread */
	char data[];		/* [u64 size][record, padded to 8 bytes] ... */
};

#define CHUNK_DATA (CHUNK_SIZE - sizeof(struct chunk))

struct mt_ringq {
	pthread_mutex_t lock;
	struct chunk *head, *tail;	/* published, oldest first (lock) */
	struct chunk *spare;		/* (lock) */
	int nspare;			/* (lock) */
	size_t bytes, max;		/* chunks allocated, spares included (lock) */
	struct chunk *fill;		/* the reader's, not published yet */
	struct chunk *cur;		/* the main thread's, being handed out */
	uint64_t dropped;		/* atomic: records the full queue refused */
	int err;			/* atomic: the reader's failure, -errno */
	int ready_fd;			/* eventfd: a chunk was published */
	int stop_fd;			/* eventfd: the reader should end */
	struct ring_buffer *rb;
	pthread_t thread;
	bool running;
};

struct mt_ringq *mt_ringq__new(size_t max_bytes)
{
	struct mt_ringq *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	pthread_mutex_init(&q->lock, NULL);
	q->max = max_bytes;
	q->ready_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->ready_fd < 0 || q->stop_fd < 0) {
		int err = errno;

		mt_ringq__free(q);
		errno = err;
		return NULL;
	}
	return q;
}

static void kick(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0) {
		/* the counter is full: the reader of it is woken already */
	}
}

static struct chunk *get_chunk(struct mt_ringq *q)
{
	struct chunk *c = NULL;

	pthread_mutex_lock(&q->lock);
	if (q->spare) {
		c = q->spare;
		q->spare = c->next;
		q->nspare--;
	} else if (q->bytes + CHUNK_SIZE <= q->max && (c = malloc(CHUNK_SIZE))) {
		q->bytes += CHUNK_SIZE;
	}
	pthread_mutex_unlock(&q->lock);
	if (c)
		c->next = NULL, c->used = c->read = 0;
	return c;
}

static void give_back(struct mt_ringq *q, struct chunk *c)
{
	pthread_mutex_lock(&q->lock);
	if (q->nspare < SPARES) {
		c->next = q->spare;
		q->spare = c;
		q->nspare++;
		c = NULL;
	} else {
		q->bytes -= CHUNK_SIZE;
	}
	pthread_mutex_unlock(&q->lock);
	free(c);
}

static void publish(struct mt_ringq *q)
{
	struct chunk *c = q->fill;

	if (!c || !c->used)
		return;
	q->fill = NULL;
	pthread_mutex_lock(&q->lock);
	if (q->tail)
		q->tail->next = c;
	else
		q->head = c;
	q->tail = c;
	pthread_mutex_unlock(&q->lock);
	kick(q->ready_fd);
}

int mt_ringq__push(void *ctx, const void *data, size_t size)
{
	struct mt_ringq *q = ctx;
	size_t need = sizeof(uint64_t) + ((size + 7) & ~(size_t)7);

	if (q->fill && q->fill->used + need > CHUNK_DATA)
		publish(q);
	if (!q->fill)
		q->fill = need <= CHUNK_DATA ? get_chunk(q) : NULL;
	if (!q->fill) {
		__atomic_fetch_add(&q->dropped, 1, __ATOMIC_RELAXED);
		return 0;	/* the next record may fit: go on reading */
	}
	*(uint64_t *)(q->fill->data + q->fill->used) = size;
	memcpy(q->fill->data + q->fill->used + sizeof(uint64_t), data, size);
	q->fill->used += need;
	return 0;
}

static void *reader(void *arg)
{
	struct mt_ringq *q = arg;
	struct pollfd p[2] = {
		{ .fd = ring_buffer__epoll_fd(q->rb), .events = POLLIN },
		{ .fd = q->stop_fd, .events = POLLIN },
	};
	int err = 0;

	for (;;) {
		/* a trickle under the wake-up threshold is read at the timeout */
		if (poll(p, 2, MT_POLL_MS) < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		if (p[1].revents)
			break;
		err = ring_buffer__consume(q->rb);
		if (err < 0)
			break;
		err = 0;
		publish(q);
	}
	publish(q);
	if (err) {
		__atomic_store_n(&q->err, err, __ATOMIC_RELEASE);
		kick(q->ready_fd);
	}
	return NULL;
}

int mt_ringq__start(struct mt_ringq *q, struct ring_buffer *rb)
{
	sigset_t all, old;
	int err;

	q->rb = rb;
	/* signals go to the main thread, which ends the trace */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&q->thread, NULL, reader, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	q->running = true;
	return 0;
}

static struct chunk *take(struct mt_ringq *q)
{
	struct chunk *c;

	pthread_mutex_lock(&q->lock);
	c = q->head;
	if (c) {
		q->head = c->next;
		if (!q->head)
			q->tail = NULL;
	}
	pthread_mutex_unlock(&q->lock);
	return c;
}

/* Wait up to @ms for a published chunk; false on a signal or timeout. */
static bool wait_ready(struct mt_ringq *q, int ms)
{
	struct pollfd p = { .fd = q->ready_fd, .events = POLLIN };
	uint64_t n;

	if (read(q->ready_fd, &n, sizeof(n)) < 0) {
		/* EAGAIN: nothing published since the last wait */
	}
	pthread_mutex_lock(&q->lock);
	n = q->head != NULL;
	pthread_mutex_unlock(&q->lock);
	return n || (ms && poll(&p, 1, ms) == 1);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int mt_ringq__process(struct mt_ringq *q, int wait_ms, int budget_ms, mt_record_fn fn,
		      void *ctx)
{
	double t0 = budget_ms >= 0 ? now_ms() : 0;
	int n = 0, err;

	if (!q->running)
		publish(q);	/* what the caller read after mt_ringq__stop() */
	for (;;) {
		if (!q->cur && !(q->cur = take(q))) {
			if (n || !wait_ready(q, wait_ms))
				break;
			wait_ms = 0;
			continue;
		}
		while (q->cur->read < q->cur->used) {
			char *at = q->cur->data + q->cur->read;
			size_t size = *(uint64_t *)at;

			q->cur->read += sizeof(uint64_t) + ((size + 7) & ~(size_t)7);
			n++;
			err = fn(ctx, at + sizeof(uint64_t), size);
			if (err)
				return err;
			if (budget_ms >= 0 && !(n & 63) && now_ms() - t0 >= budget_ms)
				return n;
		}
		give_back(q, q->cur);
		q->cur = NULL;
	}
	err = __atomic_load_n(&q->err, __ATOMIC_ACQUIRE);
	return n ? n : err;
}

uint64_t mt_ringq__dropped(struct mt_ringq *q)
{
	return q ? __atomic_load_n(&q->dropped, __ATOMIC_RELAXED) : 0;
}

void mt_ringq__stop(struct mt_ringq *q)
{
	if (!q || !q->running)
		return;
	kick(q->stop_fd);
	pthread_join(q->thread, NULL);
	q->running = false;
}

static void free_list(struct chunk *c)
{
	while (c) {
		struct chunk *next = c->next;

		free(c);
		c = next;
	}
}

void mt_ringq__free(struct mt_ringq *q)
{
	if (!q)
		return;
	mt_ringq__stop(q);
	free_list(q->head);
	free_list(q->spare);
	free(q->fill);
	free(q->cur);
	if (q->ready_fd >= 0)
		close(q->ready_fd);
	if (q->stop_fd >= 0)
		close(q->stop_fd);
	pthread_mutex_destroy(&q->lock);
	free(q);
}
