/*
 * json.c - the strict one-pass JSON parser and emitter. See json.h.
 *
 * The parser is iterative (an explicit stack of open containers), so a
 * hostile "[[[[..." costs nothing beyond max_depth. String scanning looks
 * at eight bytes at a time for anything that needs attention (quote,
 * backslash, control byte, non-ASCII) and falls back to a byte loop only
 * there; that keeps plain ASCII text near memcpy speed.
 */
#include "json.h"

#include <errno.h>
#include <math.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

void fy_jdoc_init(struct fy_jdoc *d)
{
	memset(d, 0, sizeof(*d));
	d->max_depth = 128;
	d->max_nodes = 4000000;
	d->max_number = 64;
	d->max_size = (size_t)2 << 30;
}

void fy_jdoc_release(struct fy_jdoc *d)
{
	if (!d)
		return;
	free(d->nodes);
	free(d->stack);
	d->nodes = NULL;
	d->stack = NULL;
	d->n = d->cap = 0;
	d->stack_cap = 0;
}

/* Line and column of byte off, for error messages. */
static void where(const char *text, size_t off, size_t *line, size_t *col)
{
	size_t i, l = 1, c = 1;

	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static int perr(struct fy_jdoc *d, size_t off, struct fy_error *err, enum fy_errcode code,
		const char *what)
{
	size_t line, col;

	where(d->text, off, &line, &col);
	d->n = 0;
	if (line == 1)
		return fy_error_set(err, code, "invalid JSON at byte %zu: %s", off, what);
	return fy_error_set(err, code, "invalid JSON at line %zu column %zu: %s", line, col, what);
}

static inline int has_special8(uint64_t v)
{
	uint64_t quote = v ^ (ONES * '"');
	uint64_t bslash = v ^ (ONES * '\\');
	uint64_t t = ((quote - ONES) & ~quote) | ((bslash - ONES) & ~bslash) |
		     ((v - ONES * 0x20) & ~v) | v;
	return (t & HIGHS) != 0;
}

/*
 * Validate one UTF-8 sequence at s (first byte >= 0x80). Returns its length,
 * or 0 when invalid or cut short.
 */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];

	if (c >= 0xc2 && c <= 0xdf) {
		if (avail < 2 || (s[1] & 0xc0) != 0x80)
			return 0;
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (avail < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;	/* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0;	/* UTF-16 surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (avail < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;	/* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;	/* beyond U+10FFFF */
		return 4;
	}
	return 0;
}

int fy_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t k;

		if (i + 8 <= n) {
			uint64_t v;

			memcpy(&v, p + i, 8);
			if (!(v & HIGHS)) {
				i += 8;
				continue;
			}
		}
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_seq(p + i, n - i);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

static int hex4(const char *s, unsigned *v)
{
	unsigned i, r = 0;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		r <<= 4;
		if (c >= '0' && c <= '9')
			r |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			r |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			r |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*v = r;
	return 0;
}

/*
 * Scan a string whose opening quote is at text[pos - 1]. On success *endp is
 * the offset of the closing quote and *esc holds the FY_JESC_* escapes seen.
 */
#ifdef __SSE2__
/*
 * The bytes of v a string scan stops at, as a bit mask: '"', '\\', and
 * those below 0x20 as a signed byte - control bytes, and every non-ASCII
 * byte too (the caller tells them apart with _mm_movemask_epi8(v)).
 */
static inline unsigned special_bytes(__m128i v)
{
	return (unsigned)_mm_movemask_epi8(_mm_or_si128(
		_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
			     _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
		_mm_cmplt_epi8(v, _mm_set1_epi8(0x20))));
}

/* The bytes of v in [lo, hi] (both above 0x80: signed compares), as a bit mask. */
static inline unsigned bytes_in(__m128i v, unsigned char lo, unsigned char hi)
{
	return (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)(lo - 1))),
							 _mm_cmplt_epi8(v, _mm_set1_epi8((char)(hi + 1)))));
}

/*
 * Whether the non-ASCII bytes of block v (high: their mask), which starts
 * at a character boundary, are whole characters of the plain kinds: a lead
 * C2-DF, E1-EC, EE-EF or F1-F3 followed by exactly its continuation bytes
 * (80-BF), all inside the block. Those are valid UTF-8 whatever their
 * values (no overlong form, surrogate or code point past U+10FFFF starts
 * with one of these leads); anything else - E0, ED, F0, F4, a character
 * cut by the block's end, an error - is left to utf8_seq.
 */
