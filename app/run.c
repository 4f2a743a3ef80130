/* run.c — `soma run SCRIPT.lua`: runs a Lua experiment script in a fresh run directory.
 *
 * Order of events: the run directory is made; the script's main chunk runs (a global `params`
 * table it assigns gets the --set overrides at that moment, typed like its defaults); then the
 * optional callbacks: setup(), episode(k) for k = 1..params.episodes (or step(t) every
 * params.step_ms until params.duration), finish(status). Every network's recordings are
 * written, then results.json/.csv from soma.log/soma.result, then meta.json. SIGINT/SIGTERM
 * stop at the next chunk boundary (or Lua instruction) and the same files are written with
 * status "interrupted". */
#include <errno.h>
#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/lua_args.h"
#include "app/dashboard.h"
#include "app/lua_figure.h"
#include "app/lua_json.h"
#include "app/lua_soma.h"
#include "app/rundir.h"
#include "app/run_set.h"
#include "app/window.h"
#include "sim/json.h"

static const char *usage =
    "usage: soma run SCRIPT.lua [options]\n"
    "\n"
    "Runs a Lua experiment script and writes its run directory: meta.json, the recordings\n"
    "(.npy), results.json and results.csv (from soma.log and soma.result), and its figures.\n"
    "\n"
    "options:\n"
    "  --seed N        seed of every network the script makes (default 1)\n"
    "  --threads N     threads per network (default 1); results do not depend on it\n"
    "  --out DIR       run directory (default runs/<script>-<date>-<time>); never overwritten\n"
    "  --set KEY=VAL   override params.KEY of the script (repeatable); typed like the default\n"
    "  --headless      no window (the default)\n"
    "  --window        watch the run in a window: the script's draw(g), or a live raster;\n"
    "                  Space pauses, Esc or closing the window stops the run\n"
    "  --quiet         no progress display and no summary line\n"
    "  -h, --help      this text\n"
    "\n"
    "Progress goes to stderr: one line redrawn on a terminal, plain lines every 10 s otherwise\n"
    "(SOMA_PROGRESS_INTERVAL=S changes the interval). The window stays open at the end until\n"
    "closed (SOMA_WINDOW_TIMEOUT=S closes it after S seconds; SOMA_WINDOW_SCREENSHOT=FILE.png\n"
    "saves the last frame).  Ctrl-C stops at the next step boundary\n"
    "and still writes everything simulated so far (meta.json status \"interrupted\").\n"
    "Exit status: 0 ok, 1 script error, 2 usage error (also a bad --set), 128+signal when\n"
    "interrupted.\n";

enum { WINDOW_W = 1200, WINDOW_H = 700 };

typedef struct run_state {
  run_setting *sets;
  int n_sets;
  int params_seen;
  lsoma_run r;
  progress *prog;
  dashboard *dash;          /* the default view, and summary.png at the end */
  /* the window */
  window *win;
  figure *canvas;
  char title[256];
  double last_frame;
  int window_closed;
  int exiting, exit_code;   /* the script called os.exit */
} run_state;

static volatile sig_atomic_t g_stop;
static lua_State *g_L;

static void stop_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted by %s", g_stop == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void on_signal(int sig) {
  g_stop = sig;
  signal(sig, SIG_DFL);   /* a second Ctrl-C ends the process at once */
  if (g_L) lua_sethook(g_L, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* ---- params and --set (app/run_set.c) --------------------------------------------------- */

/* __newindex of the globals: `params = {...}` gets the overrides as it is assigned */
static int globals_newindex(lua_State *L) {
  run_state *st = lua_touserdata(L, lua_upvalueindex(1));
  if (lua_type(L, 2) == LUA_TSTRING && !strcmp(lua_tostring(L, 2), "params") && !st->params_seen) {
    if (!lua_istable(L, 3))
      return luaL_error(L, "params must be a table of defaults, e.g. params = {n = 100}");
    st->params_seen = 1;
    for (int i = 0; i < st->n_sets; i++) run_set_apply(L, 3, &st->sets[i]);
    lua_getglobal(L, "soma");
    lua_pushvalue(L, 3);
    lua_setfield(L, -2, "params");
    lua_pop(L, 1);
  }
  lua_rawset(L, 1);
  return 0;
}

/* os.exit(code): ends the script, but soma still writes the run directory */
static int script_exit(lua_State *L) {
  run_state *st = lua_touserdata(L, lua_upvalueindex(1));
  int code = lua_isnoneornil(L, 1) ? 0
             : lua_isboolean(L, 1) ? !lua_toboolean(L, 1)
                                   : (int)luaL_checkinteger(L, 1);
  st->exiting = 1;
  st->exit_code = code < 0 || code > 255 ? 1 : code;
  lua_pushfstring(L, "os.exit(%d)", code);
  return lua_error(L);
}

/* print() that first clears the progress line */
static int clean_print(lua_State *L) {
  run_state *st = lua_touserdata(L, lua_upvalueindex(1));
  progress_clear(st->prog);
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 0);
  return 0;
}

