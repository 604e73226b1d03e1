/*
 * text.c: checks on the bytes of a libconfig file (scenario, sweep file, manifest)
 * before libconfig parses them.
 *
 * libconfig 1.5 stops at a NUL byte without a word, follows `@include` to any file,
 * and keeps only the low 32 bits of an integer literal without the L suffix
 * (3000000000 reads as -1294967296). This scanner walks the text with libconfig's own
 * lexical rules (scanner.l: strings, comments, names, numbers) so that the loader can
 * refuse the first two with a line number and give the third its true value.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

static bool is_name_start(unsigned char c)
{
	return isalpha(c) || c == '*';
}

static bool is_name_char(unsigned char c)
{
	return isalnum(c) || c == '*' || c == '_' || c == '-';
}

/* Length of the UTF-8 sequence at s (at most n bytes), or 0 when it is not one. */
static size_t utf8_length(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		cp = s[0] & 0x1Fu;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		cp = s[0] & 0x0Fu;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3Fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

size_t cf_utf8_check(const char *text, size_t len, unsigned long *line)
{
	const unsigned char *t = (const unsigned char *)text;
	*line = 1;
	for (size_t k = 0; k < len;) {
		size_t l = utf8_length(t + k, len - k);
		if (l == 0)
			return k;
		*line += t[k] == '\n';
		k += l;
	}
	return len;
}

bool cf_int_literal_fits(const char *text, bool is64)
{
	const char *s = text;
	char *end;
	bool negative = false;
	unsigned long long max = is64 ? (unsigned long long)LLONG_MAX : (unsigned long long)INT_MAX;
	unsigned long long v;

	if (*s == '+' || *s == '-')
		negative = *s++ == '-';
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return (v = strtoull(s + 2, &end, 16), errno == 0) && !negative && v <= max;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return false;
	return negative ? v <= max + 1 : v <= max;
}

static int add_wide(struct cf_text_scan *scan, size_t *capacity, unsigned line,
		    unsigned ordinal, bool is64, const char *start, size_t len)
{
	struct cf_int_literal *lit;

	if (scan->nwide == *capacity) {
		size_t cap = *capacity ? 2 * *capacity : 8;
		struct cf_int_literal *w = realloc(scan->wide, cap * sizeof *w);
		if (!w)
			return -1;
		scan->wide = w;
		*capacity = cap;
	}
	lit = &scan->wide[scan->nwide++];
	lit->line = line;
	lit->ordinal = ordinal;
	lit->is64 = is64;
	if (len >= sizeof lit->text)
		len = sizeof lit->text - 1;
	memcpy(lit->text, start, len);
	lit->text[len] = '\0';
	return 0;
}

/* A number token at text[i] by libconfig's rules; sets *is_int and its end. */
static size_t number_end(const char *t, size_t i, size_t n, bool *is_int)
{
	size_t j = i;
	bool any_digit = false;

	*is_int = false;
	if (j < n && (t[j] == '+' || t[j] == '-'))
		j++;
	if (j + 1 < n && t[j] == '0' && (t[j + 1] == 'x' || t[j + 1] == 'X') &&
	    j + 2 < n && isxdigit((unsigned char)t[j + 2])) {
		j += 2;
		while (j < n && isxdigit((unsigned char)t[j]))
			j++;
		*is_int = t[i] != '+' && t[i] != '-';
		return j;
	}
	while (j < n && isdigit((unsigned char)t[j])) {
		j++;
		any_digit = true;
	}
	if (j < n && t[j] == '.') {
		j++;
		while (j < n && isdigit((unsigned char)t[j]))
			j++;
		any_digit = true;
	}
	if (j < n && (t[j] == 'e' || t[j] == 'E') && any_digit) {
		size_t k = j + 1;
		if (k < n && (t[k] == '+' || t[k] == '-'))
			k++;
		if (k < n && isdigit((unsigned char)t[k])) {
			while (k < n && isdigit((unsigned char)t[k]))
				k++;
			return k;
		}
	}
	if (any_digit && memchr(t + i, '.', j - i) == NULL)
		*is_int = true;
	return j;
}

int cf_scan_text(const char *text, size_t len, struct cf_text_scan *scan)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t capacity = 0, i = 0;
	unsigned line = 1, ordinal = 0, ordinal_line = 0;
	bool line_start = true;

	*scan = (struct cf_text_scan){ .blank = true };

	/* Bytes first: a control byte or broken UTF-8 anywhere stops everything. */
	for (size_t k = 0; k < len;) {
		size_t l;
		if (t[k] == '\n') {
			line++;
			k++;
			continue;
		}
		if ((t[k] < 0x20 && t[k] != '\t' && t[k] != '\r' && t[k] != '\f' &&
		     t[k] != '\v') || t[k] == 0x7F) {
			scan->problem = CF_TEXT_BINARY;
			scan->problem_line = line;
			scan->problem_byte = t[k];
			return 0;
		}
		l = utf8_length(t + k, len - k);
		if (l == 0) {
			scan->problem = CF_TEXT_ENCODING;
			scan->problem_line = line;
			scan->problem_byte = t[k];
			return 0;
		}
		if (!isspace(t[k]))
			scan->blank = false;
		k += l;
	}

	line = 1;
	while (i < len) {
		unsigned char c = t[i];
		if (c == '\n') {
			line++;
			line_start = true;
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			i++;
			continue;
		}
		if (c == '@' && line_start && len - i >= 8 && memcmp(t + i, "@include", 8) == 0) {
			scan->problem = CF_TEXT_INCLUDE;
			scan->problem_line = line;
			return 0;
		}
		line_start = false;
		if (c == '#' || (c == '/' && i + 1 < len && t[i + 1] == '/')) {
			while (i < len && t[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < len && t[i + 1] == '*') {
			i += 2;
			while (i < len && !(t[i] == '*' && i + 1 < len && t[i + 1] == '/')) {
				if (t[i] == '\n')
					line++;
				i++;
			}
			i = i < len ? i + 2 : len;
		} else if (c == '"') {
			i++;
			while (i < len && t[i] != '"') {
				if (t[i] == '\\' && i + 1 < len)
					i++;
				if (t[i] == '\n')
					line++;
				i++;
			}
			i++;
		} else if (is_name_start(c)) {
			while (i < len && is_name_char(t[i]))
				i++;
		} else if (isdigit(c) || ((c == '-' || c == '+' || c == '.') && i + 1 < len &&
					  (isdigit(t[i + 1]) || t[i + 1] == '.'))) {
			bool is_int;
			size_t end = number_end(text, i, len, &is_int);
			if (end == i)
				end = i + 1;
			if (is_int) {
				size_t suffix = end;
				char buf[48];
				size_t l = end - i < sizeof buf - 1 ? end - i : sizeof buf - 1;
				bool is64;

				while (suffix < len && t[suffix] == 'L' && suffix - end < 2)
					suffix++;
				is64 = suffix > end;
				memcpy(buf, text + i, l);
				buf[l] = '\0';
				if (line != ordinal_line) {
					ordinal = 0;
					ordinal_line = line;
				}
				if ((end - i >= sizeof buf - 1 || !cf_int_literal_fits(buf, is64)) &&
				    add_wide(scan, &capacity, line, ordinal, is64, text + i,
					     end - i) != 0)
					return -1;
				ordinal++;
				end = suffix;
			}
			i = end;
		} else {
			i++;
		}
	}
	return 0;
}

void cf_scan_finish(struct cf_text_scan *scan)
{
	free(scan->wide);
	scan->wide = NULL;
	scan->nwide = 0;
}

/* Makes the n bytes of text what libconfig can read, in place, and NUL-terminates
 * them; returns the new length. The buffer must hold n + 2 bytes. A UTF-8 byte-order
 * mark, as some editors write, would be a syntax error for libconfig: it is dropped
 * (it is not text). libconfig 1.5 also refuses a file whose last line is a // or #
 * comment with no line end: the text is given one. Line numbers do not change. */
size_t cf_tidy_text(char *text, size_t n)
{
	if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		memmove(text, text + 3, n - 3);
		n -= 3;
	}
	if (n > 0 && text[n - 1] != '\n')
		text[n++] = '\n';
	text[n] = '\0';
	return n;
}
