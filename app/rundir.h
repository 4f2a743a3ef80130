/* rundir.h — run directories: every run writes into a fresh directory (never overwriting an
 * earlier run), named runs/<stem>-<date>-<time> unless the user names one. */
#ifndef SOMA_RUNDIR_H
#define SOMA_RUNDIR_H

#include <stddef.h>
#include <stdio.h>

/* Creates the directory (and its parents). requested may be NULL for the default name; an
 * existing non-empty directory is refused. The path goes to out. Returns 0 or -1 + err. */
int rundir_create(const char *requested, const char *stem, char *out, size_t n, char *err,
                  size_t errlen);

/* The same with the default name parent/<stem>-<date>-<time> instead of runs/... */
int rundir_create_in(const char *parent, const char *requested, const char *stem, char *out,
                     size_t n, char *err, size_t errlen);

/* Creates a directory and its parents. Returns 0 or -1 with a message in err. */
int rundir_mkdirs(const char *path, char *err, size_t errlen);

/* The SHA-256 of a file's contents as 64 hex digits. Returns 0 or -1 with a message in err. */
int rundir_file_sha256(const char *path, char hex[65], char *err, size_t errlen);

/* Opens dir/name for writing, or returns NULL with a message in err. What is written goes to
 * dir/name.tmp until rundir_commit renames it: a file of the run is whole or absent. */
FILE *rundir_open(const char *dir, const char *name, char *err, size_t errlen);
/* Closes f (from rundir_open(dir, name)) and renames it into place. 0, or -1 with "cannot
 * write dir/name: why" in err and the partial file removed (a full disk). */
int rundir_commit(FILE *f, const char *dir, const char *name, char *err, size_t errlen);

/* The local time as ISO 8601 ("2026-11-23T14:05:00+0000") into buf. */
const char *rundir_timestamp(char *buf, size_t n);

/* The git revision soma was built from ("unknown" outside a git checkout). */
const char *rundir_git_revision(void);

#endif
