/* modulator.c — neuromodulators: named signals ("dopamine", "acetylcholine", ...) that
 * modulated learning rules read. A signal is a tonic level plus a phasic part that jumps by
 * the amounts given (now, or at scheduled times during a run) and decays back with time
 * constant tau:  m(t) = tonic + sum_k a_k exp(-(t - t_k) / tau)  over increments k at t_k <= t.
 *
 * The value at a step is a pure function of the step, so every thread that reads it during a
 * run gets the same number: each thread walks the increments with its own cursor. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "param.h"

struct soma_mod {
  soma_net *net;
  char name[SOMA_NAME_MAX];
  double tonic, tau;
  /* the phasic part: `base` at step base_step, then increments at steps ev_step (sorted) */
  double base;
  int64_t base_step;
  int64_t *ev_step;
  double *ev_amount;
  size_t n_ev, cap_ev;
  struct soma_rpe *rpe;     /* a critic's TD error added to the value, or NULL */
  /* per thread: next increment, and the phasic value at cur_step including those before */
  size_t *cur;
  double *acc;
  int64_t *acc_step;
};

static double decay(const soma_mod *m, int64_t steps) {
  return isinf(m->tau) ? 1.0 : exp(-(double)steps * m->net->dt / m->tau);
}

soma_mod *soma_mod_create(soma_net *net, const char *name, double tonic, double tau_ms) {
  if (!soma_identifier_ok(name, SOMA_NAME_MAX)) {
    soma_net_fail(net, SOMA_ERR_PARAM, "modulator name '%s' is not valid: use 1 to %d letters, "
                  "digits, '_' or '-'", name ? name : "(null)", SOMA_NAME_MAX - 1);
    return NULL;
  }
  if (soma_net_find_mod(net, name)) {
    soma_net_fail(net, SOMA_ERR_PARAM, "modulator '%s' already exists", name);
    return NULL;
  }
  if (!isfinite(tonic)) {
    soma_net_fail(net, SOMA_ERR_PARAM, "modulator '%s': tonic level must be finite (got %g)", name, tonic);
    return NULL;
  }
  if (!(tau_ms > 0)) {
    soma_net_fail(net, SOMA_ERR_PARAM, "modulator '%s': tau must be > 0 ms (got %g; inf: no decay)",
                  name, tau_ms);
    return NULL;
  }
  soma_mod *m = calloc(1, sizeof *m);
  soma_mod **mods = realloc(net->mods, sizeof *mods * (size_t)(net->n_mods + 1));
  if (mods) net->mods = mods;
  if (!m || !mods) {
    free(m);
    soma_net_fail(net, SOMA_ERR_NOMEM, "modulator '%s': out of memory", name);
    return NULL;
  }
  m->net = net;
  snprintf(m->name, sizeof m->name, "%s", name);
  m->tonic = tonic;
  m->tau = tau_ms;
  m->base_step = net->step;
  net->mods[net->n_mods++] = m;
  return m;
}

void soma__mod_destroy(soma_mod *m) {
  if (!m) return;
  free(m->ev_step);
  free(m->ev_amount);
  free(m->cur);
  free(m->acc);
  free(m->acc_step);
  free(m);
}

soma_mod *soma_net_find_mod(const soma_net *net, const char *name) {
  for (int i = 0; name && i < net->n_mods; i++)
    if (!strcmp(net->mods[i]->name, name)) return net->mods[i];
  return NULL;
}

int soma_net_mod_count(const soma_net *net) { return net->n_mods; }
soma_mod *soma_net_mod(const soma_net *net, int i) {
  return i >= 0 && i < net->n_mods ? net->mods[i] : NULL;
}

const char *soma_mod_name(const soma_mod *m) { return m->name; }
double soma_mod_tonic(const soma_mod *m) { return m->tonic; }
double soma_mod_tau(const soma_mod *m) { return m->tau; }

/* the phasic part at step s from scratch (between runs) */
static double phasic_at(const soma_mod *m, int64_t s) {
  double v = m->base * decay(m, s - m->base_step);
  for (size_t k = 0; k < m->n_ev && m->ev_step[k] <= s; k++)
    v += m->ev_amount[k] * decay(m, s - m->ev_step[k]);
  return v;
}

double soma_mod_value(const soma_mod *m) {
  return m->tonic + phasic_at(m, m->net->step) + (m->rpe ? soma__rpe_value(m->rpe, 0) : 0);
}

soma_net *soma__mod_net(const soma_mod *m) { return m->net; }
struct soma_rpe *soma__mod_rpe(const soma_mod *m) { return m->rpe; }
void soma__mod_set_rpe(soma_mod *m, struct soma_rpe *r) { m->rpe = r; }

