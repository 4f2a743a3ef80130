/* contrastive_io.c — saving and loading fitted contrastive models (see contrastive.h).
 * Layout: "SOMACTRS", u32 version, the header fields, the loss history (f64), the parameters
 * (f32), then the CRC-32 (IEEE) of every byte before it. Host byte order (little-endian). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joint/check.h"
#include "joint/contrastive.h"
#include "joint/nn.h"
#include "sim/soma.h"

#define MAGIC "SOMACTRS"
#define VERSION 1u

typedef struct file_header {
  char magic[8];
  uint32_t version;
  char model_architecture[24], conditional[16], distance[12];
  int32_t n_neurons, num_hidden_units, output_dimension, offset_left, offset_right, iterations;
  uint32_t seed, pad;
  double temperature, fit_seconds;
  uint64_t n_params;
} file_header;

/* CRC-32 (IEEE 802.3, reflected), bit by bit: models are small */
static uint32_t crc32_update(uint32_t crc, const void *data, size_t n) {
  const unsigned char *p = data;
  crc = ~crc;
  for (size_t i = 0; i < n; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++) crc = crc & 1 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
  }
  return ~crc;
}

int joint_contrastive_save(const joint_contrastive *m, const char *path, char *err,
                           size_t errlen) {
  if (!m || !path)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "contrastive save: model and path required");
  file_header h;
  memset(&h, 0, sizeof h);
  memcpy(h.magic, MAGIC, 8);
  h.version = VERSION;
  memcpy(h.model_architecture, m->model_architecture, sizeof h.model_architecture);
  memcpy(h.conditional, m->conditional, sizeof h.conditional);
  memcpy(h.distance, m->distance, sizeof h.distance);
  h.n_neurons = m->n_neurons, h.num_hidden_units = m->num_hidden_units;
  h.output_dimension = m->output_dimension, h.offset_left = m->offset_left;
  h.offset_right = m->offset_right, h.iterations = m->iterations, h.seed = m->seed;
  h.temperature = m->temperature, h.fit_seconds = m->fit_seconds, h.n_params = m->n_params;
  FILE *f = fopen(path, "wb");
  if (!f)
    return joint_fail(err, errlen, SOMA_ERR_IO, "contrastive save: cannot open '%s': %s", path,
                      strerror(errno));
  uint32_t crc = crc32_update(0, &h, sizeof h);
  crc = crc32_update(crc, m->loss, (size_t)m->iterations * sizeof *m->loss);
  crc = crc32_update(crc, m->params, m->n_params * sizeof *m->params);
  int ok = fwrite(&h, sizeof h, 1, f) == 1 &&
           fwrite(m->loss, sizeof *m->loss, (size_t)m->iterations, f) == (size_t)m->iterations &&
           fwrite(m->params, sizeof *m->params, m->n_params, f) == m->n_params &&
           fwrite(&crc, sizeof crc, 1, f) == 1;
  ok &= fclose(f) == 0;
  if (!ok)
    return joint_fail(err, errlen, SOMA_ERR_IO, "contrastive save: writing '%s' failed: %s",
                      path, strerror(errno));
  return SOMA_OK;
}

static int terminated(const char *s, size_t n) { return memchr(s, 0, n) != NULL; }

int joint_contrastive_load(const char *path, joint_contrastive **out, char *err, size_t errlen) {
  if (out) *out = NULL;
  if (!path || !out)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "contrastive load: path and out required");
  FILE *f = fopen(path, "rb");
  if (!f)
    return joint_fail(err, errlen, SOMA_ERR_IO, "contrastive load: cannot open '%s': %s", path,
                      strerror(errno));
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  file_header h;
  int rc = SOMA_OK;
  joint_contrastive *m = NULL;
  if (size < (long)sizeof h || fread(&h, sizeof h, 1, f) != 1) {
    rc = joint_fail(err, errlen, SOMA_ERR_IO,
                    "contrastive load: '%s' is truncated (%ld bytes, shorter than the header)",
                    path, size);
    goto done;
  }
  if (memcmp(h.magic, MAGIC, 8)) {
    rc = joint_fail(err, errlen, SOMA_ERR_IO,
                    "contrastive load: '%s' is not a soma contrastive model (bad magic)", path);
    goto done;
  }
  if (h.version != VERSION) {
    rc = joint_fail(err, errlen, SOMA_ERR_IO,
                    "contrastive load: '%s' has format version %u; this build reads version %u",
                    path, h.version, VERSION);
    goto done;
  }
  nn_net net;
  nn_arch arch;
  int normalize;
  if (!terminated(h.model_architecture, sizeof h.model_architecture) ||
      !terminated(h.conditional, sizeof h.conditional) ||
      !terminated(h.distance, sizeof h.distance) ||
      nn_arch_parse(h.model_architecture, &arch, &normalize) ||
      nn_net_init(&net, arch, normalize, h.n_neurons, h.num_hidden_units, h.output_dimension) ||
      net.n_params != h.n_params || h.iterations < 0 || net.left != h.offset_left ||
      net.right != h.offset_right) {
    rc = joint_fail(err, errlen, SOMA_ERR_IO,
                    "contrastive load: '%s' has an inconsistent header (corrupt file)", path);
    goto done;
  }
  long want = (long)(sizeof h + (size_t)h.iterations * sizeof(double) +
                     h.n_params * sizeof(float) + sizeof(uint32_t));
  if (size != want) {
    rc = joint_fail(err, errlen, SOMA_ERR_IO,
                    "contrastive load: '%s' is %s (%ld bytes, expected %ld)", path,
                    size < want ? "truncated" : "longer than its header says", size, want);
    goto done;
  }
  m = calloc(1, sizeof *m);
  if (m) m->loss = malloc(((size_t)h.iterations + 1) * sizeof *m->loss);
  if (m) m->params = malloc(h.n_params * sizeof *m->params);
  if (!m || !m->loss || !m->params) {
    rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, "contrastive load: out of memory");
    goto done;
  }
  uint32_t crc_file;
  if (fread(m->loss, sizeof *m->loss, (size_t)h.iterations, f) != (size_t)h.iterations ||
      fread(m->params, sizeof *m->params, h.n_params, f) != h.n_params ||
      fread(&crc_file, sizeof crc_file, 1, f) != 1) {
    rc = joint_fail(err, errlen, SOMA_ERR_IO, "contrastive load: reading '%s' failed", path);
    goto done;
  }
  uint32_t crc = crc32_update(0, &h, sizeof h);
  crc = crc32_update(crc, m->loss, (size_t)h.iterations * sizeof *m->loss);
  crc = crc32_update(crc, m->params, h.n_params * sizeof *m->params);
  if (crc != crc_file) {
    rc = joint_fail(err, errlen, SOMA_ERR_IO,
                    "contrastive load: '%s' fails its checksum (corrupt file)", path);
    goto done;
  }
  memcpy(m->model_architecture, h.model_architecture, sizeof m->model_architecture);
  memcpy(m->conditional, h.conditional, sizeof m->conditional);
  memcpy(m->distance, h.distance, sizeof m->distance);
  m->n_neurons = h.n_neurons, m->num_hidden_units = h.num_hidden_units;
  m->output_dimension = h.output_dimension, m->offset_left = h.offset_left;
  m->offset_right = h.offset_right, m->iterations = h.iterations, m->seed = h.seed;
  m->temperature = h.temperature, m->fit_seconds = h.fit_seconds, m->n_params = h.n_params;
done:
  fclose(f);
  if (rc != SOMA_OK) {
    joint_contrastive_free(m);
    return rc;
  }
  *out = m;
  return SOMA_OK;
}
