/* sweep_mpi.c — soma sweep across MPI ranks (built only with `make MPI=1`, against OpenMPI).
 *
 * Rank 0 owns the queue of points: a rank with a free slot asks it for the next point (so fast
 * ranks take more: dynamic load balancing), runs it as a child process like any sweep, and
 * reports how it ended; rank 0 runs points too and writes the table. Every wait is a test and
 * a 1 ms nap, never a busy loop, so ranks sharing a core with their points leave it to them. */
#include <mpi.h>
#include <stdlib.h>
#include <time.h>

#include "app/sweep.h"

enum { TAG_REQ = 1, TAG_TASK = 2, TAG_REPORT = 3, TAG_BYE = 4, TAG_BCAST = 5 };

static int g_on, g_rank, g_size, g_byes;

static void nap(void) {
  struct timespec ts = {0, 1000000};
  nanosleep(&ts, NULL);
}

static void wait_for(MPI_Request *r) {
  for (;;) {
    int done = 0;
    MPI_Test(r, &done, MPI_STATUS_IGNORE);
    if (done) return;
    nap();
  }
}

static void send_ints(int *v, int n, int to, int tag) {
  MPI_Request r;
  MPI_Isend(v, n, MPI_INT, to, tag, MPI_COMM_WORLD, &r);
  wait_for(&r);
}

static void recv_ints(int *v, int n, int from, int tag) {
  MPI_Request r;
  MPI_Irecv(v, n, MPI_INT, from, tag, MPI_COMM_WORLD, &r);
  wait_for(&r);
}

int sweep_mpi_init(int *rank) {
  *rank = 0;
  const char *s = getenv("OMPI_COMM_WORLD_SIZE");
  if (!s) s = getenv("PMI_SIZE");
  if (!s || atoi(s) <= 1) return 1;   /* not under mpirun: a plain sweep */
  MPI_Init(NULL, NULL);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  g_on = 1;
  *rank = g_rank;
  return g_size;
}

void sweep_mpi_bcast(int *v) {
  if (!g_on) return;
  if (g_rank == 0)
    for (int r = 1; r < g_size; r++) send_ints(v, 1, r, TAG_BCAST);
  else
    recv_ints(v, 1, 0, TAG_BCAST);
}

int sweep_mpi_request(void) {
  int index = -1, zero = 0;
  send_ints(&zero, 1, 0, TAG_REQ);
  recv_ints(&index, 1, 0, TAG_TASK);
  return index;
}

void sweep_mpi_report(int index, int state) {
  int msg[2] = {index, state};
  send_ints(msg, 2, 0, TAG_REPORT);
}

void sweep_mpi_bye(void) {
  int zero = 0;
  send_ints(&zero, 1, 0, TAG_BYE);
}

int sweep_mpi_serve(int (*next)(void *), void (*report)(void *, int, int), void *ctx) {
  for (;;) {
    int flag = 0, buf[2] = {0, 0};
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    if (!flag) break;
    if (st.MPI_TAG != TAG_REQ && st.MPI_TAG != TAG_REPORT && st.MPI_TAG != TAG_BYE) break;
    MPI_Recv(buf, 2, MPI_INT, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (st.MPI_TAG == TAG_REQ) {
      int index = next(ctx);
      send_ints(&index, 1, st.MPI_SOURCE, TAG_TASK);
    } else if (st.MPI_TAG == TAG_REPORT) {
      report(ctx, buf[0], buf[1]);
    } else {
      g_byes++;
    }
  }
  return g_byes;
}

void sweep_mpi_finalize(void) {
  if (g_on) MPI_Finalize();
  g_on = 0;
}

void sweep_mpi_abort(int code) {
  if (g_on) MPI_Abort(MPI_COMM_WORLD, code);
}
