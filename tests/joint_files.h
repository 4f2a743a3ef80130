/* joint_files.h — files for the joint layer's tests: a fresh temporary directory, writing a
 * text or byte file into it, and removing the directory with everything in it at the end. */
#ifndef SOMA_JOINT_FILES_H
#define SOMA_JOINT_FILES_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* a new directory /tmp/soma_<what>_XXXXXX into buf (at least 64 bytes); NULL on failure */
static inline char *jf_tmpdir(char *buf, const char *what) {
  snprintf(buf, 64, "/tmp/soma_%s_XXXXXX", what);
  return mkdtemp(buf);
}

/* dir/name (subdirectories made as needed) holding n bytes of data; 0 or -1 */
static inline int jf_write(const char *dir, const char *name, const void *data, size_t n) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
    *s = 0;
    mkdir(path, 0777);
    *s = '/';
  }
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  int ok = fwrite(data, 1, n, f) == n;
  return fclose(f) == 0 && ok ? 0 : -1;
}

static inline int jf_text(const char *dir, const char *name, const char *text) {
  return jf_write(dir, name, text, strlen(text));
}

static int jf_unlink(const char *p, const struct stat *s, int flag, struct FTW *f) {
  (void)s, (void)flag, (void)f;
  return remove(p);
}

/* removes dir and everything below it */
static inline void jf_rmtree(const char *dir) { nftw(dir, jf_unlink, 16, FTW_DEPTH | FTW_PHYS); }

#endif