static int traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (!msg) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  if (strstr(msg, "\nstack traceback:")) return 1;   /* raised again (from draw): keep the first */
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* calls the function on the stack (with nargs above it) in protected mode; 0 or -1 */
static int pcall(lua_State *L, int nargs, int nres) {
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, traceback);
  lua_insert(L, base);
  int rc = lua_pcall(L, nargs, nres, base);
  lua_remove(L, base);
  return rc == LUA_OK ? 0 : -1;
}

static int get_function(lua_State *L, const char *name) {
  if (lua_getglobal(L, name) == LUA_TFUNCTION) return 1;
  lua_pop(L, 1);
  return 0;
}

/* params[key] as a number, or def; a Lua error for a wrong type */
static double param_num(lua_State *L, const char *key, double def, int required, const char *why) {
  lua_getglobal(L, "params");
  int t = lua_istable(L, -1) ? lua_getfield(L, -1, key) : LUA_TNIL;
  if (t == LUA_TNIL) {
    if (required) luaL_error(L, "%s, so the script needs params.%s", why, key);
    lua_settop(L, 0);
    return def;
  }
  if (t != LUA_TNUMBER) luaL_error(L, "params.%s must be a number (%s)", key, why);
  double v = lua_tonumber(L, -1);
  lua_settop(L, 0);
  return v;
}

/* draws a frame into the window: the script's draw(g) on the canvas, or the live view.
 * Returns 1 to stop the run (window closed, or draw failed: message in stop_message). */
static int frame(void *ctx, lua_State *L, int force) {
  run_state *st = ctx;
  if (!st->win || st->window_closed) return st->window_closed;
  if (!force && window_delay_ms(st->win)) usleep((useconds_t)window_delay_ms(st->win) * 1000);
  double now = cli_now();
  if (!force && now - st->last_frame < 1.0 / 30) {
    if (!window_poll(st->win)) return 0;
  } else {
    st->last_frame = now;
    char status[256];
    progress_describe(st->prog, status, sizeof status);
    int top = lua_gettop(L);
    if (lua_getglobal(L, "draw") == LUA_TFUNCTION) {
      figure_clear(st->canvas, 0xffffffffu);
      lua_getfield(L, LUA_REGISTRYINDEX, "soma.window_canvas");
      st->r.drawing = 1;
      int failed = pcall(L, 1, 0);
      st->r.drawing = 0;
      if (failed) {
        snprintf(st->r.stop_message, sizeof st->r.stop_message, "%s", lua_tostring(L, -1));
        lua_settop(L, top);
        return 1;
      }
    } else {
      int delay = window_delay_ms(st->win);
      if (delay) {
        size_t len = strlen(status);
        snprintf(status + len, sizeof status - len, "  ·  slowed down: %d ms per step (+ faster)", delay);
      }
      dashboard_draw(st->dash, L, st->canvas, st->title, status, 0);
    }
    lua_settop(L, top);
    if (!window_show(st->win, st->canvas)) return 0;
  }
  st->window_closed = 1;
  g_stop = SIGINT;
  st->r.stop_message[0] = 0;
  snprintf(st->r.stop_message, sizeof st->r.stop_message, "stopped: the window was closed");
  return 1;
}

/* a frame between callbacks: an error in draw or a closed window stops the script */
static void frame_or_stop(lua_State *L, run_state *st) {
  if (frame(st, L, 1)) {
    lua_pushstring(L, st->r.stop_message);
    lua_error(L);
  }
}

