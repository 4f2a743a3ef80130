/* actor_critic.c — the spiking actor-critic: its network (input, critic, one actor population
 * per action with mutual inhibition, dopamine from the critic's TD error and the rewards,
 * TD-LTP on the input synapses) and the loop that steps a world with it. */
#include "agents/actor_critic.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/param.h"

#define MAX_ACTIONS 64
#define MAX_INPUT 64
#define MAX_PLAN 1024

struct soma_ac {
  soma_ac_params p;
  soma_net *net;
  soma_encoder *enc;
  soma_wta *wta;
  soma_pop *input, *critic, *actor[MAX_ACTIONS];
  soma_proj *plastic[MAX_ACTIONS + 1];
  soma_proj *value_proj;    /* input->critic with discrete TD (pred_error), else NULL */
  int n_plastic;
  soma_mod *dopamine;
  soma_rpe *rpe;
  int n_actions;
  char input_spec[256];
  int from_obs;             /* input "obs", else the latents in_latent[0 .. n_in) */
  int in_latent[MAX_INPUT], n_in;
  int64_t episodes;
  soma_replay *replay;
  int *replay_idx;          /* a reverse sequence */
  int plan_idx[MAX_PLAN];   /* one step's planning replays */
  double plan_w[MAX_PLAN];
  int learning;             /* what soma_ac_learning asked for (discrete TD unfreezes only then) */
  double trace_ms;          /* dopamine sampled every trace_ms (0: not) */
  double *trace_t, *trace_v;
  size_t trace_n, trace_cap;
};

soma_ac_params soma_ac_defaults(void) {
  return (soma_ac_params){
      .dt = 1, .threads = 1, .seed = 1, .group = 20, .n_critic = 50,
      .w_actor = 30, .w_critic = 30, .w_max = 200, .w_inh = -150,
      .noise_hz = 5000, .noise_w = 30, .critic_noise_hz = 5000, .critic_noise_w = 30,
      .step_ms = 100, .tail_ms = 300, .gap_ms = 200,
      .lr_actor = 0.01, .lr_critic = 0.01, .a_plus = 1, .tau_e = 500, .learn_every = 5,
      .tau_dopamine = 200,
      .reward_scale = 1, .value_scale = 0.002, .tau_r = 1000,
      .temperature = 0, .epsilon = 0, .input = "obs", .step_reward = 0,
      .replay = 0, .replay_capacity = 5000, .replay_ms = 30, .replay_drive = 500,
      .replay_gamma = 0.9, .replay_gain = 1, .replay_tau_e = 20,
      .td_discrete = 0, .plan = 0, .prioritized = 1, .plan_beta = 0.5, .gamma = 0.95,
      .plan_scale = 0.02, .plan_gain = 10, .value_ms = 30, .lr_value = 0.0005,
  };
}

