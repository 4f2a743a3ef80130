/* map.h — grid maps read from text (maps/<name>.txt): parsing with messages that name
 * file:line:col, shortest-path distances, and the tree of corridors of a branching maze.
 * Pure data: no world state, no drawing; any byte sequence gives a map or an error.
 *
 * Map legend (one character per cell; lines starting with ';' are comments):
 *
 *   #        wall
 *   .        floor
 *   S        start (floor; exactly one)
 *   G        goal (floor; exactly one goal, G or W): reaching it pays and ends the episode
 *   W        water: the goal, as in the labyrinth's water port
 *   H        home area (floor): the cage a maze is entered from; outside the maze's tree
 *   x        hazard (floor): each step that ends on it pays the world's `hazard` (negative)
 *   a-w, y, z  cues (floor): landmarks that the view observation shows by their own codes
 *
 * Every row has the same width (at most SOMA_MAP_MAX cells, and at most SOMA_MAP_MAX rows);
 * blank lines may come before and after the rows, not between them. The goal must be reachable
 * from the start through floor cells (up, down, left, right).
 *
 * Cell codes (soma_map.cell and the grid world's view observation): 0 floor (start included),
 * 1 wall (and outside the map), 2 goal, 3 hazard, 4 home, 5 + k for cue letter k
 * (a = 5, b = 6, ..., w = 27, y = 29, z = 30). The map stores the goal's cell as floor and
 * its index in `goal`: the world may move it. */
#ifndef SOMA_MAP_H
#define SOMA_MAP_H

#include <stddef.h>
#include <stdint.h>

#define SOMA_MAP_MAX 1024

enum {
  SOMA_CELL_FLOOR = 0,
  SOMA_CELL_WALL = 1,
  SOMA_CELL_GOAL = 2,
  SOMA_CELL_HAZARD = 3,
  SOMA_CELL_HOME = 4,
  SOMA_CELL_CUE = 5,        /* + letter index: SOMA_CELL_CUE + ('c' - 'a') */
  SOMA_CELL_MAX_CODE = SOMA_CELL_CUE + 25
};

/* A parsed map. Cells are indexed row * w + col, row 0 at the top (north). */
typedef struct soma_map {
  int w, h;
  uint8_t *cell;     /* w * h cell codes; the start and goal cells are floor */
  char *glyph;       /* w * h characters as written in the file */
  int start, goal;   /* cell indices */
  int *line;         /* h: the file line of each row, for messages */
  char *file;        /* the name messages use */
  /* The tree of a branching maze (see soma_map_parse); n_nodes = 0 when the map is none. */
  int32_t *node;     /* w * h: the tree node (run) containing the cell, or -1 */
  int n_nodes;       /* runs found */
  int n_leaves;      /* runs ending in a dead end (end nodes) */
  int depth;         /* the deepest level (the entry run is level 0) */
} soma_map;

/* Parses n bytes of map text (at most 16 MB); file names it in messages
 * ("maps/t.txt:4:12: unknown cell 'Q'"). Returns the map, or NULL with a message in err (also
 * on running out of memory).
 *
 * It also finds the tree when the map is one: the corridors are the floor outside the home
 * area (H cells, and S when it touches one). The entry is the one corridor cell next to the
 * home area, or S when there is no home area; it must be a dead end of the corridors. From
 * there each run follows the corridor to a junction (a cell with two ways on, which ends the
 * run) or a dead end (an end node). The entry run is node 0; the runs leaving the junction that
 * ends node k are 2k+1 and 2k+2, in the order north, west, east, south. A crossing (three ways
 * on), a loop, a second way into the home area or more than 24 levels mean no tree. */
soma_map *soma_map_parse(const char *text, size_t n, const char *file, char *err, size_t len);

/* Reads a map file (at most 16 MB) and parses it, naming it path in messages. */
soma_map *soma_map_load(const char *path, char *err, size_t len);

void soma_map_destroy(soma_map *m);

/* 1 when (col, row) is inside the map and not a wall. */
int soma_map_open(const soma_map *m, int col, int row);

/* Fills dist (w * h) with the number of steps from each cell to cell `to` through open cells,
 * -1 where it cannot be reached. Returns 0, or 1 when out of memory. */
int soma_map_distances(const soma_map *m, int to, int32_t *dist);

/* Writes "file:line:col" of a cell, for messages. */
void soma_map_where(const soma_map *m, int col, int row, char *buf, size_t len);

#endif
