/* env.h — the environment API: every world (grid mazes, arenas, the bandit, reaching) behind
 * one reset/step interface in the spirit of Gymnasium.
 *
 *   soma_env *e = soma_env_create("grid", opts, n_opts, err, sizeof err);
 *   soma_env_reset(e, seed);                 observation in e->obs, latents in e->latent
 *   soma_env_step(e, action, &r);            r.reward, r.terminated, r.truncated
 *   soma_env_draw(e, canvas, x, y, w, h);    the world, the agent and the goal, in a rectangle
 *
 * A world is one file envs/<name>.c defining a soma_world (options, spaces, latents, five
 * functions) listed in envs/worlds.c. Environments know nothing of spikes. Every world draws
 * its random numbers from its own generator, seeded by reset(seed), so the same seed gives
 * the same episode; reset without a new seed continues the stream (the next episode differs).
 *
 * Options are named values: numbers (one or several) or a string. Each world declares them in
 * tables, so unknown names, values out of range and bad strings get messages that name the
 * option, the world and what was expected. */
#ifndef SOMA_ENV_H
#define SOMA_ENV_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "envs/canvas.h"
#include "sim/model.h"   /* soma_param_def: numeric options share the engine's descriptor */

/* An option given to a world: a string (str != NULL) or n numbers. */
typedef struct soma_env_opt {
  const char *key;
  const char *str;
  const double *num;
  int n;
} soma_env_opt;

/* A string option a world accepts: its default and, when not NULL, the allowed values
 * ("position|view|both"); free text (a map path) has allowed = NULL. */
typedef struct soma_env_str_def {
  const char *name;
  const char *def;
  const char *allowed;
  const char *doc;
} soma_env_str_def;

/* An option taking a list of numbers (bandit probabilities, a goal's cell): any length from
 * min_n to max_n, each value within [lo, hi]. */
typedef struct soma_env_list_def {
  const char *name;
  int min_n, max_n;
  double lo, hi;
  const char *doc;
} soma_env_list_def;

typedef enum { SOMA_SPACE_DISCRETE, SOMA_SPACE_BOX } soma_space_kind;

/* An action or observation space: n choices (DISCRETE) or n real values, each in [lo, hi]
 * (BOX; infinite bounds allowed for observations). labels names the choices or the
 * dimensions when the world gives names (static strings), else NULL. */
typedef struct soma_space {
  soma_space_kind kind;
  int n;
  double lo, hi;
  const char *const *labels;
} soma_space;

typedef struct soma_env_result {
  double reward;
  int terminated;   /* the episode ended inside the task (goal reached, platform found) */
  int truncated;    /* it ran out of steps (max_steps) */
} soma_env_result;

typedef struct soma_env soma_env;

typedef struct soma_world {
  const char *name;
  const char *doc;
  const soma_param_def *params;   /* numeric options (one number each) */
  int n_params;
  const soma_env_str_def *strs;
  int n_strs;
  const soma_env_list_def *lists;
  int n_lists;
  int64_t max_steps;              /* default of the common option max_steps (0: no limit) */
  const char *fixed;              /* options that cannot change after creation: "map|obs" */
  const char *const *latents;     /* names of the ground-truth latents, in e->latent order */
  int n_latents;
  /* Builds the world from its options (all checked against the tables, defaults filled):
   * allocates e->state, fills e->obs_space and e->act_space. Returns 0, or nonzero with a
   * message in err (a map error names file:line:col). */
  int (*create)(soma_env *e, char *err, size_t len);
  void (*destroy)(soma_env *e);
  /* Starts an episode: e->rng is already seeded; writes e->obs and e->latent. */
  void (*reset)(soma_env *e);
  /* One step with a checked action (DISCRETE: a[0] is an index in [0, n); BOX: n values,
   * clipped to the bounds): writes e->obs, e->latent, r->reward, r->terminated. */
  void (*step)(soma_env *e, const double *a, soma_env_result *r);
  /* Draws the world into the rectangle (x, y, w, h) of the canvas. */
  void (*draw)(const soma_env *e, soma_canvas *c, int x, int y, int w, int h);
  /* Maps a world position (the latents x and y) to a pixel of the rectangle draw() uses, so
   * the path of the episode can be drawn over the world. May be NULL (no path). */
  void (*locate)(const soma_env *e, double x, double y, int rx, int ry, int rw, int rh, int *px,
                 int *py);
  /* Changes options between steps (move the goal, switch the rotation, reverse the bandit),
   * called with the option already checked against the tables and stored (and not one of
   * `fixed`); the world applies it or refuses it with a message (nonzero), and then the old
   * value is put back. May be NULL (nothing settable). */
  int (*set)(soma_env *e, const soma_env_opt *o, char *err, size_t len);
} soma_world;

