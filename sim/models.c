/* models.c — the table of neuron models, lookups by name, and helpers models share. */
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <string.h>

#include "model.h"
#include "param.h"
#include "soma.h"

extern const soma_model soma_model_lif, soma_model_lif_alpha, soma_model_lif_cond,
    soma_model_izhikevich, soma_model_adex, soma_model_poisson, soma_model_spike_source;

static const soma_model *const models[] = {
  &soma_model_lif,        &soma_model_lif_alpha, &soma_model_lif_cond,     &soma_model_izhikevich,
  &soma_model_adex,       &soma_model_poisson,   &soma_model_spike_source,
};

#define N_MODELS ((int)(sizeof models / sizeof models[0]))

int soma_model_count(void) { return N_MODELS; }

const soma_model *soma_model_at(int index) {
  return index >= 0 && index < N_MODELS ? models[index] : NULL;
}

const char *soma_model_name(int index) {
  const soma_model *m = soma_model_at(index);
  return m ? m->name : NULL;
}

const soma_model *soma_model_find(const char *name) {
  for (int i = 0; i < N_MODELS; i++)
    if (strcmp(models[i]->name, name) == 0) return models[i];
  return NULL;
}

int soma_model_param_index(const soma_model *m, const char *name) {
  for (int i = 0; i < m->n_params; i++)
    if (strcmp(m->params[i].name, name) == 0) return i;
  return -1;
}

int soma_model_var_index(const soma_model *m, const char *name) {
  for (int i = 0; i < m->n_vars; i++)
    if (strcmp(m->vars[i].name, name) == 0) return i;
  return -1;
}

int soma_model_port_index(const soma_model *m, const char *name) {
  for (int i = 0; i < m->n_ports; i++)
    if (strcmp(m->ports[i].name, name) == 0) return i;
  return -1;
}

int32_t soma_steps_of(double t, double dt) {
  double steps = t / dt;   /* a refractory period of 1e30 ms: as long as a run can be */
  return steps >= 2147483647.0 ? INT32_MAX : (int32_t)llround(steps);
}

int soma_check_below(const soma_param_def *defs, const double *p, int lo, int hi, char *msg,
                     size_t len) {
  if (p[lo] < p[hi]) return 0;
  snprintf(msg, len, "%s (%g %s) must be below %s (%g %s)", defs[lo].name, p[lo], defs[lo].unit,
           defs[hi].name, p[hi], defs[hi].unit);
  return 1;
}

void soma_propagator(int n, const double *A, double h, double *out) {
  gsl_matrix *a = gsl_matrix_alloc((size_t)n, (size_t)n);
  gsl_matrix *e = gsl_matrix_alloc((size_t)n, (size_t)n);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) gsl_matrix_set(a, (size_t)i, (size_t)j, A[i * n + j] * h);
  gsl_linalg_exponential_ss(a, e, GSL_PREC_DOUBLE);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) out[i * n + j] = gsl_matrix_get(e, (size_t)i, (size_t)j);
  gsl_matrix_free(a);
  gsl_matrix_free(e);
}

/* 16 flags as one vector (GCC/Clang vector extension): one OR per 16 neurons. */
typedef int32_t flags16 __attribute__((vector_size(64), aligned(4)));

static inline int none_set(const int32_t *f, int blocks) {
  flags16 acc = {0};
  for (int b = 0; b < blocks; b++) {
    flags16 x;
    memcpy(&x, f + 16 * b, sizeof x);
    acc |= x;
  }
  uint64_t w[8];
  memcpy(w, &acc, sizeof w);
  return !(w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]);
}

size_t soma_compact_spikes(const int32_t *spiked, int lo, int hi, uint32_t *out) {
  size_t k = 0;
  int i = lo;
  /* spikes are rare: skip 64 flags at a time when none is set, list the few that are */
  for (; i + 64 <= hi; i += 64) {
    if (none_set(spiked + i, 4)) continue;
    for (int b = i; b < i + 64; b += 16) {
      if (none_set(spiked + b, 1)) continue;
      for (int j = b; j < b + 16; j++) {
        out[k] = (uint32_t)j;
        k += spiked[j] != 0;
      }
    }
  }
  for (; i < hi; i++) {
    out[k] = (uint32_t)i;
    k += spiked[i] != 0;
  }
  return k;
}

int soma_model_kind(const char *model, const char *name, char *msg, size_t len) {
  const soma_model *m = soma_model_find(model);
  if (!m) {
    snprintf(msg, len, "unknown neuron model '%s'", model ? model : "(null)");
    return -1;
  }
  if (name && soma_model_param_index(m, name) >= 0) return SOMA_MODEL_PARAM;
  if (name && soma_model_var_index(m, name) >= 0) return SOMA_MODEL_VAR;
  soma_unknown_name_msg(m, "parameter", name ? name : "(null)", msg, len);
  return 0;
}

int soma_model_describe(const char *name, FILE *f) {
  const soma_model *m = soma_model_find(name);
  if (!m) return SOMA_ERR_PARAM;
  fprintf(f, "%s — %s\n\nparameters (one value per population):\n", m->name, m->doc);
  for (int i = 0; i < m->n_params; i++) {
    const soma_param_def *p = &m->params[i];
    fprintf(f, "  %-12s %-4s default %-10g %s\n", p->name, p->unit, p->def, p->doc);
  }
  if (m->n_vars) fprintf(f, "\nstate variables (one value per neuron, recordable):\n");
  for (int i = 0; i < m->n_vars; i++)
    fprintf(f, "  %-12s %-4s %s\n", m->vars[i].name, m->vars[i].unit, m->vars[i].doc);
  if (m->n_ports) fprintf(f, "\nreceptor ports (targets of projections):\n");
  for (int i = 0; i < m->n_ports; i++)
    fprintf(f, "  %-12s %-4s %s%s\n", m->ports[i].name, m->ports[i].unit, m->ports[i].doc,
            m->ports[i].sign > 0   ? " (weights >= 0)"
            : m->ports[i].sign < 0 ? " (weights <= 0)"
                                   : "");
  return SOMA_OK;
}
