/* redact.c — covering findings: solid boxes on images (never blur, which can be undone),
 * labels in text, and which model endpoints are trusted with unredacted pixels. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "guard/guard_internal.h"
#include "core/common.h"

static const char *const type_labels[] = {
#define MAGI__X(n, s, l) l,
	MAGI_PII_TYPES(MAGI__X)
#undef MAGI__X
};

size_t magi_guard_redact_image(struct magi_image *img, const struct magi_pii_finding *f,
			       size_t n, int pad)
{
	if (!img || !img->px || !f)
		return 0;
	if (pad < 0)
		pad = 0;
	if (pad > 1000)
		pad = 1000;
	size_t drawn = 0;
	for (size_t i = 0; i < n; i++) {
		if (!f[i].has_box || f[i].w <= 0 || f[i].h <= 0)
			continue;
		long x0 = (long)f[i].x - pad, y0 = (long)f[i].y - pad;
		long x1 = (long)f[i].x + f[i].w + pad, y1 = (long)f[i].y + f[i].h + pad;
		if (x0 < 0)
			x0 = 0;
		if (y0 < 0)
			y0 = 0;
		if (x1 > (long)img->w)
			x1 = (long)img->w;
		if (y1 > (long)img->h)
			y1 = (long)img->h;
		if (x0 >= x1 || y0 >= y1)
			continue;
		magi_image_fill_rect(img, (int)x0, (int)y0, (int)(x1 - x0), (int)(y1 - y0), 0x000000);
		drawn++;
	}
	return drawn;
}

struct span {
	size_t start, end;
	const struct magi_pii_finding *f;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end > y->end ? -1 : x->end < y->end;
}

static magi_status put_label(struct magi_buf *b, const struct magi_pii_finding *f)
{
	if (f->type == MAGI_PII_SECRET)
		return f->name ? magi_buf_printf(b, "<secret:%s>", f->name) : magi_buf_puts(b, "<secret>");
	return magi_buf_puts(b, (unsigned)f->type < MAGI_PII__COUNT ? type_labels[f->type] : "[pii]");
}

magi_status magi_guard_redact_text(const char *text, const struct magi_pii_finding *f, size_t n,
				   char **out)
{
	if (out)
		*out = NULL;
	if (!text || !out || (n && !f))
		return MAGI_ERR_INVALID;
	size_t len = strlen(text);
	struct span *sp = n ? malloc(n * sizeof *sp) : NULL;
	if (n && !sp)
		return MAGI_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		if (f[i].start >= f[i].end || f[i].end > len) {
			free(sp);
			return MAGI_ERR_INVALID;
		}
		sp[i].start = f[i].start;
		sp[i].end = f[i].end;
		sp[i].f = &f[i];
	}
	if (n)
		qsort(sp, n, sizeof *sp, span_cmp);
	struct magi_buf b;
	magi_buf_init(&b, 0);
	magi_status st = MAGI_OK;
	size_t at = 0, i = 0;
	while (!st && i < n) {
		/* merge everything overlapping the first span; its label stands for all */
		size_t s = sp[i].start, e = sp[i].end;
		const struct magi_pii_finding *lead = sp[i].f;
		for (i++; i < n && sp[i].start < e; i++)
			if (sp[i].end > e)
				e = sp[i].end;
		if (s > at)
			st = magi_buf_append(&b, text + at, s - at);
		if (!st)
			st = put_label(&b, lead);
		at = e;
	}
	if (!st && at < len)
		st = magi_buf_append(&b, text + at, len - at);
	free(sp);
	if (st)
		return st;
	*out = magi_buf_detach(&b, NULL);
	return *out ? MAGI_OK : MAGI_ERR_NOMEM;
}

/* ---- hosts and trust --------------------------------------------------------------------- */
bool magi_guard_url_host(const char *url, char *buf, size_t cap)
{
	if (!buf || cap == 0)
		return false;
	buf[0] = '\0';
	if (!url)
		return false;
	const char *p = url;
	while (*p == ' ' || *p == '\t')
		p++;
	const char *scheme = strstr(p, "://");
	const char *slash = strpbrk(p, "/?#");
	if (scheme && (!slash || scheme < slash))
		p = scheme + 3;
	/* userinfo */
	const char *end = p + strcspn(p, "/?#");
	const char *at = memchr(p, '@', (size_t)(end - p));
	if (at)
		p = at + 1;
	const char *hs = p, *he;
	if (*p == '[') {
		hs = p + 1;
		he = memchr(hs, ']', (size_t)(end - hs));
		if (!he)
			return false;
	} else {
		/* a bare IPv6 address ("::1", "fe80::1") has several colons and no port */
		size_t colons = 0;
		for (const char *q = p; q < end; q++)
			colons += *q == ':';
		he = colons >= 2 ? end : p + strcspn(p, ":/?#");
		if (he > end)
			he = end;
	}
	size_t n = (size_t)(he - hs);
	while (n > 0 && hs[n - 1] == '.')
		n--;
	if (n == 0 || n + 1 > cap)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)hs[i];
		if (c <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\')
			return false;
		buf[i] = (char)magi__lower(c);
	}
	buf[n] = '\0';
	return true;
}

