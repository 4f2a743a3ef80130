/* test_models.c — neuron models against closed forms and known firing patterns:
 * the LIF f-I curve, exact integration of a PSP against its formula and a finer grid,
 * Izhikevich and AdEx patterns (regular, fast, bursting) with their spike counts pinned. */
#include <math.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"
#include "sim/soma.h"

/* Spike counts in 1 s, pinned from this implementation: a change means the dynamics changed.
 * Within one spike, because a build with or without FMA contraction (the sanitizer build)
 * can move a threshold crossing by one step, and that shift carries over (FS: 131 with FMA,
 * 130 without). */
#define PIN(count, pin) (labs((long)(count) - (long)(pin)) <= 1)
#define PIN_IZH_RS 23
#define PIN_IZH_FS 131
#define PIN_IZH_CH 87
#define PIN_ADEX_TONIC 73
#define PIN_ADEX_ADAPT 17
#define PIN_ADEX_BURST 17

static soma_net *net_with(double dt) {
  soma_net_config c = soma_net_defaults();
  c.dt = dt;
  return tf_net(c);
}

/* interspike intervals (ms) of neuron i from a spike recording */
static int isis(const soma_rec *rec, int i, double dt, double *out, int max) {
  size_t n = soma_rec_spike_count(rec);
  const int64_t *st = soma_rec_spike_steps(rec);
  const int32_t *id = soma_rec_spike_ids(rec);
  int k = 0;
  int64_t last = -1;
  for (size_t s = 0; s < n; s++) {
    if (id[s] != i) continue;
    if (last >= 0 && k < max) out[k++] = (double)(st[s] - last) * dt;
    last = st[s];
  }
  return k;
}

static int spikes_of(const soma_rec *rec, int i) {
  int k = 0;
  for (size_t s = 0; s < soma_rec_spike_count(rec); s++) k += soma_rec_spike_ids(rec)[s] == i;
  return k;
}

/* LIF (C = 250 pF, tau_m = 10 ms, E_L = V_reset = -70, V_th = -55, t_ref = 2 ms) driven by a
 * constant current fires with ISI t_ref + tau_m ln((V_inf - V_reset)/(V_inf - V_th)). */
TEST(lif_fi_curve_matches_closed_form) {
  const double dt = 0.1, C = 250, tau = 10, t_ref = 2;
  const int n = 12;
  double I[12];
  for (int i = 0; i < n; i++) I[i] = 380 + 60 * i;   /* 380 .. 1040 pA: 3 .. 150 Hz */
  soma_net *net = net_with(dt);
  soma_pop *pop = soma_pop_create(net, "lif", "lif", n, (soma_param[]){{"t_ref", t_ref}, {NULL, 0}});
  CHECK(pop != NULL);
  CHECK(soma_pop_set_var(pop, "I_e", I, n) == SOMA_OK);
  soma_rec *rec = soma_rec_spikes(net, pop, NULL, 0);
  CHECK(soma_net_run(net, 4000) == SOMA_OK);
  for (int i = 0; i < n; i++) {
    double v_inf = -70 + I[i] * tau / C;
    double t_free = tau * log((v_inf + 70) / (v_inf + 55));
    double isi = t_ref + t_free;
    /* on the dt grid: the crossing is seen at the end of the step where it happens */
    double isi_grid = t_ref + ceil(t_free / dt - 1e-6) * dt;
    double got[1000];
    int k = isis(rec, i, dt, got, 1000);
    CHECK_MSG(k > 5, "neuron %d (I = %g pA) fired %d times", i, I[i], k + 1);
    for (int j = 0; j < k; j++) CHECK_NEAR(got[j], isi_grid, dt * 1.01);
    double mean = 0;
    for (int j = 0; j < k; j++) mean += got[j] / k;
    double rate = 1000 / mean, expect = 1000 / isi;
    if (expect <= 50) CHECK_MSG(fabs(rate / expect - 1) < 0.005, "I = %g pA: rate %.4f Hz, closed form %.4f Hz", I[i], rate, expect);
  }
  soma_net_destroy(net);
}

