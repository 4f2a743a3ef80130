/* map.c — reads grid maps from text (the legend is in map.h): checks every byte and reports
 * the first problem as file:line:col, then finds shortest-path distances by breadth-first
 * search and the tree of corridors of a branching maze (the labyrinth's nodes and levels). */
#include "envs/map.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_BYTES (16u << 20)
#define MAX_TREE_DEPTH 24

static const int step_col[4] = {0, -1, 1, 0};   /* north, west, east, south: the tree's order */
static const int step_row[4] = {-1, 0, 0, 1};

/* The code of a map character, or -1 when the legend has none. */
static int cell_code(unsigned char c) {
  switch (c) {
  case '#': return SOMA_CELL_WALL;
  case '.': case 'S': case 'G': case 'W': return SOMA_CELL_FLOOR;
  case 'H': return SOMA_CELL_HOME;
  case 'x': return SOMA_CELL_HAZARD;
  default: return c >= 'a' && c <= 'z' ? SOMA_CELL_CUE + (c - 'a') : -1;
  }
}

static const char legend[] =
    "# wall, . floor, S start, G goal, W water (goal), H home, x hazard, a-w y z cues";

void soma_map_destroy(soma_map *m) {
  if (!m) return;
  free(m->cell);
  free(m->glyph);
  free(m->line);
  free(m->file);
  free(m->node);
  free(m);
}

int soma_map_open(const soma_map *m, int col, int row) {
  return col >= 0 && row >= 0 && col < m->w && row < m->h && m->cell[row * m->w + col] != SOMA_CELL_WALL;
}

void soma_map_where(const soma_map *m, int col, int row, char *buf, size_t len) {
  int line = row >= 0 && row < m->h ? m->line[row] : 0;
  snprintf(buf, len, "%s:%d:%d", m->file, line, col + 1);
}

int soma_map_distances(const soma_map *m, int to, int32_t *dist) {
  size_t n = (size_t)m->w * (size_t)m->h;
  for (size_t i = 0; i < n; i++) dist[i] = -1;
  if (to < 0 || (size_t)to >= n || m->cell[to] == SOMA_CELL_WALL) return 0;
  int32_t *queue = malloc(sizeof *queue * n);
  if (!queue) return 1;
  size_t head = 0, tail = 0;
  dist[to] = 0;
  queue[tail++] = to;
  while (head < tail) {
    int c = queue[head++], col = c % m->w, row = c / m->w;
    for (int d = 0; d < 4; d++) {
      int nc = col + step_col[d], nr = row + step_row[d], k = nr * m->w + nc;
      if (soma_map_open(m, nc, nr) && dist[k] < 0) {
        dist[k] = dist[c] + 1;
        queue[tail++] = k;
      }
    }
  }
  free(queue);
  return 0;
}

/* ---- the tree of a branching maze ------------------------------------------------------ */

/* 1 when cell i is home: an H cell, or the start when it touches one. */
static int is_home(const soma_map *m, int i) {
  if (m->cell[i] == SOMA_CELL_HOME) return 1;
  if (i != m->start) return 0;
  int col = i % m->w, row = i / m->w;
  for (int d = 0; d < 4; d++) {
    int nc = col + step_col[d], nr = row + step_row[d];
    if (soma_map_open(m, nc, nr) && m->cell[nr * m->w + nc] == SOMA_CELL_HOME) return 1;
  }
  return 0;
}

static int is_corridor(const soma_map *m, int col, int row) {
  return soma_map_open(m, col, row) && !is_home(m, row * m->w + col);
}

static int touches_home(const soma_map *m, int i) {
  int col = i % m->w, row = i / m->w;
  for (int d = 0; d < 4; d++) {
    int nc = col + step_col[d], nr = row + step_row[d];
    if (soma_map_open(m, nc, nr) && is_home(m, nr * m->w + nc)) return 1;
  }
  return 0;
}

