# soma — build, test and benchmark.
#   make            build bin/soma and build/rel/libsoma.a (installs missing Debian packages)
#   make test       run every test; ends with "N passed, N failed"
#   make SANITIZE=1 test   the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make demo       the default demo (headless): a spiking agent learns the labyrinth,
#                   writes runs/labyrinth_fewshot-<date>-<time>/
#   make bench      benchmark tables (bench/results.md), with the Brian2 peer
#   make bench-tasks  the agents' task scripts in full (labyrinth, Dyna maze, water maze, T-maze
#                   reversals, baselines), each into runs/<script>-<date>-<time>/ (about 30 min)
#   make deps       install the Debian packages soma needs (a no-op when present)
#   make MPI=1      build/mpi/soma with MPI, for mpirun -np R soma sweep ...

SANITIZE ?= 0
MPI ?= 0
CC := gcc
# make MPI=1: soma sweep spreads points over mpirun's ranks (app/sweep_mpi.c, OpenMPI's mpicc)
ifeq ($(MPI),1)
  CC := mpicc
  OUT ?= build/mpi
endif
ifeq ($(SANITIZE),1)
  OUT ?= build/san
  OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
else
  OUT ?= build/rel
  OPT := -O3 -march=native -g
endif

# sim/, nets/, envs/, agents/, joint/ build without Lua or SDL include paths, so the layers
# stay apart: an #include <lua.h> there fails to compile.
# -ffp-contract=fast: FMAs (-std=c11 turns them off); -fno-trapping-math lets conditional
# updates vectorise (threshold, reset). Neither changes results between thread counts.
CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unknown-pragmas -fopenmp -I. \
  -ffp-contract=fast -fno-trapping-math -fno-math-errno $(OPT) -MMD -MP $(if $(filter 1,$(MPI)),-DSOMA_MPI)
APP_CFLAGS = $(CFLAGS) $(shell pkg-config --cflags lua5.4 sdl2 SDL2_ttf libpng 2>/dev/null) \
  -DSOMA_GIT_REV='"$(GIT_REV)"'
GIT_REV := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
LDLIBS := -fopenmp -lgsl -lgslcblas -lnettle -lm
APP_LDLIBS = $(LDLIBS) $(shell pkg-config --libs lua5.4 sdl2 SDL2_ttf libpng 2>/dev/null)
ifeq ($(SANITIZE),1)
  LDLIBS += -fsanitize=address,undefined
endif

LIB_SRC := $(wildcard sim/*.c nets/*.c envs/*.c agents/*.c joint/*.c)
APP_SRC := $(filter-out $(if $(filter 1,$(MPI)),,app/sweep_mpi.c),$(wildcard app/*.c))
TEST_SRC := $(wildcard tests/test_*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(OUT)/%.o)
APP_OBJ := $(APP_SRC:%.c=$(OUT)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(OUT)/tests/%)
LIB := $(OUT)/libsoma.a
SOMA := $(OUT)/soma
DEPS_OK := build/.deps-ok

.PHONY: all deps test demo bench bench-tasks clean
all: bin/soma

deps:
	@tools/deps.sh

$(DEPS_OK): tools/deps.sh
	@mkdir -p build && tools/deps.sh && touch $@

$(OUT)/app/%.o: app/%.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(APP_CFLAGS) -c $< -o $@

$(OUT)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SOMA): $(APP_OBJ) $(LIB)
	$(CC) $(APP_OBJ) $(LIB) $(APP_LDLIBS) -o $@

# bin/soma is the default (release) build; other builds (SANITIZE=1, OUT=...) stay in $(OUT).
# It is replaced by a rename, so a soma still running keeps its file.
bin/soma: $(SOMA)
	@mkdir -p bin
	@if [ "$(OUT)" = build/rel ]; then cp $(SOMA) $@.tmp && mv -f $@.tmp $@; fi

$(OUT)/tests/%: tests/%.c tests/harness.h tests/fixtures.h $(LIB) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(LIB) $(LDLIBS) -o $@

test: $(TEST_BIN) $(SOMA)
	@SOMA=$(SOMA) OUT=$(OUT) SANITIZE=$(SANITIZE) tests/run.sh $(TEST_BIN)

demo: bin/soma
	bin/soma run scripts/labyrinth_fewshot.lua --set demo=true

$(OUT)/bench_models: bench/micro_models.c $(LIB)
	$(CC) $(CFLAGS) $< $(LIB) $(LDLIBS) -o $@

$(OUT)/bench_worlds: bench/micro_worlds.c $(LIB)
	$(CC) $(CFLAGS) $< $(LIB) $(LDLIBS) -o $@

$(OUT)/bench_contrastive: bench/micro_contrastive.c tests/joint_track.h $(LIB)
	$(CC) $(CFLAGS) $< $(LIB) $(LDLIBS) -o $@

bench: bin/soma $(OUT)/bench_models $(OUT)/bench_worlds $(OUT)/bench_contrastive
	$(OUT)/bench_models
	@mkdir -p bench/out
	$(OUT)/bench_worlds | tee bench/out/worlds.md
	$(OUT)/bench_contrastive 1000 1 1 5 | tee bench/out/contrastive.md
	$(OUT)/bench_contrastive 1000 1 2 5 | tee -a bench/out/contrastive.md
	bench/run.sh

TASKS := labyrinth_fewshot dyna_maze water_maze tmaze_reversal bandit_reversal motor_adaptation baselines_dyna
bench-tasks: bin/soma
	@for t in $(TASKS); do echo "== $$t"; bin/soma run scripts/$$t.lua || exit 1; done

clean:
	rm -rf build bin

-include $(LIB_OBJ:.o=.d) $(APP_OBJ:.o=.d)

# ---- fuzzing (tests/fuzz/): libFuzzer targets built with clang -------------------------------
#   make fuzz              runs every target for FUZZ_SECONDS (default 60) each; new inputs go to
#                          build/fuzz/corpus/<target>/, crashes to build/fuzz/crashes/
#   make fuzz-build        only builds them (tests/test_fuzz.sh runs each briefly in make test)
# The library and app sources are rebuilt with clang's coverage instrumentation and ASan+UBSan
# into build/fuzz/obj/; each target links them with -fsanitize=fuzzer.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_OUT := build/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wno-unknown-pragmas -Wno-pass-failed -fopenmp -I. \
  -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -MMD -MP \
  $(shell pkg-config --cflags lua5.4 sdl2 SDL2_ttf libpng 2>/dev/null)
FUZZ_LDLIBS = -fopenmp -lgsl -lgslcblas -lnettle -lm \
  $(shell pkg-config --libs lua5.4 sdl2 SDL2_ttf libpng 2>/dev/null)
FUZZ_SRC := $(wildcard tests/fuzz/*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_OUT)/%)
FUZZ_OBJ := $(LIB_SRC:%.c=$(FUZZ_OUT)/obj/%.o) \
  $(filter-out %/main.o %/sweep_mpi.o,$(APP_SRC:%.c=$(FUZZ_OUT)/obj/%.o))

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BIN)

$(FUZZ_OUT)/obj/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -DSOMA_GIT_REV='"fuzz"' -c $< -o $@

$(FUZZ_OUT)/libsoma_fuzz.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_OUT)/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_OUT)/libsoma_fuzz.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_OUT)/libsoma_fuzz.a $(FUZZ_LDLIBS) -o $@

fuzz: $(FUZZ_BIN)
	@FUZZ_OUT=$(FUZZ_OUT) tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

-include $(FUZZ_OBJ:.o=.d) $(FUZZ_BIN:=.d)
