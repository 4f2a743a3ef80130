/* json.c — JSON strings and numbers. */
#include "json.h"

#include <math.h>

void soma_json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

void soma_json_num(FILE *f, double v) { soma_json_numf(f, "%.17g", v); }

void soma_json_numf(FILE *f, const char *fmt, double v) {
  if (isfinite(v)) fprintf(f, fmt, v);
  else fputs("null", f);
}