/* The corridor neighbours of cell i other than `from`, in the tree's order; returns how many. */
static int ways_on(const soma_map *m, int i, int from, int out[4]) {
  int col = i % m->w, row = i / m->w, k = 0;
  for (int d = 0; d < 4; d++) {
    int nc = col + step_col[d], nr = row + step_row[d], j = nr * m->w + nc;
    if (j != from && is_corridor(m, nc, nr)) out[k++] = j;
  }
  return k;
}

/* The entry of the tree, or -1 when the map cannot be one. */
static int tree_entry(const soma_map *m) {
  int n = m->w * m->h, entry = -1, any_home = 0, ways[4];
  for (int i = 0; i < n; i++) {
    if (m->cell[i] == SOMA_CELL_HOME) any_home = 1;
    if (is_corridor(m, i % m->w, i / m->w) && touches_home(m, i)) {
      if (entry >= 0) return -1;   /* two ways into the home area: a loop through it */
      entry = i;
    }
  }
  if (!any_home) entry = m->start;
  if (entry < 0 || ways_on(m, entry, -1, ways) != 1) return -1;
  return entry;
}

/* Labels the runs from the entry; returns 0 when the corridors form a binary tree. */
static int label_tree(soma_map *m, int entry) {
  /* pending runs: each junction takes one and adds two, so depth + 2 entries suffice */
  struct pending { int cell, from, id, level; } stack[2 * MAX_TREE_DEPTH + 4];
  int top = 0, ways[4];
  stack[top++] = (struct pending){entry, -1, 0, 0};
  while (top > 0) {
    int cur = stack[top - 1].cell, from = stack[top - 1].from, id = stack[top - 1].id,
        level = stack[top - 1].level;
    top--;
    m->n_nodes++;
    if (level > m->depth) m->depth = level;
    for (;;) {
      if (m->node[cur] >= 0) return 1;                      /* a loop */
      if (cur != entry && touches_home(m, cur)) return 1;   /* back into the home area */
      m->node[cur] = id;
      int k = ways_on(m, cur, from, ways);
      if (k == 0) {
        m->n_leaves++;
        break;
      }
      if (k == 1) {
        from = cur;
        cur = ways[0];
        continue;
      }
      if (k > 2 || level + 1 > MAX_TREE_DEPTH) return 1;   /* a crossing, or too deep */
      stack[top++] = (struct pending){ways[1], cur, 2 * id + 2, level + 1};
      stack[top++] = (struct pending){ways[0], cur, 2 * id + 1, level + 1};
      break;
    }
  }
  return 0;
}

static void find_tree(soma_map *m) {
  int n = m->w * m->h, entry = tree_entry(m);
  if (entry >= 0 && !label_tree(m, entry)) return;
  for (int i = 0; i < n; i++) m->node[i] = -1;
  m->n_nodes = m->n_leaves = m->depth = 0;
}

/* ---- parsing --------------------------------------------------------------------------- */

/* One line of the text: bytes [start, start + len) without the '\n' or a final "\r\n". */
typedef struct {
  size_t start, len;
  int number;
} text_line;

static int next_line(const char *text, size_t n, size_t *pos, text_line *l) {
  if (*pos >= n) return 0;
  const char *nl = memchr(text + *pos, '\n', n - *pos);
  size_t end = nl ? (size_t)(nl - text) : n;
  l->start = *pos;
  l->len = end - *pos;
  if (nl && l->len > 0 && text[end - 1] == '\r') l->len--;
  l->number++;
  *pos = nl ? end + 1 : n;
  return 1;
}

static int printable(unsigned char c) { return c >= 0x20 && c < 0x7f; }

/* Checks a comment line: any text (UTF-8 too), but no control characters. */
static int check_comment(const char *text, const text_line *l, const char *file, char *err,
                         size_t len) {
  for (size_t i = 0; i < l->len; i++) {
    unsigned char c = (unsigned char)text[l->start + i];
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      snprintf(err, len, "%s:%d:%zu: non-printable byte 0x%02x in a comment", file, l->number,
               i + 1, c);
      return 1;
    }
  }
  return 0;
}