/* One spike of weight w pA arriving at t0: V - E_L = w/C * ts tm/(tm - ts) (e^-s/tm - e^-s/ts). */
static double psp(double s, double w) {
  const double C = 250, tm = 10, ts = 2;
  return s < 0 ? 0 : w / C * ts * tm / (tm - ts) * (exp(-s / tm) - exp(-s / ts));
}

static int run_psp(double dt, double w, float *out, int samples, double every) {
  soma_net *net = net_with(dt);
  soma_pop *src = soma_pop_create(net, "src", "spike_source", 1, NULL);
  soma_pop *lif = soma_pop_create(net, "lif", "lif", 1, NULL);
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_ONE_TO_ONE;
  c.weight = soma_dist_const(w);
  c.delay = soma_dist_const(1.0);
  soma_proj *pr = soma_proj_create(net, "src->lif", src, lif, &c);
  int32_t id = 0;
  double t = 5.0;
  int ok = pr && soma_pop_add_spikes(src, 1, &id, &t) == SOMA_OK;
  soma_rec *rec = soma_rec_state(net, lif, "V_m", NULL, 0, every);
  ok = ok && rec && soma_net_run(net, samples * every) == SOMA_OK;
  if (ok) memcpy(out, soma_rec_data(rec), sizeof(float) * (size_t)samples);
  if (!ok) printf("  psp run: %s\n", soma_net_errmsg(net));
  soma_net_destroy(net);
  return ok;
}

TEST(lif_psp_is_exact_on_any_grid) {
  enum { N = 400 };
  float coarse[N], fine[N];
  CHECK(run_psp(0.1, 100, coarse, N, 0.1));
  CHECK(run_psp(0.01, 100, fine, N, 0.1));
  /* float state: resolution at -70 mV is 8e-6 mV, accumulated over the steps */
  double worst = 0, worst_fine = 0;
  for (int k = 0; k < N; k++) {
    double t = (k + 1) * 0.1;                  /* sample time */
    double expect = -70 + psp(t - 6.0, 100);   /* spike at 5 ms + 1 ms delay */
    worst = fmax(worst, fabs(coarse[k] - expect));
    worst_fine = fmax(worst_fine, fabs(fine[k] - expect));
  }
  CHECK_NEAR(worst, 0, 5e-5);
  CHECK_NEAR(worst_fine, 0, 5e-4);
  CHECK(coarse[100] > -70 + 0.5);  /* the PSP is there: about 1.1 mV at its peak */
  printf("  largest deviation from the closed form: %.2g mV (dt 0.1), %.2g mV (dt 0.01)\n", worst, worst_fine);
}

/* alpha synapse: a weight w peaks at w pA after tau_syn; the PSP integrates exactly too. */
TEST(lif_alpha_current_peaks_at_weight) {
  soma_net *net = net_with(0.1);
  soma_pop *src = soma_pop_create(net, "src", "spike_source", 1, NULL);
  soma_pop *lif = soma_pop_create(net, "lif", "lif_alpha", 1, (soma_param[]){{"tau_syn_ex", 0.5}, {NULL, 0}});
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_ONE_TO_ONE;
  c.weight = soma_dist_const(80);
  CHECK(soma_proj_create(net, "p", src, lif, &c) != NULL);
  int32_t id = 0;
  double t = 1.0;
  CHECK(soma_pop_add_spikes(src, 1, &id, &t) == SOMA_OK);
  soma_rec *rec = soma_rec_state(net, lif, "I_syn_ex", NULL, 0, 0.1);
  CHECK(soma_net_run(net, 5) == SOMA_OK);
  const float *I = soma_rec_data(rec);
  /* arrival at 1.1 ms (stamp 1.0 + 0.1 delay); peak tau_syn = 0.5 ms later, at 1.6 ms */
  int peak = 0;
  for (int k = 0; k < 50; k++)
    if (I[k] > I[peak]) peak = k;
  CHECK_NEAR((peak + 1) * 0.1, 1.6, 1e-9);
  CHECK_NEAR(I[peak], 80, 1e-3);
  soma_net_destroy(net);
}