/* the protocol after the main chunk: setup, episode/step, (finish is called by the caller) */
static int protocol(lua_State *L) {
  run_state *st = lua_touserdata(L, 1);
  lua_settop(L, 0);
  for (int i = 0; i < st->n_sets; i++)
    if (!st->sets[i].used)
      return luaL_error(L, "--set %s: the script assigns no global params table to override "
                        "(write params = {%s = ...} at its top)", st->sets[i].text, st->sets[i].key);
  if (get_function(L, "setup")) lua_call(L, 0, 0);
  frame_or_stop(L, st);
  int has_episode = get_function(L, "episode");
  lua_settop(L, 0);
  int has_step = get_function(L, "step");
  lua_settop(L, 0);
  if (has_episode && has_step) return luaL_error(L, "the script defines both episode and step; define one");
  if (has_episode) {
    double n = param_num(L, "episodes", 0, 1, "the script defines episode(k)");
    if (!(n >= 0 && n == floor(n))) return luaL_error(L, "params.episodes must be a whole number >= 0");
    for (double k = 1; k <= n; k++) {
      progress_count(st->prog, k - 1, n, "episode");
      get_function(L, "episode");
      lua_pushinteger(L, (lua_Integer)k);
      lua_call(L, 1, 1);
      int stop = lua_isboolean(L, -1) && !lua_toboolean(L, -1);
      lua_settop(L, 0);
      frame_or_stop(L, st);
      if (stop) break;
    }
  } else if (has_step) {
    double duration = param_num(L, "duration", 0, 1, "the script defines step(t)");
    double step_ms = param_num(L, "step_ms", 1, 0, "the time between step(t) calls");
    if (!(duration >= 0) || !(step_ms > 0))
      return luaL_error(L, "params.duration must be >= 0 and params.step_ms > 0 (ms)");
    lua_getfield(L, LUA_REGISTRYINDEX, "soma.nets");
    int nets = lua_gettop(L);
    for (double t = 0; t + 1e-9 < duration; t += step_ms) {
      double ms = fmin(step_ms, duration - t);
      lua_Integer n = (lua_Integer)lua_rawlen(L, nets), live = 0;
      for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, nets, i);
        lnet *h = lua_touserdata(L, -1);
        if (h->net && soma_net_pop_count(h->net) > 0) {
          live++;
          lua_getfield(L, -1, "run");
          lua_insert(L, -2);
          lua_pushnumber(L, ms);
          lua_call(L, 2, 0);
        } else {
          lua_pop(L, 1);
        }
      }
      if (!live) return luaL_error(L, "step(t) needs a network with populations to advance");
      progress_count(st->prog, t + ms, duration, "ms");
      get_function(L, "step");
      lua_pushnumber(L, t + ms);
      lua_call(L, 1, 0);
      frame_or_stop(L, st);
    }
  }
  return 0;
}

/* ---- the run --------------------------------------------------------------------------- */

/* results.json and results.csv, in protected mode (values are read through Lua) */
static int write_results(lua_State *L) {
  char err[1024];
  if (lresults_write(L, lua_touserdata(L, 1), err, sizeof err)) return luaL_error(L, "%s", err);
  return 0;
}