static inline int utf8_block16(__m128i v, unsigned high)
{
	unsigned l2 = bytes_in(v, 0xc2, 0xdf);
	unsigned l3 = bytes_in(v, 0xe1, 0xec) | bytes_in(v, 0xee, 0xef);
	unsigned l4 = bytes_in(v, 0xf1, 0xf3);
	unsigned cont = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(v, _mm_set1_epi8((char)0xc0)),
								   _mm_set1_epi8((char)0x80)));
	uint32_t want = (l2 << 1) | (l3 << 1) | (l3 << 2) | (l4 << 1) | (l4 << 2) | (l4 << 3);

	return want == cont && high == (l2 | l3 | l4 | cont);
}
#endif

static int scan_string(struct fy_jdoc *d, size_t pos, unsigned flags, size_t *endp, int *esc,
		       struct fy_error *err)
{
	const unsigned char *t = (const unsigned char *)d->text;
	size_t n = d->size, i = pos;

	*esc = 0;
	for (;;) {
		unsigned char c;

#ifdef __SSE2__
		/*
		 * Sixteen bytes at a time: stop at '"', '\\' or a control byte,
		 * and at non-ASCII unless the block's characters are plainly
		 * valid (utf8_block16); the byte loop below takes the rest.
		 */
		while (i + 16 <= n) {
			__m128i v = _mm_loadu_si128((const __m128i *)(t + i));
			unsigned mask = special_bytes(v);
			unsigned high = (unsigned)_mm_movemask_epi8(v);

			if (mask & ~high) {
				i += (size_t)__builtin_ctz(mask);
				goto at_byte;
			}
			if (high && !utf8_block16(v, high)) {
				i += (size_t)__builtin_ctz(high);
				goto at_byte;
			}
			i += 16;
		}
#endif
		/* The last bytes of the text (or no SSE2): eight at a time. */
		while (i + 8 <= n) {
			uint64_t v;

			memcpy(&v, t + i, 8);
			if (has_special8(v))
				break;
			i += 8;
		}
#ifdef __SSE2__
at_byte:
#endif
		if (i >= n)
			return perr(d, pos - 1, err, FY_E_DATA, "unterminated string");
		c = t[i];
		if (c == '"') {
			*endp = i;
			return 0;
		}
		if (c < 0x20)
			return perr(d, i, err, FY_E_DATA, "control character in string");
		if (c == '\\') {
			unsigned u, lo;

			*esc |= FY_JESC_ANY;
			if (i + 1 >= n)
				return perr(d, i, err, FY_E_DATA, "unterminated string");
			switch (t[i + 1]) {
			case '"': case '\\': case 'b':
			case 'f': case 'n': case 'r': case 't':
				i += 2;
				continue;
			case '/':
				*esc |= FY_JESC_OPAQUE;
				i += 2;
				continue;
			case 'u':
				*esc |= FY_JESC_OPAQUE;
				break;
			default:
				return perr(d, i, err, FY_E_DATA, "invalid escape in string");
			}
			if (i + 6 > n || hex4(d->text + i + 2, &u) < 0)
				return perr(d, i, err, FY_E_DATA, "invalid \\u escape");
			i += 6;
			if (u >= 0xd800 && u <= 0xdbff) {
				if (i + 6 <= n && t[i] == '\\' && t[i + 1] == 'u' &&
				    hex4(d->text + i + 2, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
					i += 6;
					continue;
				}
				if (!(flags & FY_J_ALLOW_LONE_SURROGATES))
					return perr(d, i - 6, err, FY_E_DATA, "lone surrogate escape");
			} else if (u >= 0xdc00 && u <= 0xdfff) {
				if (!(flags & FY_J_ALLOW_LONE_SURROGATES))
					return perr(d, i - 6, err, FY_E_DATA, "lone surrogate escape");
			}
			continue;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		{
			size_t k = utf8_seq(t + i, n - i);

			if (!k)
				return perr(d, i, err, FY_E_DATA, "invalid UTF-8 in string");
			i += k;
		}
	}
}

/*
 * scan_string, inline for the most common string: its closing quote in the
 * first sixteen bytes, plain ASCII before it (keys, ids, kinds, roles).
 * That one needs no call.
 */
static inline int string_at(struct fy_jdoc *d, size_t pos, unsigned flags, size_t *endp, int *esc,
			    struct fy_error *err)
{
#ifdef __SSE2__
	if (pos + 16 <= d->size) {
		unsigned mask = special_bytes(_mm_loadu_si128((const __m128i *)(d->text + pos)));

		if (mask && d->text[pos + (size_t)__builtin_ctz(mask)] == '"') {
			*endp = pos + (size_t)__builtin_ctz(mask);
			*esc = 0;
			return 0;
		}
	}
#endif
	return scan_string(d, pos, flags, endp, esc, err);
}

static int scan_number(struct fy_jdoc *d, size_t pos, size_t *endp, struct fy_error *err)
{
	const char *t = d->text;
	size_t n = d->size, i = pos;

	if (i < n && t[i] == '-')
		i++;
	if (i >= n)
		return perr(d, pos, err, FY_E_DATA, "invalid number");
	if (t[i] == '0') {
		i++;
	} else if (t[i] >= '1' && t[i] <= '9') {
		while (i < n && t[i] >= '0' && t[i] <= '9')
			i++;
	} else {
		return perr(d, pos, err, FY_E_DATA, "invalid number");
	}
	if (i < n && t[i] == '.') {
		size_t s = ++i;

		while (i < n && t[i] >= '0' && t[i] <= '9')
			i++;
		if (i == s)
			return perr(d, pos, err, FY_E_DATA, "invalid number");
	}
	if (i < n && (t[i] == 'e' || t[i] == 'E')) {
		size_t s;

		i++;
		if (i < n && (t[i] == '+' || t[i] == '-'))
			i++;
		s = i;
		while (i < n && t[i] >= '0' && t[i] <= '9')
			i++;
		if (i == s)
			return perr(d, pos, err, FY_E_DATA, "invalid number");
	}
	if (i - pos > d->max_number)
		return perr(d, pos, err, FY_E_UNSAFE, "number longer than the limit");
	*endp = i;
	return 0;
}

/* The most nodes this parse may make: max_nodes, and a count of children fits tl's 27 bits. */
static uint32_t node_limit(const struct fy_jdoc *d)
{
	return d->max_nodes < (1u << 27) - 1 ? d->max_nodes : (1u << 27) - 1;
}

/* Make room for node d->n, or refuse it past the limit. */
static int grow_nodes(struct fy_jdoc *d, size_t off, struct fy_error *err)
{
	uint32_t limit = node_limit(d), cap = d->cap;

	if (d->n >= limit)
		return perr(d, off, err, FY_E_UNSAFE, "more values than the limit");
	if (d->n == cap) {
		struct fy_jnode *p;

		cap = cap ? cap * 2 : 256;
		if (cap > limit)
			cap = limit;
		p = realloc(d->nodes, (size_t)cap * sizeof(*p));
		if (!p)
			return fy_error_set(err, FY_E_NOMEM, "out of memory parsing JSON");
		d->nodes = p;
		d->cap = cap;
	}
	d->room = d->cap < limit ? d->cap : limit;
	return 0;
}

/* Inline: every value of every record is one node. */
static inline int push_node(struct fy_jdoc *d, enum fy_jtype type, size_t off, size_t end,
			    struct fy_error *err)
{
	struct fy_jnode *nd;

	if (d->n >= d->room && grow_nodes(d, off, err) < 0)
		return -1;
	nd = &d->nodes[d->n];
	nd->off = (uint32_t)off;
	nd->end = (uint32_t)end;
	nd->next = d->n + 1;
	nd->tl = (uint32_t)type;
	d->n++;
	return 0;
}

static inline size_t skip_ws(const char *t, size_t i, size_t n)
{
	if (i < n && (unsigned char)t[i] > ' ')
		return i;	/* compact JSON: no whitespace anywhere */
	while (i < n && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t'))
		i++;
	return i;
}

/* skip_ws between tokens of a container, noting whether anything was skipped. */
static inline size_t skip_inner(struct fy_jdoc *d, size_t i)
{
	size_t j = skip_ws(d->text, i, d->size);

	if (j != i)
		d->had_space = 1;
	return j;
}

/*
 * Refuse an object with two equal keys. Every object of every record goes
 * through here, so this is a hash set of the keys' bytes (decoded, for the
 * rare key with escapes): linear in the number of keys, no allocation for
 * objects of up to 64 members.
 */
static int check_dups(struct fy_jdoc *d, uint32_t obj, struct fy_error *err)
{
	enum { SMALL = 64 };
	uint32_t count = fy_json_len(d, obj), k, key, val, nslots, mask, dup = FY_JNONE;
	uint32_t slots_small[2 * SMALL], *slots = slots_small, keys_small[SMALL], *keys = keys_small;
	const char *ptr_small[SMALL], **kp = ptr_small;
	size_t len_small[SMALL], *kl = len_small;
	struct fy_buf dec = FY_BUF_INIT(SIZE_MAX / 2);
	int any_esc = 0, rc = 0;

	if (count < 2)
		return 0;
	for (nslots = 16; nslots < 2 * count; nslots *= 2)
		;
	mask = nslots - 1;
	if (count > SMALL) {
		slots = calloc(nslots, sizeof(*slots));
		keys = malloc((size_t)count * sizeof(*keys));
		kp = malloc((size_t)count * sizeof(*kp));
		kl = malloc((size_t)count * sizeof(*kl));
		if (!slots || !keys || !kp || !kl) {
			rc = fy_error_set(err, FY_E_NOMEM, "out of memory parsing JSON");
			goto out;
		}
	}
	FY_JSON_FOREACH_MEMBER(d, obj, k, key, val) {
		keys[k] = key;
		any_esc |= fy_json_has_escapes(d, key);
	}
	if (!any_esc && count <= 8) {
		/*
		 * Small objects: comparing each pair is cheaper than hashing,
		 * and comparing a signature (length, first and last byte) first
		 * spares most byte compares ("thread", "parent" and "source"
		 * have the same length).
		 */
		uint32_t sig[8], a, b;

		for (a = 0; a < count; a++) {
			const struct fy_jnode *nd = &d->nodes[keys[a]];
			uint32_t len = nd->end - nd->off;

			sig[a] = len ? len << 16 ^ (uint32_t)(unsigned char)d->text[nd->off] << 8 ^
					       (unsigned char)d->text[nd->end - 1]
				     : 0;
		}
		for (a = 1; a < count && dup == FY_JNONE; a++) {
			size_t la;
			const char *pa = fy_json_raw(d, keys[a], &la);

			for (b = 0; b < a; b++) {
				size_t lb;
				const char *pb;

				if (sig[a] != sig[b])
					continue;
				pb = fy_json_raw(d, keys[b], &lb);
				if (la == lb && memcmp(pa, pb, la) == 0) {
					dup = keys[a];
					break;
				}
			}
		}
		goto found;
	}
	if (slots == slots_small)
		memset(slots, 0, nslots * sizeof(*slots));
	if (any_esc) {
		/* decode every escaped key once; offsets first, pointers after (dec may move) */
		for (k = 0; k < count; k++) {
			if (!fy_json_has_escapes(d, keys[k]))
				continue;
			kl[k] = dec.len;
			if (fy_json_str(d, keys[k], &dec, err) < 0) {
				rc = -1;
				goto out;
			}
		}
	}
	for (k = 0; k < count; k++) {
		if (any_esc && fy_json_has_escapes(d, keys[k])) {
			size_t start = kl[k], next = dec.len;
			uint32_t j;

			for (j = k + 1; j < count; j++)
				if (fy_json_has_escapes(d, keys[j])) {
					next = kl[j];
					break;
				}
			kp[k] = dec.ptr + start;
			kl[k] = next - start;
		} else {
			kp[k] = fy_json_raw(d, keys[k], &kl[k]);
		}
	}
	for (k = 0; k < count && dup == FY_JNONE; k++) {
		uint32_t h = 2166136261u, i;
		size_t b;

		for (b = 0; b < kl[k]; b++)
			h = (h ^ (unsigned char)kp[k][b]) * 16777619u;
		for (i = h & mask; slots[i]; i = (i + 1) & mask) {
			uint32_t o = slots[i] - 1;

			if (kl[o] == kl[k] && memcmp(kp[o], kp[k], kl[k]) == 0) {
				dup = keys[k];
				break;
			}
		}
		slots[i] = k + 1;
	}
found:
	if (dup != FY_JNONE)
		rc = perr(d, d->nodes[dup].off - 1, err, FY_E_DATA, "duplicate object key");
out:
	fy_buf_release(&dec);
	if (slots != slots_small)
		free(slots);
	if (keys != keys_small)
		free(keys);
	if (kp != ptr_small)
		free(kp);
	if (kl != len_small)
		free(kl);
	return rc;
}

int fy_jdoc_parse(struct fy_jdoc *d, const char *text, size_t len, unsigned flags,
		  struct fy_error *err)
{
	const char *t = text;
	unsigned depth = 0;
	size_t i;

	d->text = text;
	d->size = len;
	d->n = 0;
	d->end = 0;
	d->had_space = 0;
	/* (the limits may have changed since the nodes were allocated) */
	d->room = d->cap < node_limit(d) ? d->cap : node_limit(d);
	if (len > d->max_size || len >= UINT32_MAX)
		return perr(d, 0, err, FY_E_UNSAFE, "document larger than the limit");
	if (d->stack_cap < d->max_depth) {
		uint32_t *s = realloc(d->stack, d->max_depth * sizeof(*s));

		if (!s)
			return fy_error_set(err, FY_E_NOMEM, "out of memory parsing JSON");
		d->stack = s;
		d->stack_cap = d->max_depth;
	}
	i = skip_ws(t, 0, len);
	for (;;) {
		size_t vend = 0;
		int esc = 0;
		uint32_t top;

		/* A value starts at i. */
		if (i >= len)
			return perr(d, i, err, FY_E_DATA, "unexpected end of input");
		switch (t[i]) {
		case '{':
		case '[': {
			enum fy_jtype ty = t[i] == '{' ? FY_JOBJECT : FY_JARRAY;

			if (depth >= d->max_depth)
				return perr(d, i, err, FY_E_UNSAFE, "nesting deeper than the limit");
			if (push_node(d, ty, i, i, err) < 0)
				return -1;
			d->stack[depth++] = d->n - 1;
			i = skip_inner(d, i + 1);
			if (i < len && t[i] == (ty == FY_JOBJECT ? '}' : ']'))
				goto close_container;
			if (ty == FY_JOBJECT)
				goto object_key;
			continue;
		}
		case '"':
			if (string_at(d, i + 1, flags, &vend, &esc, err) < 0)
				return -1;
			if (push_node(d, FY_JSTRING, i + 1, vend, err) < 0)
				return -1;
			d->nodes[d->n - 1].tl |= (uint32_t)esc << 3;
			i = vend + 1;
			break;
		case 't':
			if (len - i < 4 || memcmp(t + i, "true", 4) != 0)
				return perr(d, i, err, FY_E_DATA, "invalid literal");
			if (push_node(d, FY_JTRUE, i, i + 4, err) < 0)
				return -1;
			i += 4;
			break;
		case 'f':
			if (len - i < 5 || memcmp(t + i, "false", 5) != 0)
				return perr(d, i, err, FY_E_DATA, "invalid literal");
			if (push_node(d, FY_JFALSE, i, i + 5, err) < 0)
				return -1;
			i += 5;
			break;
		case 'n':
			if (len - i < 4 || memcmp(t + i, "null", 4) != 0)
				return perr(d, i, err, FY_E_DATA, "invalid literal");
			if (push_node(d, FY_JNULL, i, i + 4, err) < 0)
				return -1;
			i += 4;
			break;
		default:
			if (t[i] != '-' && (t[i] < '0' || t[i] > '9'))
				return perr(d, i, err, FY_E_DATA, "unexpected character");
			if (scan_number(d, i, &vend, err) < 0)
				return -1;
			if (push_node(d, FY_JNUMBER, i, vend, err) < 0)
				return -1;
			i = vend;
			break;
		}
after_value:
		if (depth == 0)
			break;
		top = d->stack[depth - 1];
		d->nodes[top].tl += 1u << 5;
		i = skip_inner(d, i);
		if (i >= len)
			return perr(d, i, err, FY_E_DATA, "unexpected end of input");
		if (t[i] == ',') {
			i = skip_inner(d, i + 1);
			if (fy_json_type(d, top) == FY_JOBJECT)
				goto object_key;
			continue;
		}
		if (t[i] != (fy_json_type(d, top) == FY_JOBJECT ? '}' : ']'))
			return perr(d, i, err, FY_E_DATA, "expected ',' or a closing bracket");
close_container:
		top = d->stack[--depth];
		d->nodes[top].end = (uint32_t)(i + 1);
		d->nodes[top].next = d->n;
		if (fy_json_type(d, top) == FY_JOBJECT && !(flags & FY_J_ALLOW_DUPS) &&
		    check_dups(d, top, err) < 0)
			return -1;
		i++;
		goto after_value;

object_key:
		/* Inside an object, at the start of a member. */
		if (i >= len || t[i] != '"')
			return perr(d, i, err, FY_E_DATA, "expected a string key");
		if (string_at(d, i + 1, flags, &vend, &esc, err) < 0)
			return -1;
		if (push_node(d, FY_JSTRING, i + 1, vend, err) < 0)
			return -1;
		d->nodes[d->n - 1].tl |= (uint32_t)esc << 3;
		i = skip_inner(d, vend + 1);
		if (i >= len || t[i] != ':')
			return perr(d, i, err, FY_E_DATA, "expected ':' after key");
		i = skip_inner(d, i + 1);
		/* The member's value follows; only values count as children. */
		continue;
	}
	d->end = i;
	if (flags & FY_J_PREFIX)
		return 0;
	i = skip_ws(t, i, len);
	if (i != len)
		return perr(d, i, err, FY_E_DATA, "trailing characters after the value");
	return 0;
}

int fy_json_scan(const char *text, size_t len, size_t *end, unsigned max_depth,
		 struct fy_error *err)
{
	const unsigned char *t = (const unsigned char *)text;
	unsigned depth = 0;
	size_t i = 0;

	while (i < len && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t'))
		i++;
	if (i >= len)
		return 0;
	for (; i < len; i++) {
		unsigned char c = t[i];

		if (c == '"') {
			i++;
			for (;;) {
				while (i + 8 <= len) {
					uint64_t v, q, b;

					memcpy(&v, t + i, 8);
					q = v ^ (ONES * '"');
					b = v ^ (ONES * '\\');
					if ((((q - ONES) & ~q) | ((b - ONES) & ~b)) & HIGHS)
						break;
					i += 8;
				}
				if (i >= len)
					return 0;
				if (t[i] == '\\') {
					i += 2;
					if (i > len)
						return 0;
					continue;
				}
				if (t[i] == '"')
					break;
				i++;
			}
			if (depth == 0) {
				*end = i + 1;
				return 1;
			}
			continue;
		}
		if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return fy_error_set(err, FY_E_UNSAFE,
						    "invalid JSON at byte %zu: nesting deeper than the limit", i);
			continue;
		}
		if (c == '}' || c == ']') {
			if (depth == 0)
				return fy_error_set(err, FY_E_DATA,
						    "invalid JSON at byte %zu: unexpected '%c'", i, c);
			if (--depth == 0) {
				*end = i + 1;
				return 1;
			}
			continue;
		}
		if (depth == 0) {
			/* A scalar at top level ends at a delimiter. */
			size_t j = i;

			while (j < len && t[j] != ',' && t[j] != ']' && t[j] != '}' && t[j] != ' ' &&
			       t[j] != '\n' && t[j] != '\r' && t[j] != '\t')
				j++;
			if (j >= len)
				return 0;
			*end = j;
			return 1;
		}
	}
	return 0;
}

uint32_t fy_json_getn(const struct fy_jdoc *d, uint32_t obj, const char *key, size_t klen)
{
	uint32_t k, kn, vn;

	if (fy_json_type(d, obj) != FY_JOBJECT)
		return FY_JNONE;
	FY_JSON_FOREACH_MEMBER(d, obj, k, kn, vn)
		if (fy_json_streqn(d, kn, key, klen))
			return vn;
	return FY_JNONE;
}

uint32_t fy_json_at(const struct fy_jdoc *d, uint32_t arr, uint32_t k)
{
	uint32_t j, el;

	if (arr == FY_JNONE || fy_json_type(d, arr) != FY_JARRAY || k >= fy_json_len(d, arr))
		return FY_JNONE;
	FY_JSON_FOREACH(d, arr, j, el)
		if (j == k)
			return el;
	return FY_JNONE;
}

/* Encode code point u as UTF-8 into out (at least 4 bytes); returns the length. */
static size_t put_utf8(unsigned u, char *out)
{
	if (u < 0x80) {
		out[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = (char)(0xc0 | (u >> 6));
		out[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	}
	if (u < 0x10000) {
		out[0] = (char)(0xe0 | (u >> 12));
		out[1] = (char)(0x80 | ((u >> 6) & 0x3f));
		out[2] = (char)(0x80 | (u & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (u >> 18));
	out[1] = (char)(0x80 | ((u >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((u >> 6) & 0x3f));
	out[3] = (char)(0x80 | (u & 0x3f));
	return 4;
}

int fy_json_str(const struct fy_jdoc *d, uint32_t i, struct fy_buf *out, struct fy_error *err)
{
	size_t len, k, start = 0;
	const char *s;

	if (i == FY_JNONE || fy_json_type(d, i) != FY_JSTRING)
		return fy_error_set(err, FY_E_DATA, "not a string");
	s = fy_json_raw(d, i, &len);
	if (!fy_json_has_escapes(d, i))
		return fy_buf_add(out, s, len, err);
	for (k = 0; k < len; k++) {
		const char *bs = memchr(s + k, '\\', len - k);
		char tmp[8];
		size_t tl = 1;
		unsigned u, lo;

		if (!bs)
			break;
		k = (size_t)(bs - s);
		if (fy_buf_add(out, s + start, k - start, err) < 0)
			return -1;
		switch (s[k + 1]) {
		case 'b': tmp[0] = '\b'; break;
		case 'f': tmp[0] = '\f'; break;
		case 'n': tmp[0] = '\n'; break;
		case 'r': tmp[0] = '\r'; break;
		case 't': tmp[0] = '\t'; break;
		case 'u':
			hex4(s + k + 2, &u);
			if (u >= 0xd800 && u <= 0xdbff && k + 12 <= len && s[k + 6] == '\\' &&
			    s[k + 7] == 'u' && hex4(s + k + 8, &lo) == 0 && lo >= 0xdc00 &&
			    lo <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				k += 6;
			} else if (u >= 0xd800 && u <= 0xdfff) {
				u = 0xfffd;	/* a lone surrogate the flags let through */
			}
			tl = put_utf8(u, tmp);
			k += 4;
			break;
		default: tmp[0] = s[k + 1]; break;
		}
		if (fy_buf_add(out, tmp, tl, err) < 0)
			return -1;
		k++;
		start = k + 1;
	}
	return fy_buf_add(out, s + start, len - start, err);
}

int fy_json_streq(const struct fy_jdoc *d, uint32_t i, const char *lit)
{
	/* A NULL lit (a caller's missing name) matches nothing (found by fuzz_bedrock_flow). */
	return lit && fy_json_streqn(d, i, lit, strlen(lit));
}

int fy_json_streqn_decoded(const struct fy_jdoc *d, uint32_t i, const char *lit, size_t len)
{
	struct fy_buf b = FY_BUF_INIT(SIZE_MAX / 2);
	int eq = fy_json_str(d, i, &b, NULL) == 0 && b.len == len && memcmp(b.ptr, lit, len) == 0;

	fy_buf_release(&b);
	return eq;
}

char *fy_json_strdup(const struct fy_jdoc *d, uint32_t i, size_t *lenp)
{
	struct fy_buf b = FY_BUF_INIT(SIZE_MAX / 2);

	if (i == FY_JNONE || fy_json_type(d, i) != FY_JSTRING)
		return NULL;
	if (fy_json_str(d, i, &b, NULL) < 0) {
		fy_buf_release(&b);
		return NULL;
	}
	return fy_buf_detach(&b, lenp);
}

char *fy_json_get_strdup(const struct fy_jdoc *d, uint32_t obj, const char *key)
{
	return fy_json_strdup(d, fy_json_get(d, obj, key), NULL);
}

int fy_json_int(const struct fy_jdoc *d, uint32_t i, int64_t *v)
{
	char tmp[72], *endp;
	size_t len;
	const char *s;
	long long r;

	if (i == FY_JNONE || fy_json_type(d, i) != FY_JNUMBER)
		return -1;
	s = fy_json_raw(d, i, &len);
	if (len >= sizeof(tmp) || memchr(s, '.', len) || memchr(s, 'e', len) ||
	    memchr(s, 'E', len))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	errno = 0;
	r = strtoll(tmp, &endp, 10);
	if (errno || *endp)
		return -1;
	*v = r;
	return 0;
}

int fy_json_double(const struct fy_jdoc *d, uint32_t i, double *v)
{
	char tmp[72];
	size_t len;
	const char *s;

	if (i == FY_JNONE || fy_json_type(d, i) != FY_JNUMBER)
		return -1;
	s = fy_json_raw(d, i, &len);
	if (len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	*v = strtod(tmp, NULL);
	return isfinite(*v) ? 0 : -1;
}

static int emit(const struct fy_jdoc *d, uint32_t i, struct fy_buf *out, int pretty,
		unsigned level, struct fy_error *err)
{
	const struct fy_jnode *nd = &d->nodes[i];
	enum fy_jtype ty = fy_json_type(d, i);
	uint32_t k, c, v;
	unsigned l;

	switch (ty) {
	case FY_JSTRING:
		if (fy_buf_grow(out, nd->end - nd->off + 2, err) < 0)
			return -1;
		out->ptr[out->len++] = '"';
		memcpy(out->ptr + out->len, d->text + nd->off, nd->end - nd->off);
		out->len += nd->end - nd->off;
		out->ptr[out->len++] = '"';
		out->ptr[out->len] = '\0';
		return 0;
	case FY_JARRAY:
	case FY_JOBJECT:
		if (!pretty && !d->had_space)
			return fy_buf_add(out, d->text + nd->off, nd->end - nd->off, err);
		if (fy_buf_addc(out, ty == FY_JARRAY ? '[' : '{', err) < 0)
			return -1;
		for (k = 0, c = i + 1; k < fy_json_len(d, i); k++) {
			if (k && fy_buf_addc(out, ',', err) < 0)
				return -1;
			if (pretty) {
				if (fy_buf_addc(out, '\n', err) < 0)
					return -1;
				for (l = 0; l <= level; l++)
					if (fy_buf_add(out, "  ", 2, err) < 0)
						return -1;
			}
			if (ty == FY_JOBJECT) {
				if (emit(d, c, out, pretty, level + 1, err) < 0 ||
				    fy_buf_add(out, pretty ? ": " : ":", pretty ? 2 : 1, err) < 0)
					return -1;
				v = c + 1;
			} else {
				v = c;
			}
			if (emit(d, v, out, pretty, level + 1, err) < 0)
				return -1;
			c = d->nodes[v].next;
		}
		if (pretty && fy_json_len(d, i)) {
			if (fy_buf_addc(out, '\n', err) < 0)
				return -1;
			for (l = 0; l < level; l++)
				if (fy_buf_add(out, "  ", 2, err) < 0)
					return -1;
		}
		return fy_buf_addc(out, ty == FY_JARRAY ? ']' : '}', err);
	default:
		return fy_buf_add(out, d->text + nd->off, nd->end - nd->off, err);
	}
}

/*
 * An absent value (FY_JNONE, what fy_json_get() returns for a missing key)
 * is written as null, as every accessor treats it as absent: emitting it
 * read past the node array (found by fuzz_claude).
 */
int fy_json_emit(const struct fy_jdoc *d, uint32_t i, struct fy_buf *out, struct fy_error *err)
{
	if (i >= d->n)
		return fy_buf_adds(out, "null", err);
	return emit(d, i, out, 0, 0, err);
}

int fy_json_emit_pretty(const struct fy_jdoc *d, uint32_t i, struct fy_buf *out,
			struct fy_error *err)
{
	if (i >= d->n)
		return fy_buf_adds(out, "null", err);
	return emit(d, i, out, 1, 0, err);
}