/* Izhikevich 2003, I = 10 for 1 s: regular spiking adapts, fast spiking does not, chattering
 * fires in bursts. Counts pinned from this implementation (forward Euler, dt = 0.1 ms). */
static soma_rec *izh(soma_net *net, const char *name, double a, double b, double c, double d) {
  soma_pop *p = soma_pop_create(net, name, "izhikevich", 1,
                                (soma_param[]){{"a", a}, {"b", b}, {"c", c}, {"d", d},
                                               {"V_m", -65}, {"U_m", b * -65}, {"I_e", 10},
                                               {NULL, 0}});
  return p ? soma_rec_spikes(net, p, NULL, 0) : NULL;
}

static void isi_stats(const soma_rec *rec, double *first, double *last, double *min, double *max,
                      int *n) {
  double v[4000];
  int k = isis(rec, 0, 0.1, v, 4000);
  *n = k + 1;
  *first = k ? v[0] : 0;
  *last = k ? v[k - 1] : 0;
  *min = 1e9;
  *max = 0;
  for (int j = 0; j < k; j++) {
    if (v[j] < *min) *min = v[j];
    if (v[j] > *max) *max = v[j];
  }
}

TEST(izhikevich_firing_patterns) {
  soma_net *net = net_with(0.1);
  soma_rec *rs = izh(net, "RS", 0.02, 0.2, -65, 8);
  soma_rec *fs = izh(net, "FS", 0.1, 0.2, -65, 2);
  soma_rec *ch = izh(net, "CH", 0.02, 0.2, -50, 2);
  if (!(rs && fs && ch)) printf("  %s\n", soma_net_errmsg(net));
  REQUIRE(rs && fs && ch);
  CHECK(soma_net_run(net, 1000) == SOMA_OK);
  double f, l, mn, mx;
  int n;
  isi_stats(rs, &f, &l, &mn, &mx, &n);
  printf("  RS: %d spikes, first ISI %.1f ms, last %.1f ms\n", n, f, l);
  CHECK(l > 1.5 * f);                 /* adaptation */
  CHECK(n >= 15 && n <= 35);
  int n_rs = n;
  isi_stats(fs, &f, &l, &mn, &mx, &n);
  double v[4000];
  int k = isis(fs, 0, 0.1, v, 4000);
  printf("  FS: %d spikes, ISI %.1f .. %.1f ms, mid %.2f, last %.2f\n", n, mn, mx, v[k / 2], v[k - 1]);
  CHECK(n > 2 * n_rs);                          /* fast */
  CHECK(fabs(v[k - 1] / v[k / 2] - 1) < 0.05);  /* no adaptation once settled */
  isi_stats(ch, &f, &l, &mn, &mx, &n);
  printf("  CH: %d spikes, ISI %.1f .. %.1f ms\n", n, mn, mx);
  CHECK(mn < 10 && mx > 20);          /* bursts: short and long intervals */
  printf("  pinned counts: RS %zu, FS %zu, CH %zu\n", soma_rec_spike_count(rs),
         soma_rec_spike_count(fs), soma_rec_spike_count(ch));
  CHECK(PIN(soma_rec_spike_count(rs), PIN_IZH_RS));
  CHECK(PIN(soma_rec_spike_count(fs), PIN_IZH_FS));
  CHECK(PIN(soma_rec_spike_count(ch), PIN_IZH_CH));
  soma_net_destroy(net);
}