/* 0, or -1 after printing why meta.json could not be written (then there is none) */
static int write_meta(lua_State *L, const char *dir, int argc, char **argv, const char *script,
                      const char *hash, run_state *st, const char *started, double wall,
                      const char *status, const char *error) {
  char err[4400], ended[40];
  FILE *f = rundir_open(dir, "meta.json", err, sizeof err);
  if (!f) {
    fprintf(stderr, "soma run: %s\n", err);
    return -1;
  }
  fputs("{\"command\": \"soma run\", \"argv\": [", f);
  for (int i = 0; i < argc; i++) {
    if (i) fputs(", ", f);
    soma_json_str(f, argv[i]);
  }
  fputs("],\n \"script\": ", f);
  soma_json_str(f, script);
  fprintf(f, ", \"script_sha256\": \"%s\",\n \"params\": ", hash);
  lua_getglobal(L, "params");
  char *pj = NULL;
  size_t pn = 0;
  FILE *pf = lua_istable(L, -1) ? open_memstream(&pj, &pn) : NULL;
  int pbad = !pf || lj_write(L, -1, pf);
  if (pf) fclose(pf);
  if (pbad) fputs("null", f);   /* params holding a function or a cycle: no JSON for them */
  else fputs(pj, f);
  free(pj);
  lua_settop(L, 0);
  fputs(", \"set\": [", f);
  for (int i = 0; i < st->n_sets; i++) {
    if (i) fputs(", ", f);
    soma_json_str(f, st->sets[i].text);
  }
  fprintf(f, "],\n \"dt_ms\": ");
  if (st->r.dt > 0) soma_json_num(f, st->r.dt);
  else fputs("null", f);
  fprintf(f, ", \"seed\": %u, \"threads\": %d, \"headless\": %s, \"soma_version\": \"%s\", "
             "\"git_revision\": \"%s\",\n \"started\": \"%s\", \"ended\": \"%s\", \"wall_s\": %.3f, "
             "\"status\": \"%s\", \"error\": ",
          st->r.seed, st->r.threads, st->r.headless ? "true" : "false", SOMA_VERSION,
          rundir_git_revision(), started, rundir_timestamp(ended, sizeof ended), wall, status);
  if (error) soma_json_str(f, error);
  else fputs("null", f);
  fprintf(f, ",\n \"networks\": [%s],\n \"environments\": [%s],\n \"agents\": [%s]}\n",
          st->r.nets_json ? st->r.nets_json : "", st->r.envs_json ? st->r.envs_json : "",
          st->r.agents_json ? st->r.agents_json : "");
  if (rundir_commit(f, dir, "meta.json", err, sizeof err)) {
    fprintf(stderr, "soma run: %s\n", err);
    return -1;
  }
  return 0;
}