/* the numeric parameters and their ranges, for messages in the engine's words */
static int check(const soma_ac_params *p, int n_actions, char *err, size_t len) {
  const struct {
    soma_param_def def;
    double v;
  } t[] = {
      {{"dt", "ms", 0, 0.001, 10, 0, ""}, p->dt},
      {{"threads", "", 0, 1, 1024, SOMA_INT, ""}, p->threads},
      {{"group", "neurons", 0, 1, 100000, SOMA_INT, ""}, p->group},
      {{"n_critic", "neurons", 0, 1, 100000, SOMA_INT, ""}, p->n_critic},
      {{"w_actor", "pA", 0, 0, 1e6, 0, ""}, p->w_actor},
      {{"w_critic", "pA", 0, 0, 1e6, 0, ""}, p->w_critic},
      {{"w_max", "pA", 0, 0, 1e6, SOMA_LO_OPEN, ""}, p->w_max},
      {{"w_inh", "pA", 0, -1e6, 0, 0, ""}, p->w_inh},
      {{"noise_hz", "Hz", 0, 0, 1e6, 0, ""}, p->noise_hz},
      {{"noise_w", "pA", 0, 0, 1e6, 0, ""}, p->noise_w},
      {{"critic_noise_hz", "Hz", 0, 0, 1e6, 0, ""}, p->critic_noise_hz},
      {{"critic_noise_w", "pA", 0, 0, 1e6, 0, ""}, p->critic_noise_w},
      {{"step_ms", "ms", 0, 0, 1e6, SOMA_LO_OPEN, ""}, p->step_ms},
      {{"tail_ms", "ms", 0, 0, 1e6, 0, ""}, p->tail_ms},
      {{"gap_ms", "ms", 0, 0, 1e6, 0, ""}, p->gap_ms},
      {{"lr_actor", "1/ms", 0, 0, 1e6, 0, ""}, p->lr_actor},
      {{"lr_critic", "1/ms", 0, 0, 1e6, 0, ""}, p->lr_critic},
      {{"a_plus", "pA", 0, 0, 1e6, 0, ""}, p->a_plus},
      {{"tau_e", "ms", 0, 0, 1e7, SOMA_LO_OPEN, ""}, p->tau_e},
      {{"learn_every", "ms", 0, 0, 1000, SOMA_LO_OPEN, ""}, p->learn_every},
      {{"tau_dopamine", "ms", 0, 0, 1e7, SOMA_LO_OPEN, ""}, p->tau_dopamine},
      {{"reward_scale", "", 0, -1e6, 1e6, 0, ""}, p->reward_scale},
      {{"value_scale", "1/Hz", 0, 0, 1e6, 0, ""}, p->value_scale},
      {{"tau_r", "ms", 0, 0, 1e7, SOMA_LO_OPEN, ""}, p->tau_r},
      {{"temperature", "spikes", 0, 0, 1e6, 0, ""}, p->temperature},
      {{"epsilon", "", 0, 0, 1, 0, ""}, p->epsilon},
      {{"actions", "", 0, 2, MAX_ACTIONS, SOMA_INT, ""}, n_actions},
      {{"step_reward", "", 0, -1e6, 1e6, 0, ""}, p->step_reward},
      {{"replay", "", 0, 0, 1, SOMA_INT, ""}, p->replay},
      {{"replay_capacity", "transitions", 0, 1, 1e7, SOMA_INT, ""}, p->replay_capacity},
      {{"replay_ms", "ms", 0, 0, 1e6, SOMA_LO_OPEN, ""}, p->replay_ms},
      {{"replay_drive", "pA", 0, 0, 1e6, 0, ""}, p->replay_drive},
      {{"replay_gamma", "", 0, 0, 1, 0, ""}, p->replay_gamma},
      {{"replay_gain", "", 0, -1e6, 1e6, 0, ""}, p->replay_gain},
      {{"replay_tau_e", "ms", 0, 0, 1e7, SOMA_LO_OPEN, ""}, p->replay_tau_e},
      {{"td_discrete", "", 0, 0, 1, SOMA_INT, ""}, p->td_discrete},
      {{"plan", "replays", 0, 0, MAX_PLAN, SOMA_INT, ""}, p->plan},
      {{"prioritized", "", 0, 0, 1, SOMA_INT, ""}, p->prioritized},
      {{"plan_beta", "", 0, 0, 1, 0, ""}, p->plan_beta},
      {{"gamma", "", 0, 0, 1, 0, ""}, p->gamma},
      {{"plan_scale", "1/Hz", 0, 0, 1e6, 0, ""}, p->plan_scale},
      {{"plan_gain", "", 0, -1e6, 1e6, 0, ""}, p->plan_gain},
      {{"value_ms", "ms", 0, 0, 1e6, SOMA_LO_OPEN, ""}, p->value_ms},
      {{"lr_value", "w/(Hz ms)", 0, 0, 1e6, 0, ""}, p->lr_value},
  };
  char msg[256];
  for (size_t i = 0; i < sizeof t / sizeof *t; i++)
    if (soma_param_check(&t[i].def, t[i].v, msg, sizeof msg)) {
      snprintf(err, len, "actor_critic: %s", msg);
      return 1;
    }
  if (fmod(p->step_ms, p->dt) > 1e-9 * p->dt && p->dt - fmod(p->step_ms, p->dt) > 1e-9 * p->dt) {
    snprintf(err, len, "actor_critic: step_ms (%g) must be a multiple of dt (%g)", p->step_ms, p->dt);
    return 1;
  }
  if (p->plan > 0 && !p->td_discrete) {
    snprintf(err, len, "actor_critic: plan = %d replays per step needs td_discrete = 1 (the "
             "replayed transitions are learnt from the critic's discrete TD error)", p->plan);
    return 1;
  }
  if (!p->input || !*p->input || strlen(p->input) >= 256) {
    snprintf(err, len, "actor_critic: input must be \"obs\" or latent names such as \"x,y\"");
    return 1;
  }
  return 0;
}

static int fail_engine(soma_ac *ac, const char *what, char *err, size_t len) {
  snprintf(err, len, "actor_critic: %s: %s", what, soma_net_errmsg(ac->net));
  return 1;
}

/* input -> post, all to all, plastic with TD-LTP read from the dopamine; with discrete TD the
 * critic's synapses learn its value by the delta rule instead (pred_error: its rate moves
 * towards the TD target rate the agent sets while it re-presents a transition) */