/* AdEx patterns from Naud et al. 2008 (Table 1): tonic, adapting, bursting, with V_peak 0. */
static soma_rec *adex(soma_net *net, const char *name, double C, double gL, double EL,
                      double tau_w, double a, double b, double Vr, double I) {
  soma_pop *p = soma_pop_create(net, name, "adex", 1,
                                (soma_param[]){{"C_m", C}, {"g_L", gL}, {"E_L", EL}, {"V_th", -50},
                                               {"Delta_T", 2}, {"tau_w", tau_w}, {"a", a},
                                               {"b", b}, {"V_reset", Vr}, {"V_peak", 0},
                                               {"I_e", I}, {NULL, 0}});
  return p ? soma_rec_spikes(net, p, NULL, 0) : NULL;
}

TEST(adex_firing_patterns) {
  soma_net *net = net_with(0.1);
  soma_rec *tonic = adex(net, "tonic", 200, 10, -70, 30, 0, 60, -58, 500);
  soma_rec *adapt = adex(net, "adapting", 200, 12, -70, 300, 2, 60, -58, 500);
  soma_rec *burst = adex(net, "bursting", 200, 10, -58, 120, 2, 100, -46, 210);
  if (!(tonic && adapt && burst)) printf("  %s\n", soma_net_errmsg(net));
  REQUIRE(tonic && adapt && burst);
  CHECK(soma_net_run(net, 1000) == SOMA_OK);
  double f, l, mn, mx;
  int n;
  isi_stats(tonic, &f, &l, &mn, &mx, &n);
  printf("  tonic: %d spikes, ISI %.1f .. %.1f ms (last %.1f)\n", n, mn, mx, l);
  CHECK(n > 10);
  double v[4000];
  int k = isis(tonic, 0, 0.1, v, 4000);
  CHECK(k > 4 && fabs(v[k - 1] - v[k - 2]) < 0.3);   /* settles to a regular rhythm */
  isi_stats(adapt, &f, &l, &mn, &mx, &n);
  printf("  adapting: %d spikes, first ISI %.1f, last %.1f ms\n", n, f, l);
  CHECK(l > 2 * f);
  isi_stats(burst, &f, &l, &mn, &mx, &n);
  printf("  bursting: %d spikes, ISI %.1f .. %.1f ms\n", n, mn, mx);
  CHECK(mn < 10 && mx > 5 * mn);
  printf("  pinned counts: tonic %zu, adapting %zu, bursting %zu\n", soma_rec_spike_count(tonic),
         soma_rec_spike_count(adapt), soma_rec_spike_count(burst));
  CHECK(PIN(soma_rec_spike_count(tonic), PIN_ADEX_TONIC));
  CHECK(PIN(soma_rec_spike_count(adapt), PIN_ADEX_ADAPT));
  CHECK(PIN(soma_rec_spike_count(burst), PIN_ADEX_BURST));
  (void)spikes_of;
  soma_net_destroy(net);
}

/* Refractory clamp: after a spike V stays at V_reset for exactly round(t_ref/dt) steps. */
TEST(refractory_period_clamps_exact_steps) {
  soma_net *net = net_with(0.1);
  soma_pop *p = soma_pop_create(net, "p", "lif", 1, (soma_param[]){{"t_ref", 3}, {"I_e", 2000}, {NULL, 0}});
  soma_rec *v = soma_rec_state(net, p, "V_m", NULL, 0, 0.1);
  soma_rec *s = soma_rec_spikes(net, p, NULL, 0);
  CHECK(soma_net_run(net, 50) == SOMA_OK);
  CHECK(soma_rec_spike_count(s) >= 2);
  int64_t first = soma_rec_spike_steps(s)[0];   /* stamp: sample index first-1 holds the reset */
  const float *V = soma_rec_data(v);
  for (int k = 0; k < 31; k++) CHECK_NEAR(V[first - 1 + k], -70, 1e-6);
  CHECK(V[first - 1 + 31] > -70);
  soma_net_destroy(net);
}

int main(void) {
  RUN(lif_fi_curve_matches_closed_form);
  RUN(lif_psp_is_exact_on_any_grid);
  RUN(lif_alpha_current_peaks_at_weight);
  RUN(izhikevich_firing_patterns);
  RUN(adex_firing_patterns);
  RUN(refractory_period_clamps_exact_steps);
  return h_done();
}
