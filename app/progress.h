/* progress.h — the progress display of long runs: on a terminal one line redrawn a few times
 * a second (simulated time, percentage of the current run, speed as simulated/real time,
 * ETA); otherwise a plain line every few seconds, for logs. */
#ifndef SOMA_PROGRESS_H
#define SOMA_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

typedef struct progress progress;

/* tty: redraw one line in place; else print plain lines every `every_s` seconds. With out
 * NULL nothing is printed, but the state is kept for progress_describe (the window). */
progress *progress_create(FILE *out, int tty, double every_s);
void progress_destroy(progress *p);

/* A network starts a run from t0_ms to end_ms; then reports reaching t_ms. */
void progress_run(progress *p, double t0_ms, double end_ms);
void progress_time(progress *p, double t_ms);
/* done of total units (episodes, trials) are finished; unit names them. */
void progress_count(progress *p, double done, double total, const char *unit);
/* The status line now (at most 256 bytes), into line. */
const char *progress_describe(progress *p, char *line, size_t size);
/* Erases the line (before other output is printed, and at the end). */
void progress_clear(progress *p);

#endif
