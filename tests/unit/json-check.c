/* SPDX-License-Identifier: GPL-2.0-only */
#include "json-check.h"

#include <stdint.h>
#include <string.h>

struct p {
	const unsigned char *s;
	size_t n, i;
	unsigned depth;
};

static void ws(struct p *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
			       p->s[p->i] == '\n' || p->s[p->i] == '\r'))
		p->i++;
}

static bool lit(struct p *p, const char *w)
{
	size_t l = strlen(w);

	if (p->n - p->i < l || memcmp(p->s + p->i, w, l) != 0)
		return false;
	p->i += l;
	return true;
}

static bool digits(struct p *p)
{
	size_t st = p->i;

	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++;
	return p->i > st;
}

static bool number(struct p *p)
{
	if (p->i < p->n && p->s[p->i] == '-')
		p->i++;
	if (p->i < p->n && p->s[p->i] == '0')
		p->i++;
	else if (!digits(p))
		return false;
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (!digits(p))
			return false;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (!digits(p))
			return false;
	}
	return true;
}

static bool hex4(struct p *p, unsigned *v)
{
	*v = 0;
	for (int k = 0; k < 4; k++, p->i++) {
		unsigned c;

		if (p->i >= p->n)
			return false;
		c = p->s[p->i];
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else
			return false;
	}
	return true;
}

/* One UTF-8 sequence at p->i (not ASCII). */
static bool utf8(struct p *p)
{
	unsigned c = p->s[p->i];
	size_t len;
	uint32_t cp;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return false;
	if (p->n - p->i < len)
		return false;
	for (size_t k = 1; k < len; k++) {
		if ((p->s[p->i + k] & 0xc0) != 0x80)
			return false;
		cp = cp << 6 | (p->s[p->i + k] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return false;
	p->i += len;
	return true;
}

static bool string(struct p *p)
{
	if (p->i >= p->n || p->s[p->i] != '"')
		return false;
	p->i++;
	while (p->i < p->n) {
		unsigned c = p->s[p->i];
		unsigned v;

		if (c == '"') {
			p->i++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			p->i++;
			if (p->i >= p->n)
				return false;
			c = p->s[p->i++];
			if (c == 'u') {
				if (!hex4(p, &v))
					return false;
			} else if (!strchr("\"\\/bfnrt", (int)c) || c == 0) {
				return false;
			}
		} else if (c >= 0x80) {
			if (!utf8(p))
				return false;
		} else {
			p->i++;
		}
	}
	return false;
}

static bool value(struct p *p);

static bool container(struct p *p, char close)
{
	bool obj = close == '}';

	if (++p->depth > 512)
		return false;
	p->i++;
	ws(p);
	if (p->i < p->n && p->s[p->i] == (unsigned char)close) {
		p->i++;
		p->depth--;
		return true;
	}
	for (;;) {
		ws(p);
		if (obj) {
			if (!string(p))
				return false;
			ws(p);
			if (p->i >= p->n || p->s[p->i] != ':')
				return false;
			p->i++;
		}
		if (!value(p))
			return false;
		ws(p);
		if (p->i >= p->n)
			return false;
		if (p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->s[p->i] != (unsigned char)close)
			return false;
		p->i++;
		p->depth--;
		return true;
	}
}

static bool value(struct p *p)
{
	ws(p);
	if (p->i >= p->n)
		return false;
	switch (p->s[p->i]) {
	case '{':
		return container(p, '}');
	case '[':
		return container(p, ']');
	case '"':
		return string(p);
	case 't':
		return lit(p, "true");
	case 'f':
		return lit(p, "false");
	case 'n':
		return lit(p, "null");
	default:
		return number(p);
	}
}

bool json_check(const char *s, size_t n, size_t *at)
{
	struct p p = { (const unsigned char *)s, n, 0, 0 };
	bool ok = value(&p);

	ws(&p);
	ok = ok && p.i == n;
	if (at)
		*at = p.i;
	return ok;
}
