/* rpe.c — a reward-prediction-error source: turns a critic population's activity into the
 * continuous-time TD error (Doya 2000; Fremaux, Sprekeler & Gerstner 2013) that drives a
 * neuromodulator:
 *   V(t) = scale * nu(t) + v0          nu: the critic's mean rate (Hz), a spike trace over tau_v
 *   delta(t) = dV/dt - V(t) / tau_r    (per second), low-passed with tau_delta
 * and the modulator reads m(t) = tonic + rewards (its phasic increments: a reward is
 * mod:add(r)) + delta(t). The critic's spikes of each interval are known to every thread after
 * the interval's barrier; each thread computes the same delta from them for the next interval,
 * so learning rules on any thread read the same value. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "param.h"

struct soma_rpe {
  soma_net *net;
  soma_pop *critic;
  soma_mod *mod;
  double scale, v0, tau_r, tau_v, tau_delta;
  double gain;              /* of delta into the modulator */
  /* per thread (the same numbers on every thread) */
  double *trace, *v_prev, *delta;
  int *primed;
};

soma_pop *soma__rpe_critic(const soma_rpe *r) { return r->critic; }

soma_rpe *soma_rpe_create(soma_net *net, soma_pop *critic, soma_mod *mod, double scale,
                          double v0, double tau_r, double tau_v, double tau_delta) {
  if (critic->net != net || soma__mod_net(mod) != net) {
    soma_net_fail(net, SOMA_ERR_PARAM, "rpe: the critic and the modulator must belong to this network");
    return NULL;
  }
  if (!isfinite(scale) || !isfinite(v0) || !(tau_r > 0) || !isfinite(tau_r) || !(tau_v > 0) ||
      !isfinite(tau_v) || !(tau_delta > 0) || !isfinite(tau_delta)) {
    soma_net_fail(net, SOMA_ERR_PARAM, "rpe on '%s': scale and v0 must be finite (got %g, %g) and "
                  "tau_r, tau_v, tau_delta > 0 ms (got %g, %g, %g)", critic->name, scale, v0,
                  tau_r, tau_v, tau_delta);
    return NULL;
  }
  if (soma__mod_rpe(mod)) {
    soma_net_fail(net, SOMA_ERR_PARAM, "rpe: modulator '%s' is already driven by a critic", soma_mod_name(mod));
    return NULL;
  }
  soma_rpe *r = calloc(1, sizeof *r);
  soma_rpe **list = realloc(net->rpes, sizeof *list * (size_t)(net->n_rpes + 1));
  if (list) net->rpes = list;
  if (!r || !list) {
    free(r);
    soma_net_fail(net, SOMA_ERR_NOMEM, "rpe: out of memory");
    return NULL;
  }
  *r = (soma_rpe){net, critic, mod, scale, v0, tau_r, tau_v, tau_delta, 1.0, NULL, NULL, NULL, NULL};
  net->rpes[net->n_rpes++] = r;
  soma__mod_set_rpe(mod, r);
  soma__unprepare(net);
  return r;
}

void soma__rpe_destroy(soma_rpe *r) {
  if (!r) return;
  free(r->trace);
  free(r->v_prev);
  free(r->delta);
  free(r->primed);
  free(r);
}

int soma__rpe_prepare(soma_rpe *r) {
  int T = r->net->threads;
  double keep[3] = {r->trace ? r->trace[0] : 0, r->v_prev ? r->v_prev[0] : 0, r->delta ? r->delta[0] : 0};
  int primed = r->primed ? r->primed[0] : 0;
  free(r->trace);
  free(r->v_prev);
  free(r->delta);
  free(r->primed);
  r->trace = malloc(sizeof(double) * (size_t)T);
  r->v_prev = malloc(sizeof(double) * (size_t)T);
  r->delta = malloc(sizeof(double) * (size_t)T);
  r->primed = malloc(sizeof(int) * (size_t)T);
  if (!r->trace || !r->v_prev || !r->delta || !r->primed) return SOMA_ERR_NOMEM;
  for (int t = 0; t < T; t++) {
    r->trace[t] = keep[0];
    r->v_prev[t] = keep[1];
    r->delta[t] = keep[2];
    r->primed[t] = primed;
  }
  return SOMA_OK;
}

/* every thread's copy from thread 0's (after a chunk stepped on one thread) */
void soma__rpe_sync(soma_rpe *r) {
  for (int t = 1; t < r->net->threads; t++) {
    r->trace[t] = r->trace[0];
    r->v_prev[t] = r->v_prev[0];
    r->delta[t] = r->delta[0];
    r->primed[t] = r->primed[0];
  }
}

double soma__rpe_value(const soma_rpe *r, int t) { return r->delta ? r->gain * r->delta[t] : 0; }

static double critic_value(const soma_rpe *r, double trace) {
  return r->scale * trace * 1000.0 / r->tau_v / r->critic->n + r->v0;
}

void soma__rpe_interval(soma_rpe *r, int t, const uint64_t *counts, int len) {
  const double dt = r->net->dt, decay = exp(-dt / r->tau_v);
  double tr = r->trace[t];
  for (int s = 0; s < len; s++) tr = tr * decay + (double)counts[s];
  r->trace[t] = tr;
  double v = critic_value(r, tr), span = len * dt;
  double raw = r->primed[t] ? (v - r->v_prev[t]) / (span * 1e-3) - v / (r->tau_r * 1e-3) : -v / (r->tau_r * 1e-3);
  r->delta[t] += (raw - r->delta[t]) * (1 - exp(-span / r->tau_delta));
  r->v_prev[t] = v;
  r->primed[t] = 1;
}

int soma_net_rpe_count(const soma_net *net) { return net->n_rpes; }
soma_rpe *soma_net_rpe(const soma_net *net, int i) { return i >= 0 && i < net->n_rpes ? net->rpes[i] : NULL; }

double soma_rpe_value(const soma_rpe *r) { return r->trace ? critic_value(r, r->trace[0]) : r->v0; }
double soma_rpe_delta(const soma_rpe *r) { return r->delta ? r->delta[0] : 0; }

int soma_rpe_set_gain(soma_rpe *r, double gain) {
  if (!isfinite(gain))
    return soma_net_fail(r->net, SOMA_ERR_PARAM, "rpe on '%s': gain must be finite (got %g)",
                         r->critic->name, gain);
  r->gain = gain;
  return SOMA_OK;
}

double soma_rpe_gain(const soma_rpe *r) { return r->gain; }
