/*
 * literal.c: the writer of libconfig literals, for every file this program writes in
 * libconfig's syntax: the printout of a scenario (print.c), manifests (output's
 * manifest.c) and sweep.cfg (sweep's design.c). Reals have theirs in print.c
 * (sc_format_real). Written by hand because libconfig's writer works only on its own
 * tree and fixes a layout of its own; the one reader of such text is sim/conf.
 */
#include <assert.h>
#include <stdio.h>

#include "unrest/params.h"

int ur_config_string_write(FILE *stream, const char *text)
{
	assert(stream && text);
	if (putc('"', stream) == EOF)
		return -1;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		int ok;
		if (*p == '"' || *p == '\\')
			ok = fprintf(stream, "\\%c", *p) >= 0;
		else if (*p == '\n')
			ok = fputs("\\n", stream) >= 0;
		else if (*p == '\t')
			ok = fputs("\\t", stream) >= 0;
		else if (*p == '\r')
			ok = fputs("\\r", stream) >= 0;
		else if (*p < 0x20 || *p == 0x7f)
			ok = fprintf(stream, "\\x%02x", *p) >= 0;
		else
			ok = putc(*p, stream) != EOF;
		if (!ok)
			return -1;
	}
	return putc('"', stream) == EOF ? -1 : 0;
}