/* Strict dotted quad; false for anything else. */
static bool parse_ipv4(const char *s, size_t n, uint8_t o[4])
{
	int k = 0, v = -1, digits = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (v < 0 || k >= 4)
				return false;
			o[k++] = (uint8_t)v;
			v = -1;
			digits = 0;
		} else if (magi__is_digit((unsigned char)s[i])) {
			if (++digits > 3)
				return false;
			v = (v < 0 ? 0 : v * 10) + (s[i] - '0');
			if (v > 255)
				return false;
		} else {
			return false;
		}
	}
	return k == 4;
}

static int hexval(unsigned char c)
{
	if (magi__is_digit(c))
		return c - '0';
	c = magi__lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Parses an IPv6 address (with "::" and an optional dotted IPv4 tail) into 8 groups. */
static bool parse_ipv6(const char *s, size_t n, uint16_t g[8])
{
	uint16_t head[8], tail[8];
	int nh = 0, nt = 0;
	bool dbl = false;
	size_t i = 0;
	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		dbl = true;
		i = 2;
	}
	while (i < n) {
		size_t j = i;
		unsigned v = 0;
		while (j < n && s[j] != ':' && s[j] != '.') {
			int h = hexval((unsigned char)s[j]);
			if (h < 0 || j - i >= 4)
				return false;
			v = v * 16 + (unsigned)h;
			j++;
		}
		if (j < n && s[j] == '.') {
			uint8_t o[4];
			if (!parse_ipv4(s + i, n - i, o) || (dbl ? nt : nh) + 2 > 8)
				return false;
			uint16_t *dst = dbl ? tail : head;
			int *cnt = dbl ? &nt : &nh;
			dst[(*cnt)++] = (uint16_t)(o[0] << 8 | o[1]);
			dst[(*cnt)++] = (uint16_t)(o[2] << 8 | o[3]);
			i = n;
			break;
		}
		if (j == i || (dbl ? nt : nh) >= 8)
			return false;
		if (dbl)
			tail[nt++] = (uint16_t)v;
		else
			head[nh++] = (uint16_t)v;
		i = j;
		if (i < n) {
			i++; /* ':' */
			if (i < n && s[i] == ':') {
				if (dbl)
					return false;
				dbl = true;
				i++;
			} else if (i == n) {
				return false;
			}
		}
	}
	if (dbl ? nh + nt > 7 : nh != 8)
		return false;
	memset(g, 0, 8 * sizeof *g);
	for (int k = 0; k < nh; k++)
		g[k] = head[k];
	for (int k = 0; k < nt; k++)
		g[8 - nt + k] = tail[k];
	return true;
}

bool magi_guard_endpoint_is_local(const char *url)
{
	char host[256];
	if (!magi_guard_url_host(url, host, sizeof host))
		return false;
	size_t n = strlen(host);
	if (strcmp(host, "localhost") == 0 || magi__ends_with(host, ".localhost"))
		return true;
	uint8_t o[4];
	if (parse_ipv4(host, n, o))
		return o[0] == 127;
	uint16_t g[8];
	if (parse_ipv6(host, n, g)) {
		bool zero5 = !g[0] && !g[1] && !g[2] && !g[3] && !g[4];
		if (zero5 && !g[5] && !g[6] && g[7] == 1)
			return true; /* ::1 */
		if (zero5 && g[5] == 0xffff && (g[6] >> 8) == 127)
			return true; /* ::ffff:127.x.x.x */
	}
	return false;
}

bool magi_guard_domain_allowed(const char *host, const char *const *allow, size_t n)
{
	if (!host || !*host || !allow)
		return false;
	size_t hl = strlen(host);
	for (size_t i = 0; i < n; i++) {
		const char *a = allow[i];
		if (!a)
			continue;
		if (strcmp(a, "*") == 0)
			return true;
		char ah[256];
		if (a[0] == '*' && a[1] == '.')
			a += 2;
		else if (a[0] == '.')
			a += 1;
		if (!magi_guard_url_host(a, ah, sizeof ah))
			continue;
		size_t al = strlen(ah);
		if (hl == al && strcasecmp(host, ah) == 0)
			return true;
		if (hl > al && host[hl - al - 1] == '.' && strcasecmp(host + hl - al, ah) == 0)
			return true;
	}
	return false;
}