/* Where the start and the goal were seen. */
typedef struct {
  int line, col, row;   /* col 0-based; line 0: not seen */
  char glyph;
} sighting;

/* Checks a row of cells: its bytes, its width, start and goal characters. */
static int check_row(const char *text, const text_line *l, int row, int width, int width_line,
                     sighting *start, sighting *goal, const char *file, char *err, size_t len) {
  for (size_t i = 0; i < l->len; i++) {
    unsigned char c = (unsigned char)text[l->start + i];
    int col = (int)i + 1;
    if (width >= 0 && col > width) break;   /* ragged: reported below */
    if (i >= SOMA_MAP_MAX) {
      snprintf(err, len, "%s:%d:%d: the map is wider than %d cells", file, l->number, col,
               SOMA_MAP_MAX);
      return 1;
    }
    if (!printable(c)) {
      snprintf(err, len, "%s:%d:%d: non-printable byte 0x%02x (maps are ASCII text)", file,
               l->number, col, c);
      return 1;
    }
    if (cell_code(c) < 0) {
      snprintf(err, len, "%s:%d:%d: unknown cell '%c' (legend: %s)", file, l->number, col, c,
               legend);
      return 1;
    }
    sighting *s = c == 'S' ? start : c == 'G' || c == 'W' ? goal : NULL;
    if (s && s->line) {
      snprintf(err, len, "%s:%d:%d: more than one %s ('%c'; the first is at %d:%d)", file,
               l->number, col, s == start ? "start" : "goal", c, s->line, s->col + 1);
      return 1;
    }
    if (s) *s = (sighting){l->number, (int)i, row, (char)c};
  }
  if (width >= 0 && (int)l->len != width) {
    int shorter = (int)l->len < width ? (int)l->len : width;
    snprintf(err, len,
             "%s:%d:%d: ragged map: this row is %zu cells wide, expected %d like the row at line %d",
             file, l->number, shorter + 1, l->len, width, width_line);
    return 1;
  }
  return 0;
}

static soma_map *out_of_memory(soma_map *m, char *err, size_t len) {
  soma_map_destroy(m);
  snprintf(err, len, "out of memory");
  return NULL;
}