/* folds the increments up to now into base, so the list holds only future ones */
static void fold(soma_mod *m) {
  int64_t now = m->net->step;
  m->base = phasic_at(m, now);
  m->base_step = now;
  size_t k = 0;
  while (k < m->n_ev && m->ev_step[k] <= now) k++;
  if (!k) return;
  memmove(m->ev_step, m->ev_step + k, sizeof(int64_t) * (m->n_ev - k));
  memmove(m->ev_amount, m->ev_amount + k, sizeof(double) * (m->n_ev - k));
  m->n_ev -= k;
}

int soma_mod_add(soma_mod *m, double amount) {
  if (!isfinite(amount))
    return soma_net_fail(m->net, SOMA_ERR_PARAM, "modulator '%s': the amount must be finite (got %g)",
                         m->name, amount);
  fold(m);
  if (!isfinite(m->base + amount))
    return soma_net_fail(m->net, SOMA_ERR_PARAM, "modulator '%s': adding %g to its phasic part "
                         "(%g) overflows", m->name, amount, m->base);
  m->base += amount;
  return SOMA_OK;
}

int soma_mod_set_tonic(soma_mod *m, double tonic) {
  if (!isfinite(tonic))
    return soma_net_fail(m->net, SOMA_ERR_PARAM, "modulator '%s': tonic level must be finite (got %g)",
                         m->name, tonic);
  m->tonic = tonic;
  return SOMA_OK;
}

int soma_mod_schedule(soma_mod *m, size_t n, const double *times, const double *amounts) {
  soma_net *net = m->net;
  int64_t *steps = malloc(sizeof(int64_t) * (n ? n : 1));
  if (!steps) return soma_net_fail(net, SOMA_ERR_NOMEM, "modulator '%s': out of memory", m->name);
  for (size_t k = 0; k < n; k++) {
    double st = times[k] / net->dt;
    if (!isfinite(times[k]) || !isfinite(amounts[k]) || st < (double)net->step - 1e-6 || st > 9e15) {
      free(steps);
      return soma_net_fail(net, SOMA_ERR_PARAM, "modulator '%s': increment %zu at %g ms of %g: times "
                           "must be finite and not in the past (now %g ms), amounts finite",
                           m->name, k + 1, times[k], amounts[k], soma_net_time(net));
    }
    steps[k] = llround(st);
  }
  fold(m);
  if (m->n_ev + n > m->cap_ev) {
    size_t cap = (m->n_ev + n) * 2;
    int64_t *s2 = realloc(m->ev_step, sizeof(int64_t) * cap);
    if (s2) m->ev_step = s2;
    double *a2 = s2 ? realloc(m->ev_amount, sizeof(double) * cap) : NULL;
    if (a2) m->ev_amount = a2;
    if (!s2 || !a2) {
      free(steps);
      return soma_net_fail(net, SOMA_ERR_NOMEM, "modulator '%s': out of memory", m->name);
    }
    m->cap_ev = cap;
  }
  /* insert each, keeping the list sorted by step (stable: equal steps keep call order) */
  for (size_t k = 0; k < n; k++) {
    size_t at = m->n_ev;
    while (at > 0 && m->ev_step[at - 1] > steps[k]) at--;
    if (at < m->n_ev) {
      memmove(m->ev_step + at + 1, m->ev_step + at, sizeof(int64_t) * (m->n_ev - at));
      memmove(m->ev_amount + at + 1, m->ev_amount + at, sizeof(double) * (m->n_ev - at));
    }
    m->ev_step[at] = steps[k];
    m->ev_amount[at] = amounts[k];
    m->n_ev++;
  }
  free(steps);
  return SOMA_OK;
}

int soma__mod_prepare(soma_mod *m) {
  int T = m->net->threads;
  free(m->cur);
  free(m->acc);
  free(m->acc_step);
  m->cur = calloc((size_t)T, sizeof(size_t));
  m->acc = malloc(sizeof(double) * (size_t)T);
  m->acc_step = malloc(sizeof(int64_t) * (size_t)T);
  if (!m->cur || !m->acc || !m->acc_step) return SOMA_ERR_NOMEM;
  fold(m);
  for (int t = 0; t < T; t++) {
    m->acc[t] = m->base;
    m->acc_step[t] = m->base_step;
  }
  return SOMA_OK;
}

/* During a run, on thread slot t, at non-decreasing steps s. */
double soma__mod_value_at(soma_mod *m, int t, int64_t s) {
  while (m->cur[t] < m->n_ev && m->ev_step[m->cur[t]] <= s) {
    size_t k = m->cur[t]++;
    m->acc[t] = m->acc[t] * decay(m, m->ev_step[k] - m->acc_step[t]) + m->ev_amount[k];
    m->acc_step[t] = m->ev_step[k];
  }
  return m->tonic + m->acc[t] * decay(m, s - m->acc_step[t]) + (m->rpe ? soma__rpe_value(m->rpe, t) : 0);
}