static soma_proj *plastic_input(soma_ac *ac, soma_pop *post, double w0, double lr) {
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_ALL_TO_ALL;
  c.weight.a = w0;
  /* a graded value code needs critic neurons with different thresholds of recruitment */
  if (post == ac->critic && ac->p.td_discrete) c.weight = soma_dist_uniform(0, 2 * w0);
  c.delay.a = ac->p.dt;
  char name[64];
  snprintf(name, sizeof name, "input->%s", soma_pop_name(post));
  soma_proj *pr = soma_proj_create(ac->net, name, ac->input, post, &c);
  if (!pr) return NULL;
  if (post == ac->critic && ac->p.td_discrete) {
    soma_param rule[] = {{"lr", 0}, {"tau_pre", 20}, {"tau_rate", ac->p.value_ms},
                         {"w_min", 0}, {"w_max", ac->p.w_max}, {"every", ac->p.learn_every},
                         {NULL, 0}};
    double none = 0;   /* set before each re-presentation; learning is off until then */
    if (soma_proj_plastic(pr, "pred_error", rule, NULL) != SOMA_OK ||
        soma_proj_set_target(pr, &none, 1) != SOMA_OK)
      return NULL;
    ac->value_proj = pr;
  } else {
    soma_param rule[] = {{"A_plus", ac->p.a_plus}, {"tau_e", ac->p.tau_e}, {"lr", lr},
                         {"w_min", 0},             {"w_max", ac->p.w_max}, {"every", ac->p.learn_every},
                         {NULL, 0}};
    if (soma_proj_plastic(pr, "td_ltp", rule, "dopamine") != SOMA_OK) return NULL;
  }
  ac->plastic[ac->n_plastic++] = pr;
  return pr;
}

static int set_tau_e(soma_ac *ac, double tau_e);
static int set_plastic(soma_ac *ac, int on);

static int build(soma_ac *ac, char *err, size_t len) {
  const soma_ac_params *p = &ac->p;
  soma_net_config cfg = soma_net_defaults();
  cfg.dt = p->dt;
  cfg.seed = (uint32_t)(p->seed ^ (p->seed >> 32));
  cfg.threads = p->threads;
  if (!(ac->net = soma_net_create(&cfg, err, len))) return 1;
  int n_in = soma_encoder_size(ac->enc);
  if (!(ac->input = soma_pop_create(ac->net, "input", "poisson", n_in, NULL)))
    return fail_engine(ac, "input", err, len);
  if (!(ac->dopamine = soma_mod_create(ac->net, "dopamine", 0, p->tau_dopamine)))
    return fail_engine(ac, "dopamine", err, len);
  if (!(ac->critic = soma_pop_create(ac->net, "critic", "lif", p->n_critic, NULL)))
    return fail_engine(ac, "critic", err, len);
  for (int a = 0; a < ac->n_actions; a++) {
    char name[32];
    snprintf(name, sizeof name, "actor%d", a);
    if (!(ac->actor[a] = soma_pop_create(ac->net, name, "lif", p->group, NULL)))
      return fail_engine(ac, name, err, len);
  }
  for (int a = 0; a <= ac->n_actions; a++) {
    soma_pop *pop = a < ac->n_actions ? ac->actor[a] : ac->critic;
    double hz = a < ac->n_actions ? p->noise_hz : p->critic_noise_hz;
    double w = a < ac->n_actions ? p->noise_w : p->critic_noise_w;
    if (hz > 0 && w > 0 && soma_pop_poisson_input(pop, "ex", hz, w) != SOMA_OK)
      return fail_engine(ac, "noise", err, len);
    if (!plastic_input(ac, pop, a < ac->n_actions ? p->w_actor : p->w_critic,
                       a < ac->n_actions ? p->lr_actor : p->lr_critic))
      return fail_engine(ac, "input synapses", err, len);
  }
  /* each actor population inhibits the others: the most driven one wins the window */
  if (p->w_inh < 0)
    for (int a = 0; a < ac->n_actions; a++)
      for (int b = 0; b < ac->n_actions; b++) {
        if (a == b) continue;
        soma_conn c = soma_conn_defaults();
        c.rule = SOMA_CONN_ALL_TO_ALL;
        c.weight.a = p->w_inh;
        c.delay.a = p->dt;
        c.port = "in";
        char name[64];
        snprintf(name, sizeof name, "actor%d->actor%d", a, b);
        if (!soma_proj_create(ac->net, name, ac->actor[a], ac->actor[b], &c))
          return fail_engine(ac, "inhibition", err, len);
      }
  if (!(ac->rpe = soma_rpe_create(ac->net, ac->critic, ac->dopamine, p->value_scale, 0, p->tau_r,
                                  50, 20)))
    return fail_engine(ac, "critic's TD error", err, len);
  soma_wta_params w = soma_wta_defaults();
  w.n_actions = ac->n_actions;
  w.group = 1;
  w.temperature = p->temperature;
  w.epsilon = p->epsilon;
  w.seed = p->seed * 0x9e3779b97f4a7c15ull + 1;
  if (!(ac->wta = soma_wta_create(&w, err, len))) return 1;
  ac->learning = 1;
  if (p->td_discrete && (soma_rpe_set_gain(ac->rpe, 0) != SOMA_OK || set_plastic(ac, 0) ||
                         set_tau_e(ac, p->replay_tau_e)))
    return fail_engine(ac, "discrete TD", err, len);
  if (p->replay || p->td_discrete) {
    soma_replay_config rc = soma_replay_defaults();
    rc.capacity = p->replay_capacity;
    rc.obs_dim = soma_encoder_input_size(ac->enc);
    rc.act_dim = 1;
    rc.seed = (uint32_t)p->seed;
    if (!(ac->replay = soma_replay_create(&rc, err, len))) return 1;
    if (!(ac->replay_idx = malloc(sizeof *ac->replay_idx * (size_t)p->replay_capacity))) {
      snprintf(err, len, "out of memory");
      return 1;
    }
  }
  return 0;
}