int cmd_run(int argc, char **argv) {
  static const char *const known[] = {"--seed", "--threads", "--out", "--set", "--headless",
                                      "--window", "--quiet", "--help", NULL};
  const char *script = NULL, *out = NULL;
  long seed = 1, threads = 1;
  int quiet = 0, use_window = 0;
  run_state st;
  memset(&st, 0, sizeof st);
  st.sets = calloc((size_t)argc, sizeof(run_setting));
  if (!st.sets) return 1;
  int rc = 2;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage, stdout);
      rc = 0;
      goto done;
    } else if (!strcmp(a, "--quiet")) {
      quiet = 1;
    } else if (!strcmp(a, "--headless")) {
      use_window = 0;
    } else if (!strcmp(a, "--window")) {
      use_window = 1;
    } else if (!strcmp(a, "--out")) {
      if (!(out = cli_value("run", argc, argv, &i))) goto done;
    } else if (!strcmp(a, "--set")) {
      if (!(v = cli_value("run", argc, argv, &i))) goto done;
      char serr[4200];
      run_setting *s = &st.sets[st.n_sets];
      if (run_set_parse(v, s, serr, sizeof serr)) {
        fprintf(stderr, "soma run: %s\n", serr);
        goto done;
      }
      st.n_sets++;
      for (int j = 0; j < st.n_sets - 1; j++)
        if (!strcmp(st.sets[j].key, s->key)) {
          fprintf(stderr, "soma run: --set %s given twice\n", s->key);
          goto done;
        }
    } else if (!strcmp(a, "--seed") || !strcmp(a, "--threads")) {
      if (!(v = cli_value("run", argc, argv, &i))) goto done;
      if (!strcmp(a, "--seed") ? cli_long("run", a, v, 0, 4294967295L, &seed)
                               : cli_long("run", a, v, 1, 1024, &threads))
        goto done;
    } else if (a[0] == '-' && a[1]) {
      cli_unknown("run", a, known);
      goto done;
    } else if (!script) {
      script = a;
    } else {
      fprintf(stderr, "soma run: one script at a time (got '%s' and '%s')\n", script, a);
      goto done;
    }
  }
  if (!script) {
    fputs(usage, stderr);
    goto done;
  }
  char hash[65], err[1024];
  if (rundir_file_sha256(script, hash, err, sizeof err)) {
    fprintf(stderr, "soma run: %s\n", err);
    goto done;
  }
  char stem[256], dir[4096];
  const char *base = strrchr(script, '/');
  snprintf(stem, sizeof stem, "%s", base ? base + 1 : script);
  char *dot = strrchr(stem, '.');
  if (dot && dot != stem) *dot = 0;
  if (rundir_create(out, stem, dir, sizeof dir, err, sizeof err)) {
    fprintf(stderr, "soma run: %s\n", err);
    rc = 1;
    goto done;
  }
  char started[40];
  rundir_timestamp(started, sizeof started);
  double t0 = cli_now();
  const char *every = getenv("SOMA_PROGRESS_INTERVAL");
  int tty = isatty(2);
  if (!quiet) st.prog = progress_create(stderr, tty, every ? atof(every) : tty ? 0.25 : 10);
  else if (use_window) st.prog = progress_create(NULL, 0, 1);   /* the window's status line */
  snprintf(st.title, sizeof st.title, "soma — %s", script);
  if (!(st.dash = dashboard_create())) {
    fprintf(stderr, "soma run: out of memory\n");
    rc = 1;
    goto done;
  }
  if (use_window) {
    st.canvas = figure_create(WINDOW_W, WINDOW_H);
    st.win = st.canvas ? window_open(WINDOW_W, WINDOW_H, st.title, err, sizeof err) : NULL;
    if (!st.win) {
      fprintf(stderr, "soma run: --window: %s\n", st.canvas ? err : "out of memory");
      rc = 1;
      goto done;
    }
    st.r.frame = frame;
    st.r.frame_ctx = &st;
    window_set_screenshot_dir(st.win, dir);
  }
  st.r.dir = dir;
  st.r.seed = (uint32_t)seed;
  st.r.threads = (int)threads;
  st.r.headless = !use_window;
  st.r.stop = &g_stop;
  st.r.prog = st.prog;

  lua_State *L = luaL_newstate();
  if (!L) {
    fprintf(stderr, "soma run: out of memory\n");
    rc = 1;
    goto done;
  }
  luaL_openlibs(L);
  lsoma_open(L, &st.r);
  if (st.canvas) {
    lfig_push_borrowed(L, st.canvas);
    lua_setfield(L, LUA_REGISTRYINDEX, "soma.window_canvas");
  }
  /* require finds modules next to the script first */
  char sdir[4096];
  snprintf(sdir, sizeof sdir, "%.*s", base ? (int)(base - script) : 1, base ? script : ".");
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "path");
  lua_pushfstring(L, "%s/?.lua;%s/?/init.lua;%s", sdir, sdir, lua_tostring(L, -1));
  lua_setfield(L, -3, "path");
  lua_pop(L, 2);
  lua_getglobal(L, "print");
  lua_pushlightuserdata(L, &st);
  lua_insert(L, -2);
  lua_pushcclosure(L, clean_print, 2);
  lua_setglobal(L, "print");
  lua_getglobal(L, "os");
  lua_pushlightuserdata(L, &st);
  lua_pushcclosure(L, script_exit, 1);
  lua_setfield(L, -2, "exit");
  lua_pop(L, 1);
  lua_pushglobaltable(L);
  lua_newtable(L);
  lua_pushlightuserdata(L, &st);
  lua_pushcclosure(L, globals_newindex, 1);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, -2);
  lua_pop(L, 1);

  g_stop = 0;
  g_L = L;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  const char *status = "ok";
  char *error = NULL;
  int failed = luaL_loadfile(L, script) != LUA_OK;
  if (!failed) failed = pcall(L, 0, 0);
  if (!failed) {
    lua_pushcfunction(L, protocol);
    lua_pushlightuserdata(L, &st);
    failed = pcall(L, 1, 0);
  }
  if (failed && st.exiting) {
    failed = st.exit_code != 0;
    if (failed) {
      char msg[64];
      snprintf(msg, sizeof msg, "the script called os.exit(%d)", st.exit_code);
      error = strdup(msg);
    }
    lua_settop(L, 0);
  } else if (failed) {
    error = strdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
    lua_settop(L, 0);
  }
  status = g_stop ? "interrupted" : failed ? "error" : "ok";
  lua_sethook(L, NULL, 0, 0);
  if ((!failed || g_stop) && !st.exiting) {
    if (get_function(L, "finish")) {
      lua_pushstring(L, status);
      if (pcall(L, 1, 0) && !g_stop) {
        free(error);
        error = strdup(lua_tostring(L, -1));
        status = "error";
        failed = 1;
      }
      lua_settop(L, 0);
      lua_sethook(L, NULL, 0, 0);
    }
  }
  if (st.win && !st.window_closed) {
    frame(&st, L, 1);
    const char *shot = getenv("SOMA_WINDOW_SCREENSHOT");
    char serr[512];
    if (shot && *shot && window_screenshot(st.win, shot, serr, sizeof serr))
      fprintf(stderr, "soma run: %s\n", serr);
  }
  progress_clear(st.prog);
  char derr[512];
  if (dashboard_summary(st.dash, L, dir, st.title, derr, sizeof derr))
    fprintf(stderr, "soma run: %s\n", derr);
  int usage_error = error && !strncmp(error, "--set ", 6);
  char *nl = error ? strstr(error, "\nstack traceback:") : NULL;
  if (usage_error && nl) *nl = 0;
  if (usage_error) fprintf(stderr, "soma run: %s\n", error);
  else if (failed && !g_stop && !st.exiting) fprintf(stderr, "%s\n", error);
  /* results first (they may still read the networks), then the recordings */
  char werr[1024];
  int write_failed = 0;
  lua_settop(L, 0);
  lua_pushcfunction(L, write_results);
  lua_pushlightuserdata(L, (void *)dir);
  char write_error[1024] = "";
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
    fprintf(stderr, "soma run: %s\n", lua_tostring(L, -1));
    snprintf(write_error, sizeof write_error, "%s", lua_tostring(L, -1));
    write_failed = 1;
  }
  lua_settop(L, 0);
  if (lsoma_close_all(L, werr, sizeof werr)) {
    fprintf(stderr, "soma run: %s\n", werr);
    snprintf(write_error, sizeof write_error, "%s", werr);
    write_failed = 1;
  }
  if (write_failed && !failed) {
    status = "error";
    free(error);
    error = strdup(write_error);
  }
  /* the first line of the message is enough in meta.json; stderr had the traceback */
  nl = error ? strstr(error, "\nstack traceback:") : NULL;
  if (nl) *nl = 0;
  int no_meta = write_meta(L, dir, argc, argv, script, hash, &st, started, cli_now() - t0, status,
                           error) != 0;
  g_L = NULL;
  lua_close(L);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  if (g_stop) {
    fprintf(stderr, "soma run: %s; wrote what was simulated to %s/ (status \"interrupted\")\n",
            st.window_closed ? "stopped: the window was closed"
            : g_stop == SIGTERM ? "interrupted by SIGTERM" : "interrupted by SIGINT", dir);
    rc = 128 + g_stop;
  } else if (usage_error) {
    rc = 2;
  } else if (st.exiting && !write_failed) {
    if (!quiet && !failed) printf("wrote %s/\n", dir);
    if (failed) fprintf(stderr, "soma run: %s; %s/ holds what was written\n", error, dir);
    rc = st.exit_code;
  } else if (failed || write_failed) {
    fprintf(stderr, "soma run: the script failed; %s/ holds what was written (%s)\n", dir,
            no_meta ? "but no meta.json" : "meta.json status \"error\"");
    rc = 1;
  } else if (no_meta) {
    fprintf(stderr, "soma run: the script ran, but %s/ has no meta.json\n", dir);
    rc = 1;
  } else {
    if (!quiet) printf("wrote %s/\n", dir);
    rc = 0;
  }
  fflush(stdout);
  if (st.win && !st.window_closed) {
    const char *t = getenv("SOMA_WINDOW_TIMEOUT");
    window_hold(st.win, t && *t ? atof(t) : -1);
  }
  free(error);
done:
  window_close(st.win);
  figure_destroy(st.canvas);
  dashboard_destroy(st.dash);
  progress_destroy(st.prog);
  free(st.r.nets_json);
  free(st.r.envs_json);
  free(st.r.agents_json);
  for (int i = 0; i < st.n_sets; i++) free(st.sets[i].key);
  free(st.sets);
  return rc;
}
