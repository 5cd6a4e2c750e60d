// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's propagation rules, as pure functions over the model's
 * mounts: no /proc, no allocation, so they are tested alone.
 *
 * Facts they rely on (BACKGROUND.md, checked on 6.1 and 6.18): a namespace
 * copy of a shared mount is its peer (a slave after the service's own
 * MS_REC|MS_SLAVE), of a private mount a private copy; an umount
 * propagates to the peers and slaves of the unmounted mount's peer group
 * (propagate_umount), never to private copies.
 */
#include <string.h>

#include "model_int.h"

struct mount_entry *root_orig(struct mount_entry *mm)
{
	for (int i = 0; mm->orig && i < MAX_CHAIN; i++)
		mm = mm->orig;
	return mm;
}

/*
 * Does an umount of @r propagate to @c? Yes for peers of @r and for slaves
 * of its peer group, at any depth of the master chain; never when @r is
 * private. Master chains are followed through the overlay's own mounts:
 * every member of a propagation tree is a copy of the same superblock.
 */
bool reaches(const struct mount_entry *r, const struct mount_entry *c)
{
	__u32 g;

	if (!r->group)
		return false;
	if (c->group == r->group)
		return true;
	g = c->master;
	for (int i = 0; g && i < MAX_CHAIN; i++) {
		const struct mount_entry *x;

		if (g == r->group)
			return true;
		for (x = c->ovl->mnts; x; x = x->ovl_next)
			if (x->group == g && x->master != g)
				break;
		g = x ? x->master : 0;
	}
	return false;
}

/* Is @a a likelier original than @b: in mnttrace's namespace, else older? */
bool better_home(__u32 self_ns, const struct mount_entry *a, const struct mount_entry *b)
{
	bool as = a->ns->ino == self_ns, bs = b->ns->ino == self_ns;

	if (as != bs)
		return as;
	/* a mount that receives propagation from another is not its source */
	if (!a->master != !b->master)
		return !a->master;
	return a->id && (!b->id || a->id < b->id);
}

/* The mount a new copy @mm most likely came from. */
struct mount_entry *guess_orig(__u32 self_ns, struct mount_entry *mm)
{
	struct overlay_entry *o = mm->ovl;
	struct mount_entry *best = NULL;

	/* the namespace it was copied from, when an event said so (the
	 * overlay's mounts, newest first like the namespace's, are fewer) */
	if (mm->ns->cr_from) {
		for (struct mount_entry *x = o->mnts; x; x = x->ovl_next)
			if (x->ns == mm->ns->cr_from)
				return x;
	}
	/* the copy in our own namespace is no copy, if anything is */
	if (mm->ns->ino == self_ns)
		return NULL;
	if (!o->home) {
		for (struct mount_entry *x = o->mnts; x; x = x->ovl_next)
			if (!o->home || better_home(self_ns, x, o->home))
				o->home = x;
	}
	if (o->home && o->home->ns != mm->ns)
		return o->home;
	/* the home is this namespace's own: any other namespace's mount */
	for (struct mount_entry *x = o->mnts; x; x = x->ovl_next)
		if (x->ns != mm->ns && (!best || better_home(self_ns, x, best)))
			best = x;
	return best;
}

/*
 * A container's own namespace: the runtime's init copies the whole tree,
 * then pivot_root()s into the container's overlay and detaches the rest.
 * What stays is the container's root ("/" there), and it dies with the
 * container, before the runtime unmounts the overlay.
 */
bool container_ns(const struct mount_entry *c)
{
	static const char *const inits[] = { "runc", "crun", "youki", "runsc" };
	const char *comm = c->ns->has_creator ? c->ns->cr_comm : "";

	if (streq(c->path, "/"))
		return true;
	for (size_t i = 0; i < sizeof(inits) / sizeof(inits[0]); i++)
		if (strncmp(comm, inits[i], strlen(inits[i])) == 0)
			return true;
	return false;
}