soma_ac *soma_ac_create(const soma_ac_params *p, soma_encoder *enc, int n_actions, char *err,
                        size_t len) {
  if (!enc) {
    snprintf(err, len, "actor_critic: no encoder");
    return NULL;
  }
  if (check(p, n_actions, err, len)) {
    soma_encoder_destroy(enc);
    return NULL;
  }
  soma_ac *ac = calloc(1, sizeof *ac);
  if (!ac) {
    soma_encoder_destroy(enc);
    snprintf(err, len, "out of memory");
    return NULL;
  }
  ac->p = *p;
  snprintf(ac->input_spec, sizeof ac->input_spec, "%s", p->input);
  ac->p.input = ac->input_spec;
  ac->enc = enc;
  ac->n_actions = n_actions;
  if (build(ac, err, len)) {
    soma_ac_destroy(ac);
    return NULL;
  }
  return ac;
}

void soma_ac_destroy(soma_ac *ac) {
  if (!ac) return;
  soma_net_destroy(ac->net);
  soma_encoder_destroy(ac->enc);
  soma_wta_destroy(ac->wta);
  soma_replay_destroy(ac->replay);
  free(ac->replay_idx);
  free(ac->trace_t);
  free(ac->trace_v);
  free(ac);
}

soma_net *soma_ac_net(soma_ac *ac) { return ac->net; }
int soma_ac_n_actions(const soma_ac *ac) { return ac->n_actions; }

/* plasticity of the TD-LTP projections on or off (the critic's delta rule with discrete TD
 * stays on, its traces current, and learns only while its lr is set: value_lr) */
static int set_plastic(soma_ac *ac, int on) {
  for (int k = 0; k < ac->n_plastic; k++)
    if (ac->plastic[k] != ac->value_proj && soma_proj_learning(ac->plastic[k], on) != SOMA_OK)
      return SOMA_ERR_PARAM;
  return SOMA_OK;
}

static int value_lr(soma_ac *ac, double lr) {
  return soma_proj_set_rule_param(ac->value_proj, "lr", lr) != SOMA_OK;
}

/* with discrete TD the synapses learn only while a transition is re-presented */
int soma_ac_learning(soma_ac *ac, int on) {
  ac->learning = on != 0;
  if (ac->value_proj && soma_proj_learning(ac->value_proj, ac->learning) != SOMA_OK)
    return SOMA_ERR_PARAM;
  return set_plastic(ac, ac->learning && !ac->p.td_discrete);
}

int soma_ac_set_exploration(soma_ac *ac, double temperature, double epsilon) {
  return soma_wta_set_exploration(ac->wta, temperature, epsilon);
}

soma_replay *soma_ac_replay(soma_ac *ac) { return ac->replay; }

int soma_ac_trace_dopamine(soma_ac *ac, double every_ms) {
  if (!(every_ms >= 0) || !isfinite(every_ms))
    return soma_net_fail(ac->net, SOMA_ERR_PARAM,
                         "actor_critic: the dopamine trace's interval must be >= 0 ms (got %g)",
                         every_ms);
  ac->trace_ms = every_ms;
  return SOMA_OK;
}

