/* rundir.c — creating run directories and files in them, and fingerprints of files. */
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#ifndef SOMA_GIT_REV
#define SOMA_GIT_REV "unknown"
#endif

const char *rundir_git_revision(void) { return SOMA_GIT_REV; }

const char *rundir_timestamp(char *buf, size_t n) {
  time_t t = time(NULL);
  struct tm tm;
  localtime_r(&t, &tm);
  strftime(buf, n, "%Y-%m-%dT%H:%M:%S%z", &tm);
  return buf;
}

int rundir_mkdirs(const char *path, char *err, size_t errlen) {
  char buf[4096];
  if (strlen(path) >= sizeof buf - 1) {
    snprintf(err, errlen, "path too long: %s", path);
    return -1;
  }
  snprintf(buf, sizeof buf, "%s/", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
      snprintf(err, errlen, "cannot create directory %s: %s", buf, strerror(errno));
      return -1;
    }
    *p = '/';
  }
  return 0;
}

/* the parents of path (not path itself) */
static int make_parents(const char *path, char *err, size_t errlen) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  char *slash = strrchr(buf, '/');
  if (!slash || slash == buf) return 0;
  *slash = 0;
  return rundir_mkdirs(buf, err, errlen);
}

static int is_empty_dir(const char *path) {
  DIR *d = opendir(path);
  if (!d) return 0;
  struct dirent *e;
  int empty = 1;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) empty = 0;
  closedir(d);
  return empty;
}

int rundir_create(const char *requested, const char *stem, char *out, size_t n, char *err,
                  size_t errlen) {
  return rundir_create_in("runs", requested, stem, out, n, err, errlen);
}

int rundir_create_in(const char *parent, const char *requested, const char *stem, char *out,
                     size_t n, char *err, size_t errlen) {
  if (requested) {
    snprintf(out, n, "%s", requested);
    if (make_parents(out, err, errlen)) return -1;
    if (mkdir(out, 0777) == 0) return 0;
    if (errno == EEXIST && is_empty_dir(out)) return 0;
    if (errno == EEXIST)
      snprintf(err, errlen, "%s already exists and is not empty; soma never overwrites a run: "
                            "choose another --out or remove it", out);
    else
      snprintf(err, errlen, "cannot create directory %s: %s", out, strerror(errno));
    return -1;
  }
  char stamp[32];
  time_t t = time(NULL);
  struct tm tm;
  localtime_r(&t, &tm);
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  for (int k = 1; k < 1000; k++) {
    if (k == 1) snprintf(out, n, "%s/%s-%s", parent, stem, stamp);
    else snprintf(out, n, "%s/%s-%s-%d", parent, stem, stamp, k);
    if (make_parents(out, err, errlen)) return -1;
    if (mkdir(out, 0777) == 0) return 0;
    if (errno != EEXIST) {
      snprintf(err, errlen, "cannot create directory %s: %s", out, strerror(errno));
      return -1;
    }
  }
  snprintf(err, errlen, "cannot find a free name for %s/%s-%s", parent, stem, stamp);
  return -1;
}

FILE *rundir_open(const char *dir, const char *name, char *err, size_t errlen) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s.tmp", dir, name);
  FILE *f = fopen(path, "w");
  if (!f) snprintf(err, errlen, "cannot create %s/%s: %s", dir, name, strerror(errno));
  return f;
}

int rundir_commit(FILE *f, const char *dir, const char *name, char *err, size_t errlen) {
  char tmp[4200], path[4200];
  snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int bad = ferror(f) || fflush(f) != 0;
  int e = errno;
  if (fclose(f) != 0 && !bad) bad = 1, e = errno;
  if (!bad && rename(tmp, path) != 0) bad = 1, e = errno;
  if (!bad) return 0;
  remove(tmp);
  snprintf(err, errlen, "cannot write %s: %s", path, strerror(e ? e : EIO));
  return -1;
}

int rundir_file_sha256(const char *path, char hex[65], char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
    return -1;
  }
  struct sha256_ctx ctx;
  sha256_init(&ctx);
  uint8_t buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) sha256_update(&ctx, n, buf);
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    snprintf(err, errlen, "cannot read %s", path);
    return -1;
  }
  uint8_t d[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx, sizeof d, d);
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++) sprintf(hex + 2 * i, "%02x", d[i]);
  return 0;
}
