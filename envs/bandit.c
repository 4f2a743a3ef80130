/* bandit.c — the n-armed bandit: each step pulls one arm, which pays `reward` with its
 * probability. The probabilities can stay fixed, reverse every `reverse_every` pulls (the
 * list is mirrored: the best arm becomes the worst), drift as reflected Gaussian random walks,
 * or be set by the script (env:set{ p = {...} }). An episode is `trials` pulls.
 *
 * Observation: one-hot of the last arm pulled, then the last reward (all 0 at the start).
 * Latents: trial, best_arm, p_best, p_chosen, context (reversals so far). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envs/worlds.h"

enum { ARMS, REWARD, TRIALS, REVERSE_EVERY, DRIFT, N_PARAMS };
enum { L_TRIAL, L_BEST, L_P_BEST, L_P_CHOSEN, L_CONTEXT, N_LATENTS };

#define MAX_ARMS 64

static const soma_param_def params[N_PARAMS] = {
    {"arms", "", 2, 2, MAX_ARMS, SOMA_INT, "number of arms"},
    {"reward", "", 1, -INFINITY, INFINITY, 0, "payoff of a rewarded pull"},
    {"trials", "pulls", 100, 1, 1e9, SOMA_INT, "pulls per episode"},
    {"reverse_every", "pulls", 0, 0, 1e9, SOMA_INT, "mirror the probabilities every this many pulls (0: never)"},
    {"drift", "", 0, 0, 1, 0, "s.d. of each probability's random walk per pull (0: none)"},
};

static const soma_env_list_def lists[] = {
    {"p", 2, MAX_ARMS, 0, 1, "reward probability of each arm (default 0.8, then 0.2 for the others)"},
};

static const char *const latents[N_LATENTS] = {"trial", "best_arm", "p_best", "p_chosen", "context"};

typedef struct {
  int arms, last;
  double p[MAX_ARMS], p0[MAX_ARMS];
  int64_t pulls;      /* over the world's life: reversals and drift run across episodes */
  int reversals;
  double last_reward;
  char labels[MAX_ARMS][16];
  const char *label_ptr[MAX_ARMS];
} bandit;

static int take_p(soma_env *e, bandit *b, char *err, size_t len) {
  int n;
  const double *p = soma_env_list(e, "p", &n);
  if (!p) {
    for (int i = 0; i < b->arms; i++) b->p0[i] = i == 0 ? 0.8 : 0.2;
  } else if (n != b->arms) {
    snprintf(err, len, "world 'bandit': p has %d probabilities for %d arms", n, b->arms);
    return 1;
  } else {
    memcpy(b->p0, p, sizeof *p * (size_t)n);
  }
  memcpy(b->p, b->p0, sizeof b->p);
  return 0;
}

static int create(soma_env *e, char *err, size_t len) {
  bandit *b = calloc(1, sizeof *b);
  if (!b) return snprintf(err, len, "out of memory"), 1;
  e->state = b;
  b->arms = (int)e->param[ARMS];
  if (take_p(e, b, err, len)) return 1;
  for (int i = 0; i < b->arms; i++) {
    snprintf(b->labels[i], sizeof b->labels[i], "arm%d", i);
    b->label_ptr[i] = b->labels[i];
  }
  e->act_space = (soma_space){SOMA_SPACE_DISCRETE, b->arms, 0, b->arms - 1, b->label_ptr};
  e->obs_space = (soma_space){SOMA_SPACE_BOX, b->arms + 1, -INFINITY, INFINITY, NULL};
  b->last = -1;
  return 0;
}

static void observe(soma_env *e, const bandit *b) {
  memset(e->obs, 0, sizeof *e->obs * (size_t)(b->arms + 1));
  if (b->last >= 0) e->obs[b->last] = 1;
  e->obs[b->arms] = b->last_reward;
  int best = 0;
  for (int i = 1; i < b->arms; i++)
    if (b->p[i] > b->p[best]) best = i;
  e->latent[L_TRIAL] = (double)e->steps;
  e->latent[L_BEST] = best;
  e->latent[L_P_BEST] = b->p[best];
  e->latent[L_P_CHOSEN] = b->last >= 0 ? b->p[b->last] : NAN;
  e->latent[L_CONTEXT] = b->reversals;
}

static void reset(soma_env *e) {
  bandit *b = e->state;
  b->last = -1;
  b->last_reward = 0;
  observe(e, b);
}

static void step(soma_env *e, const double *a, soma_env_result *r) {
  bandit *b = e->state;
  int arm = (int)a[0];
  int win = soma_env_uniform(e) < b->p[arm];
  r->reward = win ? e->param[REWARD] : 0;
  b->last = arm;
  b->last_reward = r->reward;
  b->pulls++;
  /* the world changes after the pull, so the next one meets the new probabilities */
  int every = (int)e->param[REVERSE_EVERY];
  if (every > 0 && b->pulls % every == 0) {
    for (int i = 0; i < b->arms / 2; i++) {
      double t = b->p[i];
      b->p[i] = b->p[b->arms - 1 - i];
      b->p[b->arms - 1 - i] = t;
    }
    b->reversals++;
  }
  if (e->param[DRIFT] > 0)
    for (int i = 0; i < b->arms; i++) {
      double p = b->p[i] + soma_env_gaussian(e, e->param[DRIFT]);
      p = fmod(fabs(p), 2.0);   /* reflect into [0, 1] */
      b->p[i] = p > 1 ? 2 - p : p;
    }
  r->terminated = e->steps >= (int64_t)e->param[TRIALS];
  observe(e, b);
}

static int set(soma_env *e, const soma_env_opt *o, char *err, size_t len) {
  bandit *b = e->state;
  if (!strcmp(o->key, "p")) {
    if (take_p(e, b, err, len)) return 1;
    b->reversals++;   /* a new context */
    observe(e, b);
  }
  return 0;
}

static void draw(const soma_env *e, soma_canvas *c, int x, int y, int w, int h) {
  const bandit *b = e->state;
  canvas_rect(c, x, y, w, h, 0xf4f4f4ffu, 1);
  int slot = w / b->arms, bar = slot * 3 / 5, base = y + h - 10, top = y + 10;
  for (int i = 0; i < b->arms; i++) {
    int bx = x + i * slot + (slot - bar) / 2, bh = (int)lround(b->p[i] * (base - top));
    canvas_rect(c, bx, top, bar, base - top, 0xc8c8c8ffu, 0);
    canvas_rect(c, bx, base - bh, bar, bh, 0x909090ffu, 1);
    if (i == b->last) {
      uint32_t col = b->last_reward > 0 ? 0x2e8b57ffu : 0xc8322dffu;
      canvas_rect(c, bx - 3, top - 4, bar + 6, base - top + 8, col, 0);
      int r = bar / 4 < 3 ? 3 : bar / 4 > 10 ? 10 : bar / 4;
      canvas_circle(c, bx + bar / 2, top + 14, r, col, 1);
    }
  }
}

const soma_world soma_world_bandit = {
    .name = "bandit",
    .doc = "n-armed bandit with fixed, reversing or drifting reward probabilities",
    SOMA_WORLD_PARAMS(params),
    SOMA_WORLD_LISTS(lists),
    SOMA_WORLD_LATENTS(latents),
    .fixed = "arms",
    .create = create,
    .reset = reset,
    .step = step,
    .draw = draw,
    .set = set,
};
