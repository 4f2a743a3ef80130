/* json.h — writing JSON values: escaped strings, and numbers that stay valid JSON (null for
 * NaN and infinities). Used for meta.json, results and the bench report. */
#ifndef SOMA_JSON_H
#define SOMA_JSON_H

#include <stdio.h>

void soma_json_str(FILE *f, const char *s);
/* the shortest form that reads back as v exactly, or null when v is not finite */
void soma_json_num(FILE *f, double v);
/* with a printf format for the finite case, e.g. "%.4f" */
void soma_json_numf(FILE *f, const char *fmt, double v);

#endif
