/* lua_soma.h — the Lua module `soma`: what its binding files (app/lua_*.c) share, and how
 * `soma run` opens it. A script's objects are userdata that refer to their network; a network
 * destroyed by net:destroy() leaves them stale, and every use of one then raises an error
 * instead of touching freed memory. */
#ifndef SOMA_LUA_SOMA_H
#define SOMA_LUA_SOMA_H

#include <lua.h>
#include <signal.h>
#include <stdio.h>

#include "app/progress.h"
#include "sim/soma.h"

/* The run the script belongs to, filled in by `soma run`. */
typedef struct lsoma_run {
  const char *dir;                  /* run directory: recordings and files go there */
  uint32_t seed;                    /* --seed: the default seed of networks */
  int threads;                      /* --threads: the default thread count */
  int headless;
  volatile sig_atomic_t *stop;      /* set by SIGINT/SIGTERM: runs stop at the next chunk */
  progress *prog;                   /* NULL when quiet */
  int n_nets;                       /* networks made so far */
  double dt;                        /* the first network's time step (ms), 0 before it */
  char *nets_json;                  /* descriptions of the networks, set by lsoma_close_all */
  char *envs_json;                  /* and of the environments */
  char *agents_json;                /* and of the spiking agents */
  /* the window: called between chunks of a run (force 0) with the Lua thread that runs;
   * nonzero stops the run, with the reason in stop_message ("" for a closed window) */
  int (*frame)(void *ctx, lua_State *L, int force);
  void *frame_ctx;
  int drawing;                      /* inside draw(g): networks must not run */
  lua_State *running;               /* the thread inside net:run */
  char stop_message[2048];
} lsoma_run;

typedef struct lnet {
  soma_net *net;                    /* NULL once destroyed */
  int number;                       /* 1, 2, ... in creation order */
  char name[64];
  char dir[4096];                   /* where its recordings go */
} lnet;

/* A population, projection or recording: its network and index there. The userdata's user
 * value 1 is the network's userdata (keeping it alive); projections keep their pre and post
 * populations as user values 2 and 3, recordings their population as 2. */
typedef struct lobj {
  lnet *owner;
  int index;
  char label[96];                   /* "population 'E'" for messages */
} lobj;

#define LSOMA_NET "soma.network"
#define LSOMA_POP "soma.population"
#define LSOMA_PROJ "soma.projection"
#define LSOMA_REC "soma.recording"
#define LSOMA_MOD "soma.modulator"
#define LSOMA_RPE "soma.rpe"

/* Opens the module: sets the global `soma` and package.loaded.soma. */
void lsoma_open(lua_State *L, lsoma_run *run);
lsoma_run *lsoma_run_of(lua_State *L);

/* Writes the recordings of every network and environment the script made that is still open,
 * records their descriptions and frees them. Returns 0, or -1 with a message in err. */
int lsoma_close_all(lua_State *L, char *err, size_t errlen);

/* Writes the run so far into dir (which must exist) as a run directory joint/rundir.h reads:
 * meta.json (status "running") listing the open networks, the first spiking agent (as folder
 * "agent") and the recording environments; their spikes held in memory and the behaviour so
 * far. Nothing is closed: the run goes on. 0, or -1 with a message (a streamed recording, whose
 * spikes are not in memory; a file that cannot be written). */
int lsoma_snapshot(lua_State *L, const char *dir, char *err, size_t errlen);

/* The first network's simulated time in ms (NaN when there is none). */
double lsoma_now_ms(lua_State *L);
/* The folder of network `number` (1, 2, ...) relative to the run directory, as meta.json
 * names it ("." for an unnamed first network, "net2", "<name>"), into buf; NULL when there is
 * no such network. */
const char *lnet_folder(lua_State *L, int number, char *buf, size_t len);

/* Checked access from a method: the engine object, or a Lua error naming call when the value
 * is not one or its network was destroyed. */
soma_net *lnet_check(lua_State *L, int idx, const char *call, lnet **handle);
soma_pop *lpop_check(lua_State *L, int idx, const char *call);
soma_proj *lproj_check(lua_State *L, int idx, const char *call);
soma_rec *lrec_check(lua_State *L, int idx, const char *call);
/* A recording whose data is in memory (not streamed), of the kind asked: spikes 1, state 0,
 * either -1; a Lua error otherwise. */
soma_rec *lrec_readable(lua_State *L, int idx, const char *call, int spikes);

/* The folder of a network's recordings, created when first needed (NULL without a run
 * directory). */
const char *lnet_dir(lua_State *L, lnet *h, const char *call);
/* Pushes a new userdata for object index of the network at net_idx. */
void lobj_push(lua_State *L, int net_idx, const char *mt, int index, const char *label);
/* __tostring of populations, projections, recordings and modulators: "soma population 'E'". */
int lobj_tostring(lua_State *L);
/* soma.models()/soma.rules(): the names of a catalogue as a Lua list; soma.model(name)/
 * soma.rule(name): the text its describe function writes, or an error naming call and noun. */
int lsoma_push_names(lua_State *L, int (*count)(void), const char *(*name)(int));
int lsoma_push_description(lua_State *L, const char *call, const char *noun, const char *list,
                           int (*describe)(const char *, FILE *));
/* The engine error after a failed call, raised as "call: message". */
int lsoma_fail(lua_State *L, soma_net *net, const char *call);

/* The methods of each kind of object (app/lua_pop.c, lua_proj.c, lua_rec.c). */
void lpop_open(lua_State *L);
void lproj_open(lua_State *L);
void lrec_open(lua_State *L);
/* net:pop{...}, net:connect(pre, post, {...}), net:record(pop, what, {...}) */
int lpop_create(lua_State *L);
int lproj_create(lua_State *L);
int lrec_create(lua_State *L);

/* Learning (app/lua_plastic.c): net:modulator{...}, proj:plastic{...}, soma.rules/rule; the
 * rule table at idx attached to a projection (also net:connect's `plasticity` option). */
int lmod_create(lua_State *L);
int lmismatch_create(lua_State *L);
int lrpe_create(lua_State *L);
void lplastic_attach(lua_State *L, soma_net *net, soma_proj *proj, int idx, const char *call);
void lplastic_open(lua_State *L);

/* soma.log, soma.result and the files they become (app/lua_results.c). */
void lresults_open(lua_State *L);
int lresults_write(lua_State *L, const char *dir, char *err, size_t errlen);

#endif