/* The tables of a world's descriptor, counted: .params, .strs, .lists, .latents with their n. */
#define SOMA_WORLD_PARAMS(t) .params = t, .n_params = (int)(sizeof t / sizeof *t)
#define SOMA_WORLD_STRS(t) .strs = t, .n_strs = (int)(sizeof t / sizeof *t)
#define SOMA_WORLD_LISTS(t) .lists = t, .n_lists = (int)(sizeof t / sizeof *t)
#define SOMA_WORLD_LATENTS(t) .latents = t, .n_latents = (int)(sizeof t / sizeof *t)

struct soma_env {
  const soma_world *world;
  double *param;            /* the numeric options, in the world's table order */
  char **str;               /* the string options */
  double **list;            /* the list options (NULL when not given) */
  int *list_n;
  soma_space obs_space, act_space;
  double *obs;              /* obs_space.n values */
  double *latent;           /* world->n_latents values (NaN: not known now) */
  int64_t steps;            /* steps in this episode (in world->step: including this one) */
  int64_t episode;          /* episodes started (reset calls) */
  int64_t max_steps;        /* truncation (0: never), the common option max_steps */
  int done;                 /* the episode ended: step refuses until reset */
  uint64_t seed;
  double *path;             /* (x, y) after reset and after each step of this episode */
  size_t path_n, path_cap;  /* points; the path is kept only when the world has locate */
  int lx, ly;               /* indices of the latents x and y, or -1 */
  gsl_rng *rng;             /* the world's generator, seeded by reset (GSL mt19937) */
  void *state;
};

/* The registered worlds (NULL-terminated) and one by name; the catalogue in the form of the
 * models' and rules' (count, name, describe by name: 0, or nonzero for an unknown name). */
const soma_world *const *soma_worlds(void);
const soma_world *soma_world_find(const char *name);
int soma_world_count(void);
const char *soma_world_name(int i);
int soma_world_describe_name(const char *name, FILE *f);

/* Who resets and steps a world for an agent: by default soma_env_reset/soma_env_step
 * directly (a NULL driver); the Lua layer passes its own, so that the environment's record,
 * snapshots and window see an agent's steps. Each returns 0, or nonzero with a message. */
typedef struct soma_env_driver {
  int (*reset)(void *ctx, soma_env *e, uint64_t seed, char *err, size_t len);
  int (*step)(void *ctx, soma_env *e, const double *action, int n, soma_env_result *r, char *err,
              size_t len);
  void *ctx;
} soma_env_driver;

/* Through a driver, or directly when d is NULL: the reset of an agent's episode (a world never
 * reset before is seeded with seed, later episodes continue its stream), and a step. */
int soma_env_drive_reset(const soma_env_driver *d, soma_env *e, uint64_t seed, char *err,
                         size_t len);
int soma_env_drive_step(const soma_env_driver *d, soma_env *e, const double *action, int n,
                        soma_env_result *r, char *err, size_t len);

/* Writes a world's description: what it is, its options with defaults, ranges and meanings,
 * its spaces and latents (soma worlds NAME, soma.env.world(name)). */
void soma_world_describe(const soma_world *w, FILE *f);

/* Creates a world. Every world also takes max_steps (0: no limit). NULL with a message on an
 * unknown world or option, a value out of range, a bad string, or the world's own errors. */
soma_env *soma_env_create(const char *world, const soma_env_opt *opts, int n, char *err,
                          size_t len);
void soma_env_destroy(soma_env *e);

/* Starts an episode, seeding the world's generator with seed (or continuing its stream when
 * reseed is 0). */
void soma_env_reset(soma_env *e, uint64_t seed, int reseed);

/* One step. Returns 0, or nonzero with a message (action out of range or not finite, episode
 * over). BOX actions are clipped to the space; NaN is refused. */
int soma_env_step(soma_env *e, const double *action, int n, soma_env_result *r, char *err,
                  size_t len);

/* Changes options (see soma_world.set); unknown or read-only names are refused. */
int soma_env_set(soma_env *e, const soma_env_opt *opts, int n, char *err, size_t len);

/* Draws the world into the rectangle (x, y, w, h), with the path of the current episode over
 * it when the world can place positions (locate). */
void soma_env_draw(const soma_env *e, soma_canvas *c, int x, int y, int w, int h);

/* For worlds: option values by name (the index in their tables is faster), and random numbers
 * from the world's generator. */
double soma_env_param(const soma_env *e, const char *name);
const double *soma_env_list(const soma_env *e, const char *name, int *n);
double soma_env_uniform(soma_env *e);            /* [0, 1) */
double soma_env_gaussian(soma_env *e, double sigma);
unsigned long soma_env_uniform_int(soma_env *e, unsigned long n);   /* [0, n) */

/* Index of a latent by name, or -1. */
int soma_env_latent_index(const soma_env *e, const char *name);

#endif