soma_map *soma_map_parse(const char *text, size_t n, const char *file, char *err, size_t len) {
  if (!file) file = "(map)";
  if (!text) n = 0;
  if (n > MAX_FILE_BYTES) {   /* also keeps line numbers within an int */
    snprintf(err, len, "%s: map text of %zu bytes is larger than %u MB", file, n, MAX_FILE_BYTES >> 20);
    return NULL;
  }
  /* pass 1: check every line, remember where the rows are */
  size_t *row_start = malloc(sizeof *row_start * SOMA_MAP_MAX);
  int *row_line = malloc(sizeof *row_line * SOMA_MAP_MAX);
  if (!row_start || !row_line) {
    free(row_start);
    free(row_line);
    snprintf(err, len, "out of memory");
    return NULL;
  }
  int rows = 0, width = -1, blank_line = 0, bad = 0;
  sighting start = {0}, goal = {0};
  size_t pos = 0;
  text_line l = {0, 0, 0};
  while (!bad && next_line(text, n, &pos, &l)) {
    if (l.len > 0 && text[l.start] == ';') {
      bad = check_comment(text, &l, file, err, len);
      continue;
    }
    if (l.len == 0) {
      if (rows > 0 && !blank_line) blank_line = l.number;
      continue;
    }
    if (blank_line) {
      snprintf(err, len,
               "%s:%d:1: blank line inside the map (rows must follow each other; comments start "
               "with ';')",
               file, blank_line);
      bad = 1;
    } else if (rows == SOMA_MAP_MAX) {
      snprintf(err, len, "%s:%d:1: the map is taller than %d rows", file, l.number, SOMA_MAP_MAX);
      bad = 1;
    } else {
      bad = check_row(text, &l, rows, width, rows ? row_line[0] : 0, &start, &goal, file, err, len);
      if (width < 0) width = (int)l.len;
      row_start[rows] = l.start;
      row_line[rows++] = l.number;
    }
  }
  int first = rows ? row_line[0] : 1;
  if (!bad && (rows == 0 || !start.line || !goal.line)) {
    if (rows == 0)
      snprintf(err, len, "%s:1:1: empty map: no rows of cells (legend: %s)", file, legend);
    else if (!start.line)
      snprintf(err, len, "%s:%d:1: no start: the map needs one 'S' cell", file, first);
    else
      snprintf(err, len, "%s:%d:1: no goal: the map needs one 'G' (or 'W') cell", file, first);
    bad = 1;
  }
  if (bad) {
    free(row_start);
    free(row_line);
    return NULL;
  }

  /* pass 2: fill the map */
  soma_map *m = calloc(1, sizeof *m);
  if (!m) {
    free(row_start);
    free(row_line);
    return out_of_memory(NULL, err, len);
  }
  size_t cells = (size_t)width * (size_t)rows;
  m->w = width;
  m->h = rows;
  m->line = row_line;
  m->cell = malloc(cells);
  m->glyph = malloc(cells);
  m->node = malloc(sizeof *m->node * cells);
  m->file = strdup(file);
  int32_t *dist = malloc(sizeof *dist * cells);
  if (!m->cell || !m->glyph || !m->node || !m->file || !dist) {
    free(row_start);
    free(dist);
    return out_of_memory(m, err, len);
  }
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < width; c++) {
      unsigned char g = (unsigned char)text[row_start[r] + (size_t)c];
      m->glyph[r * width + c] = (char)g;
      m->cell[r * width + c] = (uint8_t)cell_code(g);
      m->node[r * width + c] = -1;
    }
  free(row_start);
  m->start = start.row * width + start.col;
  m->goal = goal.row * width + goal.col;

  if (soma_map_distances(m, m->goal, dist)) {
    free(dist);
    return out_of_memory(m, err, len);
  }
  int reachable = dist[m->start] >= 0;
  free(dist);
  if (!reachable) {
    snprintf(err, len, "%s:%d:%d: the goal '%c' cannot be reached from the start at %d:%d", file,
             goal.line, goal.col + 1, goal.glyph, start.line, start.col + 1);
    soma_map_destroy(m);
    return NULL;
  }
  find_tree(m);
  return m;
}

soma_map *soma_map_load(const char *path, char *err, size_t len) {
  FILE *f = path ? fopen(path, "rb") : NULL;
  if (!f) {
    snprintf(err, len, "cannot open map '%s': %s", path ? path : "(null)",
             path ? strerror(errno) : "no file name");
    return NULL;
  }
  size_t cap = 1 << 16, n = 0;
  char *text = malloc(cap);
  while (text) {
    n += fread(text + n, 1, cap - n, f);
    if (n < cap || cap >= MAX_FILE_BYTES + 1) break;
    size_t grown = cap * 2 > MAX_FILE_BYTES + 1 ? MAX_FILE_BYTES + 1 : cap * 2;
    char *t = realloc(text, grown);
    if (!t) free(text);
    text = t;
    cap = grown;
  }
  int failed = ferror(f);
  fclose(f);
  soma_map *m = NULL;
  if (!text)
    snprintf(err, len, "out of memory reading map '%s'", path);
  else if (failed)
    snprintf(err, len, "cannot read map '%s'", path);
  else if (n > MAX_FILE_BYTES)
    snprintf(err, len, "map '%s' is larger than %u MB", path, MAX_FILE_BYTES >> 20);
  else
    m = soma_map_parse(text, n, path, err, len);
  free(text);
  return m;
}