size_t soma_ac_dopamine_trace(const soma_ac *ac, const double **t_ms, const double **value) {
  *t_ms = ac->trace_t;
  *value = ac->trace_v;
  return ac->trace_n;
}

int soma_ac_record_spikes(soma_ac *ac, const char *which) {
  if (!strcmp(which, "input") || !strcmp(which, "critic"))
    return soma_rec_spikes(ac->net, which[0] == 'i' ? ac->input : ac->critic, NULL, 0) ? SOMA_OK : SOMA_ERR_PARAM;
  if (!strcmp(which, "actors")) {
    for (int a = 0; a < ac->n_actions; a++)
      if (!soma_rec_spikes(ac->net, ac->actor[a], NULL, 0)) return SOMA_ERR_PARAM;
    return SOMA_OK;
  }
  return soma_net_fail(ac->net, SOMA_ERR_PARAM, "actor_critic: cannot record '%s' (input, critic or actors)", which);
}

/* ---- the loop ------------------------------------------------------------------------- */

/* Finds what the encoder reads in this world, once per episode: the observation, or the
 * latents named by input. Returns 0, or 1 with a message. */
static int resolve_input(soma_ac *ac, const soma_env *env, char *err, size_t len) {
  ac->from_obs = !strcmp(ac->input_spec, "obs");
  if (ac->from_obs) {
    if (env->obs_space.n > MAX_INPUT) {
      snprintf(err, len, "actor_critic: the observation has %d values (at most %d)", env->obs_space.n, MAX_INPUT);
      return 1;
    }
    return 0;
  }
  ac->n_in = 0;
  char spec[256];
  snprintf(spec, sizeof spec, "%s", ac->input_spec);
  for (char *save = NULL, *name = strtok_r(spec, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
    int i = soma_env_latent_index(env, name);
    if (i < 0 || ac->n_in == MAX_INPUT) {
      snprintf(err, len, "actor_critic: world '%s' has no latent '%s' (input = \"%s\")",
               env->world->name, name, ac->input_spec);
      return 1;
    }
    ac->in_latent[ac->n_in++] = i;
  }
  return 0;
}

/* What the encoder reads now (in); returns the count. */
static int read_input(const soma_ac *ac, const soma_env *env, double *in) {
  if (ac->from_obs) {
    memcpy(in, env->obs, sizeof *in * (size_t)env->obs_space.n);
    return env->obs_space.n;
  }
  for (int k = 0; k < ac->n_in; k++) in[k] = env->latent[ac->in_latent[k]];
  return ac->n_in;
}

/* the input rates for what the encoder reads (in, n values) */
static int apply(soma_ac *ac, const double *in, int n, char *err, size_t len) {
  if (soma_encoder_apply(ac->enc, in, n, ac->input) != SOMA_OK) {
    snprintf(err, len, "actor_critic: input: %s", soma_encoder_errmsg(ac->enc));
    return 1;
  }
  return 0;
}

/* reads the world (obs or latents) into in and sets the input rates; the count, or -1 */
static int encode(soma_ac *ac, const soma_env *env, double *in, char *err, size_t len) {
  int n = read_input(ac, env, in);
  return apply(ac, in, n, err, len) ? -1 : n;
}

/* one sample of the dopamine trace */
static int trace_sample(soma_ac *ac) {
  if (ac->trace_n == ac->trace_cap) {
    size_t cap = ac->trace_cap ? 2 * ac->trace_cap : 1024;
    double *t = realloc(ac->trace_t, cap * sizeof *t);
    if (t) ac->trace_t = t;
    double *v = realloc(ac->trace_v, cap * sizeof *v);
    if (v) ac->trace_v = v;
    if (!t || !v) return 1;
    ac->trace_cap = cap;
  }
  ac->trace_t[ac->trace_n] = soma_net_time(ac->net);
  ac->trace_v[ac->trace_n++] = soma_mod_value(ac->dopamine);
  return 0;
}

static int run(soma_ac *ac, double ms, char *err, size_t len) {
  if (ms <= 0) return 0;
  int rc = SOMA_OK;
  if (ac->trace_ms > 0) {
    /* in pieces of trace_ms, on the step grid */
    int64_t steps = llround(ms / ac->p.dt), piece = llround(ac->trace_ms / ac->p.dt);
    if (piece < 1) piece = 1;
    for (int64_t done = 0; done < steps && rc == SOMA_OK; done += piece) {
      int64_t k = steps - done < piece ? steps - done : piece;
      rc = soma_net_run(ac->net, (double)k * ac->p.dt);
      if (rc == SOMA_OK && trace_sample(ac)) {
        snprintf(err, len, "actor_critic: out of memory for the dopamine trace");
        return 1;
      }
    }
  } else {
    rc = soma_net_run(ac->net, ms);
  }
  if (rc == SOMA_OK) return 0;
  if (rc == SOMA_INTERRUPTED) {
    snprintf(err, len, "actor_critic: interrupted");
    return 1;
  }
  return fail_engine(ac, "run", err, len);
}

/* the drive of replay into one actor population (I_e, pA), or none (a < 0) */
static int drive_action(soma_ac *ac, int a) {
  for (int b = 0; b < ac->n_actions; b++) {
    soma_dist d = soma_dist_const(b == a ? ac->p.replay_drive : 0);
    if (soma_pop_set_var_dist(ac->actor[b], "I_e", &d) != SOMA_OK) return 1;
  }
  return 0;
}

/* eligibility time constant of every plastic projection */
static int set_tau_e(soma_ac *ac, double tau_e) {
  for (int k = 0; k < ac->n_plastic; k++)
    if (ac->plastic[k] != ac->value_proj &&
        soma_proj_set_rule_param(ac->plastic[k], "tau_e", tau_e) != SOMA_OK)
      return 1;
  return 0;
}

/* Sleep after a rewarded episode: the path that led to the reward, its loops erased (the
 * detours and the bumps into walls are not part of it), from the reward backwards; each state
 * with the action taken there driven into its population for replay_ms, then dopamine
 * reward * gain * gamma^k while the pairs of that state and action are still eligible (tau_e
 * shortened meanwhile so the credit stays with them). Every replayed state is logged. */
static int reverse_replay(soma_ac *ac, soma_ac_stats *out, char *err, size_t len) {
  int *idx = ac->replay_idx;
  int n = soma_replay_reward_sequence(ac->replay, ac->episodes, 0, idx, ac->p.replay_capacity, NULL);
  n = soma_replay_loop_erase(ac->replay, idx, n);
  if (n <= 0) return 0;
  for (int k = 0; k < n / 2; k++) {   /* backwards from the reward */
    int swap = idx[k];
    idx[k] = idx[n - 1 - k];
    idx[n - 1 - k] = swap;
  }
  soma_replay_transition t;
  if (soma_replay_get(ac->replay, idx[0], &t, err, len) < 0) return 1;
  double credit = t.reward * ac->p.replay_gain;
  if (set_tau_e(ac, ac->p.replay_tau_e) || (ac->p.td_discrete && ac->learning && set_plastic(ac, 1)))
    return fail_engine(ac, "replay", err, len);
  for (int k = 0; k < n; k++, credit *= ac->p.replay_gamma) {
    if (soma_replay_get(ac->replay, idx[k], &t, err, len) < 0) return 1;
    if (apply(ac, t.obs, soma_replay_obs_dim(ac->replay), err, len) || drive_action(ac, (int)t.action[0]))
      return 1;
    if (soma_replay_log(ac->replay, soma_net_time(ac->net), SOMA_REPLAY_REVERSE, &idx[k], 1, err, len) < 0)
      return 1;
    if (run(ac, ac->p.replay_ms, err, len)) return 1;
    if (soma_mod_add(ac->dopamine, credit) != SOMA_OK) return fail_engine(ac, "replay", err, len);
    out->replayed++;
  }
  soma_dist zero = soma_dist_const(0);
  if (drive_action(ac, -1) || soma_pop_set_var_dist(ac->input, "rate", &zero) != SOMA_OK)
    return fail_engine(ac, "replay", err, len);
  /* the last dopamine acts on the last pairs while the network settles */
  if (run(ac, 3 * ac->p.tau_dopamine, err, len)) return 1;
  if (set_tau_e(ac, ac->p.td_discrete ? ac->p.replay_tau_e : ac->p.tau_e) ||
      (ac->p.td_discrete && set_plastic(ac, 0)))
    return fail_engine(ac, "replay", err, len);
  return 0;
}

/* The critic's mean rate (Hz) over value_ms while input in (n values) is presented. */
static int critic_rate_n(soma_ac *ac, const double *in, int n, double *rate, char *err,
                         size_t len) {
  if (apply(ac, in, n, err, len)) return 1;
  uint64_t c0 = soma_pop_spike_count(ac->critic);
  if (run(ac, ac->p.value_ms, err, len)) return 1;
  *rate = (double)(soma_pop_spike_count(ac->critic) - c0) / ac->p.n_critic / (ac->p.value_ms * 1e-3);
  return 0;
}

/* ... of a stored observation */
static int critic_rate(soma_ac *ac, const double *in, double *rate, char *err, size_t len) {
  return critic_rate_n(ac, in, soma_replay_obs_dim(ac->replay), rate, err, len);
}

int soma_ac_value(soma_ac *ac, const double *in, int n, double *value, char *err, size_t len) {
  double rate;
  int frozen = ac->learning && !ac->p.td_discrete;
  if ((frozen && set_plastic(ac, 0)) || drive_action(ac, -1)) return fail_engine(ac, "value", err, len);
  int bad = critic_rate_n(ac, in, n, &rate, err, len);
  if (frozen && set_plastic(ac, 1)) return fail_engine(ac, "value", err, len);
  if (bad) return SOMA_ERR_PARAM;
  *value = ac->p.plan_scale * rate;
  return SOMA_OK;
}

/* Discrete TD: learns the stored transition in slot i with importance weight w (see
 * soma_ac_params.td_discrete); *delta receives its TD error, which becomes its priority. The
 * dopamine it adds is taken back after the credit window, so it reaches no other transition;
 * the eligibility left then (e^-3) is too small to matter. */
static int learn_transition(soma_ac *ac, int i, double w, double *delta, char *err, size_t len) {
  const soma_ac_params *p = &ac->p;
  soma_replay_transition t;
  if (soma_replay_get(ac->replay, i, &t, err, len) < 0) return 1;
  double next = 0, now, rate;
  if (drive_action(ac, -1)) return fail_engine(ac, "replay", err, len);
  if (!t.terminal) {
    if (critic_rate(ac, t.next_obs, &rate, err, len)) return 1;
    next = p->plan_scale * rate;
  }
  if (critic_rate(ac, t.obs, &rate, err, len)) return 1;
  now = p->plan_scale * rate;
  double target = t.reward * p->reward_scale + p->step_reward + p->gamma * next;
  *delta = target - now;
  double target_hz = p->plan_scale > 0 ? fmax(0, target / p->plan_scale) : 0;
  if (soma_proj_set_target(ac->value_proj, &target_hz, 1) != SOMA_OK ||
      value_lr(ac, p->lr_value) || (ac->learning && set_plastic(ac, 1)))
    return fail_engine(ac, "replay", err, len);
  if (drive_action(ac, (int)t.action[0])) return fail_engine(ac, "replay", err, len);
  if (run(ac, p->replay_ms, err, len)) return 1;
  /* the critic learnt while s was shown; the actors' credit comes after */
  soma_dist zero = soma_dist_const(0);
  if (value_lr(ac, 0) || drive_action(ac, -1) ||
      soma_pop_set_var_dist(ac->input, "rate", &zero) != SOMA_OK)
    return fail_engine(ac, "replay", err, len);
  double amount = p->plan_gain * w * *delta, credit_ms = 3 * p->replay_tau_e;
  if (amount != 0 && soma_mod_add(ac->dopamine, amount) != SOMA_OK)
    return fail_engine(ac, "replay", err, len);
  if (run(ac, credit_ms, err, len)) return 1;
  if (amount != 0 && soma_mod_add(ac->dopamine, -amount * exp(-credit_ms / p->tau_dopamine)) != SOMA_OK)
    return fail_engine(ac, "replay", err, len);
  if (set_plastic(ac, 0)) return fail_engine(ac, "replay", err, len);
  return soma_replay_update_priority(ac->replay, i, *delta, err, len) < 0;
}

/* After a real step with discrete TD: the step itself (slot `slot`), then `plan` transitions
 * drawn from the buffer, each logged as a replay event. */
static int learn_step(soma_ac *ac, int slot, soma_ac_stats *out, char *err, size_t len) {
  const soma_ac_params *p = &ac->p;
  double delta;
  if (learn_transition(ac, slot, 1.0, &delta, err, len)) return 1;
  out->td_abs += fabs(delta);
  int n = p->plan;
  if (n <= 0) return 0;
  int rc = p->prioritized
               ? soma_replay_sample_prioritized(ac->replay, n, p->plan_beta, ac->plan_idx, ac->plan_w, err, len)
               : soma_replay_sample_uniform(ac->replay, n, ac->plan_idx, err, len);
  if (rc < 0) return 1;
  int kind = p->prioritized ? SOMA_REPLAY_PRIORITIZED : SOMA_REPLAY_UNIFORM;
  for (int k = 0; k < n; k++) {
    if (soma_replay_log(ac->replay, soma_net_time(ac->net), kind, &ac->plan_idx[k], 1, err, len) < 0 ||
        learn_transition(ac, ac->plan_idx[k], p->prioritized ? ac->plan_w[k] : 1.0, &delta, err, len))
      return 1;
    out->planned++;
  }
  return 0;
}

int soma_ac_episode(soma_ac *ac, soma_env *env, const soma_env_driver *d, int64_t max_steps,
                    soma_ac_stats *out, soma_ac_step_fn on_step, void *user, char *err,
                    size_t len) {
  memset(out, 0, sizeof *out);
  if (env->act_space.kind != SOMA_SPACE_DISCRETE || env->act_space.n != ac->n_actions) {
    snprintf(err, len, "actor_critic: the agent has %d discrete actions; world '%s' has %d %s ones",
             ac->n_actions, env->world->name, env->act_space.n,
             env->act_space.kind == SOMA_SPACE_DISCRETE ? "discrete" : "continuous");
    return SOMA_ERR_PARAM;
  }
  if (resolve_input(ac, env, err, len)) return SOMA_ERR_PARAM;
  if (soma_env_drive_reset(d, env, ac->p.seed, err, len)) return SOMA_ERR_PARAM;
  ac->episodes++;
  ac->trace_n = 0;
  double counts[MAX_ACTIONS];
  uint64_t before[MAX_ACTIONS];
  soma_env_result r = {0};
  double in[MAX_INPUT];
  while (!env->done && (max_steps <= 0 || out->steps < max_steps)) {
    int n_in = encode(ac, env, in, err, len);
    if (n_in < 0) return SOMA_ERR_PARAM;
    for (int a = 0; a < ac->n_actions; a++) before[a] = soma_pop_spike_count(ac->actor[a]);
    if (run(ac, ac->p.step_ms, err, len)) return SOMA_ERR_RUNAWAY;
    for (int a = 0; a < ac->n_actions; a++)
      counts[a] = (double)(soma_pop_spike_count(ac->actor[a]) - before[a]);
    int action = soma_wta_choose(ac->wta, counts, ac->n_actions);
    if (action < 0) {
      snprintf(err, len, "actor_critic: %s", soma_wta_errmsg(ac->wta));
      return SOMA_ERR_PARAM;
    }
    soma_ac_step s = {.step = out->steps + 1, .action = action, .counts = counts,
                      .value = soma_rpe_value(ac->rpe), .dopamine = soma_mod_value(ac->dopamine),
                      .t_ms = soma_net_time(ac->net)};
    double a = action;
    if (soma_env_drive_step(d, env, &a, 1, &r, err, len)) return SOMA_ERR_PARAM;
    double da = ac->p.td_discrete ? 0 : r.reward * ac->p.reward_scale + ac->p.step_reward;
    if (da != 0 && soma_mod_add(ac->dopamine, da) != SOMA_OK) return fail_engine(ac, "reward", err, len);
    if (ac->replay) {
      double next_in[MAX_INPUT];
      if (!r.terminated) read_input(ac, env, next_in);
      soma_replay_transition tr = {.obs = in, .action = &a, .reward = r.reward,
                                   .next_obs = r.terminated ? NULL : next_in,
                                   .terminal = r.terminated, .episode = ac->episodes,
                                   .step = out->steps + 1, .t_ms = s.t_ms};
      if (n_in != soma_replay_obs_dim(ac->replay)) {
        snprintf(err, len, "actor_critic: the input has %d values, the encoder reads %d", n_in,
                 soma_replay_obs_dim(ac->replay));
        return SOMA_ERR_PARAM;
      }
      int slot = soma_replay_add(ac->replay, &tr, err, len);
      if (slot < 0) return SOMA_ERR_PARAM;
      if (ac->p.td_discrete && learn_step(ac, slot, out, err, len)) return SOMA_ERR_PARAM;
    }
    out->steps++;
    out->reward += r.reward;
    s.reward = r.reward;
    if (on_step) on_step(user, &s, env);
  }
  out->terminated = r.terminated;
  out->truncated = !r.terminated;
  if (ac->p.td_discrete && out->steps > 0) out->td_abs /= (double)out->steps;
  /* the input goes silent: the last reward reaches the eligibility of the decision that
     earned it (and of no later one), then a gap between episodes */
  soma_dist zero = soma_dist_const(0);
  if (soma_pop_set_var_dist(ac->input, "rate", &zero) != SOMA_OK)
    return fail_engine(ac, "input", err, len);
  if (run(ac, ac->p.tail_ms, err, len)) return SOMA_ERR_RUNAWAY;
  if (ac->replay && out->reward > 0 && reverse_replay(ac, out, err, len)) return SOMA_ERR_PARAM;
  if (run(ac, ac->p.gap_ms, err, len)) return SOMA_ERR_RUNAWAY;
  return SOMA_OK;
}
