/*
 * secrets.c - credential shapes in free text. See secrets.h.
 *
 * One pass over the bytes: at each position that starts a word, a switch
 * on the first byte tries the few shapes that can start there. No regular
 * expressions and no allocation, so scanning costs about what memchr does
 * and can run on every record of an export.
 */
#include "secrets.h"

#include <string.h>
#include <pthread.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static const char *const kind_names[FY_SECRET__COUNT] = {
	[FY_SECRET_NONE] = "secret",
	[FY_SECRET_OPENAI] = "openai-key",
	[FY_SECRET_ANTHROPIC] = "anthropic-key",
	[FY_SECRET_AWS_KEY_ID] = "aws-access-key-id",
	[FY_SECRET_AWS_SECRET] = "aws-secret-key",
	[FY_SECRET_GOOGLE] = "google-api-key",
	[FY_SECRET_AZURE] = "azure-key",
	[FY_SECRET_GITHUB] = "github-token",
	[FY_SECRET_SLACK] = "slack-token",
	[FY_SECRET_STRIPE] = "stripe-key",
	[FY_SECRET_BEARER] = "bearer-token",
	[FY_SECRET_JWT] = "jwt",
	[FY_SECRET_PRIVATE_KEY] = "private-key",
	[FY_SECRET_CREDENTIAL] = "credential",
};

const char *fy_secret_kind_name(enum fy_secret_kind kind)
{
	if ((unsigned)kind >= FY_SECRET__COUNT)
		return kind_names[FY_SECRET_NONE];
	return kind_names[kind];
}

/* Character classes (ASCII only: every shape is ASCII). */
static int c_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static int c_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static int c_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int c_alnum(unsigned char c) { return c_upper(c) || c_lower(c) || c_digit(c); }
static int c_word(unsigned char c) { return c_alnum(c) || c == '_'; }
static int c_tok(unsigned char c) { return c_word(c) || c == '-'; }		/* base64url, ids */
static int c_upnum(unsigned char c) { return c_upper(c) || c_digit(c); }
static int c_b64(unsigned char c) { return c_alnum(c) || c == '+' || c == '/'; }
static int c_b64eq(unsigned char c) { return c_b64(c) || c == '='; }
static int c_sas(unsigned char c) { return c_b64eq(c) || c == '%'; }
static int c_slack(unsigned char c) { return c_alnum(c) || c == '-'; }
static int c_bearer(unsigned char c)
{
	return c_tok(c) || c == '.' || c == '~' || c == '+' || c == '/' || c == '=';
}
static int c_pemlabel(unsigned char c) { return c_upper(c) || c_digit(c) || c == ' '; }

/* How many bytes from i on are in the class. */
static size_t span(const unsigned char *s, size_t n, size_t i, int (*cls)(unsigned char))
{
	size_t j = i;

	while (j < n && cls(s[j]))
		j++;
	return j - i;
}

/* s[i..] starts with lit, len bytes (ASCII case ignored when ci). */
static int starts_n(const unsigned char *s, size_t n, size_t i, const char *lit, size_t len, int ci)
{
	size_t k;

	if (n - i < len)
		return 0;
	for (k = 0; k < len; k++) {
		unsigned char c = s[i + k];

		if (ci && c_upper(c))
			c = (unsigned char)(c + 32);
		if (c != (unsigned char)lit[k])
			return 0;
	}
	return 1;
}

/* starts() on a string literal: its length is known at compile time (this is the hot path). */
#define starts(s, n, i, lit, ci) starts_n(s, n, i, lit, sizeof(lit) - 1, ci)

static int found(struct fy_secret_match *m, enum fy_secret_kind kind, size_t off, size_t len)
{
	m->kind = kind;
	m->off = off;
	m->len = len;
	return 1;
}

/*
 * A blank at s[i]: 1 for a space or a tab, 2 for a tab as JSON writes it
 * ("\\t", so that fy_secret_find_raw finds what the decoded text holds),
 * else 0.
 */
static size_t blank(const unsigned char *s, size_t n, size_t i)
{
	if (i < n && (s[i] == ' ' || s[i] == '\t'))
		return 1;
	return i + 1 < n && s[i] == '\\' && s[i + 1] == 't' ? 2 : 0;
}

/*
 * After a key word: skip what separates it from its value (": ", "=",
 * quotes, and line breaks and tabs as JSON writes them).
 */
static size_t skip_sep(const unsigned char *s, size_t n, size_t i)
{
	size_t k = 0;

	while (i < n && k < 8) {
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == 'n' || s[i + 1] == 'r' || s[i + 1] == 't')) {
			i += 2;
			k += 2;
			continue;
		}
		if (!strchr(" \t\"'=:\\", s[i]) || !s[i])
			break;
		i++;
		k++;
	}
	return i;
}

static int has_digit_and_letter(const unsigned char *s, size_t len)
{
	size_t k;
	int d = 0, a = 0;

	for (k = 0; k < len; k++) {
		d |= c_digit(s[k]);
		a |= c_upper(s[k]) || c_lower(s[k]);
	}
	return d && a;
}

static int match_at(const unsigned char *s, size_t n, size_t i, struct fy_secret_match *m);

/*
 * Whether s[i..] can start one of match_keyword's key words: their first
 * four bytes, any case. Ordinary words ("and", "should", "because") that
 * share the first two stop here.
 */
static int keyword_prefix(const unsigned char *s, size_t n, size_t i)
{
	static const char prefixes[][5] = {
		"aws_", "aws-", "awss", "secr", "ocp-", "x-fu", "api-", "acco", "shar", "sig=", "bear",
	};
	char p[4];
	size_t k;

	if (n - i < 4)
		return 0;
	for (k = 0; k < 4; k++)
		p[k] = (char)(c_upper(s[i + k]) ? s[i + k] + 32 : s[i + k]);
	for (k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++)
		if (memcmp(p, prefixes[k], 4) == 0)
			return 1;
	return 0;
}

/* The shapes that follow a key word ("aws_secret_access_key = ..."). */
static int match_keyword(const unsigned char *s, size_t n, size_t i, struct fy_secret_match *m)
{
#define KW(lit) { lit, sizeof(lit) - 1 }
	static const struct kw { const char *s; size_t n; } aws[] = {
		KW("aws_secret_access_key"), KW("aws-secret-access-key"), KW("secret_access_key"),
		KW("secret-access-key"), KW("secretaccesskey"), KW("aws_secret_key"),
	}, azure_hdr[] = {
		KW("ocp-apim-subscription-key"), KW("x-functions-key"), KW("api-key"),
	};
#undef KW
	size_t k, v, len;

	if (!keyword_prefix(s, n, i))
		return 0;

	for (k = 0; k < sizeof(aws) / sizeof(aws[0]); k++) {
		if (!starts_n(s, n, i, aws[k].s, aws[k].n, 1))
			continue;
		v = skip_sep(s, n, i + aws[k].n);
		len = span(s, n, v, c_b64);
		if (len == 40 && (v + len == n || !c_b64eq(s[v + len])))
			return found(m, FY_SECRET_AWS_SECRET, v, len);
	}
	for (k = 0; k < sizeof(azure_hdr) / sizeof(azure_hdr[0]); k++) {
		if (!starts_n(s, n, i, azure_hdr[k].s, azure_hdr[k].n, 1))
			continue;
		v = skip_sep(s, n, i + azure_hdr[k].n);
		len = span(s, n, v, c_alnum);
		if (len >= 32 && len <= 128)
			return found(m, FY_SECRET_AZURE, v, len);
	}
	if (starts(s, n, i, "accountkey=", 1) || starts(s, n, i, "sharedaccesskey=", 1)) {
		v = (size_t)((const unsigned char *)memchr(s + i, '=', n - i) - s) + 1;
		len = span(s, n, v, c_b64eq);
		if (len >= 20)
			return found(m, FY_SECRET_AZURE, v, len);
	}
	if (i > 0 && (s[i - 1] == '?' || s[i - 1] == '&') && starts(s, n, i, "sig=", 1)) {
		len = span(s, n, i + 4, c_sas);
		if (len >= 20)
			return found(m, FY_SECRET_AZURE, i + 4, len);
	}
	if (starts(s, n, i, "bearer", 1) && blank(s, n, i + 6)) {
		v = i + 6;
		while ((len = blank(s, n, v)))
			v += len;
		len = span(s, n, v, c_bearer);
		if (len >= 16) {
			/* A token of a known shape is named by its shape. */
			if (match_at(s, n, v, m) && m->off == v && m->kind != FY_SECRET_BEARER)
				return 1;
			return found(m, FY_SECRET_BEARER, v, len);
		}
	}
	return 0;
}

/* A PEM label ("RSA PRIVATE KEY") at s[j..] that ends in PRIVATE KEY and then "-----". */
static size_t pem_label(const unsigned char *s, size_t n, size_t j)
{
	size_t label = span(s, n, j, c_pemlabel);

	if (label < 11 || label > 64 || !starts(s, n, j + label - 11, "PRIVATE KEY", 0) ||
	    !starts(s, n, j + label, "-----", 0))
		return 0;
	return label + 5;
}

static int match_pem(const unsigned char *s, size_t n, size_t i, struct fy_secret_match *m)
{
	size_t j = i + 11, label = pem_label(s, n, j);
	const unsigned char *e;

	if (!label)
		return 0;
	j += label;
	/* Through the matching END line, or to the end of the text. */
	for (e = s + j; j < n && (e = memchr(e, '-', n - (size_t)(e - s))); e++) {
		size_t at = (size_t)(e - s), l2;

		if (!starts(s, n, at, "-----END ", 0))
			continue;
		l2 = pem_label(s, n, at + 9);
		if (l2)
			return found(m, FY_SECRET_PRIVATE_KEY, i, at + 9 + l2 - i);
	}
	return found(m, FY_SECRET_PRIVATE_KEY, i, n - i);
}

static int match_jwt(const unsigned char *s, size_t n, size_t i, struct fy_secret_match *m)
{
	size_t a = span(s, n, i, c_tok), j, b;

	if (a < 8 || i + a >= n || s[i + a] != '.')
		return 0;
	j = i + a + 1;
	if (!starts(s, n, j, "eyJ", 0))
		return 0;
	b = span(s, n, j, c_tok);
	if (b < 8)
		return 0;
	j += b;
	if (j < n && s[j] == '.')
		j += 1 + span(s, n, j + 1, c_tok);
	return found(m, FY_SECRET_JWT, i, j - i);
}

static int match_at(const unsigned char *s, size_t n, size_t i, struct fy_secret_match *m)
{
	static const char *const aws_prefixes[] = {
		"AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "AROA",
		"APKA", "ASCA",
	};
	size_t len, k;

	switch (s[i]) {
	case 's':
		if (starts(s, n, i, "sk-ant-", 0)) {
			len = span(s, n, i + 7, c_tok);
			if (len >= 20)
				return found(m, FY_SECRET_ANTHROPIC, i, 7 + len);
		} else if (starts(s, n, i, "sk-", 0)) {
			len = span(s, n, i + 3, c_tok);
			if (len >= 20 && has_digit_and_letter(s + i + 3, len))
				return found(m, FY_SECRET_OPENAI, i, 3 + len);
		}
		if (starts(s, n, i, "sk_live_", 0) || starts(s, n, i, "sk_test_", 0)) {
			len = span(s, n, i + 8, c_alnum);
			if (len >= 16)
				return found(m, FY_SECRET_STRIPE, i, 8 + len);
		}
		break;
	case 'r':
		if (starts(s, n, i, "rk_live_", 0)) {
			len = span(s, n, i + 8, c_alnum);
			if (len >= 16)
				return found(m, FY_SECRET_STRIPE, i, 8 + len);
		}
		break;
	case 'A':
		if (starts(s, n, i, "AIza", 0)) {
			len = span(s, n, i + 4, c_tok);
			if (len >= 35)
				return found(m, FY_SECRET_GOOGLE, i, 4 + len);
		}
		for (k = 0; k < sizeof(aws_prefixes) / sizeof(aws_prefixes[0]); k++)
			if (starts_n(s, n, i, aws_prefixes[k], 4, 0)) {
				len = span(s, n, i + 4, c_upnum);
				if (len == 16 && (i + 20 == n || !c_alnum(s[i + 20])))
					return found(m, FY_SECRET_AWS_KEY_ID, i, 20);
			}
		break;
	case 'g':
		if (n - i > 4 && s[i + 1] == 'h' && strchr("pousr", s[i + 2]) && s[i + 2] &&
		    s[i + 3] == '_') {
			len = span(s, n, i + 4, c_alnum);
			if (len >= 36)
				return found(m, FY_SECRET_GITHUB, i, 4 + len);
		}
		if (starts(s, n, i, "github_pat_", 0)) {
			len = span(s, n, i + 11, c_word);
			if (len >= 22)
				return found(m, FY_SECRET_GITHUB, i, 11 + len);
		}
		break;
	case 'x':
		if (n - i > 5 && starts(s, n, i, "xox", 0) && strchr("abposr", s[i + 3]) && s[i + 3] &&
		    s[i + 4] == '-') {
			len = span(s, n, i + 5, c_slack);
			if (len >= 10)
				return found(m, FY_SECRET_SLACK, i, 5 + len);
		}
		break;
	case 'e':
		if (starts(s, n, i, "eyJ", 0) && match_jwt(s, n, i, m))
			return 1;
		break;
	case '-':
		if (starts(s, n, i, "-----BEGIN ", 0) && match_pem(s, n, i, m))
			return 1;
		return 0;
	}
	if (s[i] == '-')
		return 0;
	switch (s[i] | 0x20) {
	case 'a': case 's': case 'o': case 'x': case 'b':
		return match_keyword(s, n, i, m);
	}
	return 0;
}

/*
 * Whether a shape or key word can start with the bytes c0 c1: the shapes'
 * prefixes (case as written) and the key words' (any case). Most words of
 * ordinary text fail here, before match_at looks at them.
 */
static int may_start(unsigned char c0, unsigned char c1)
{
	unsigned char l0 = c_upper(c0) ? (unsigned char)(c0 | 0x20) : c0;
	unsigned char l1 = c_upper(c1) ? (unsigned char)(c1 | 0x20) : c1;

	switch (c0) {
	case 'A':	/* AIza, AKIA, ASIA, ABIA, ACCA, AGPA, AIDA, AIPA, ANPA, ANVA, AROA, APKA */
		if (c1 && strchr("KSBCGINRP", c1))
			return 1;
		break;
	case 's':	/* sk-ant-, sk-, sk_live_, sk_test_ */
		if (c1 == 'k')
			return 1;
		break;
	case 'r':	/* rk_live_ */
		return c1 == 'k';
	case 'g':	/* gh?_, github_pat_ */
		return c1 == 'h' || c1 == 'i';
	case 'x':	/* xox?- */
		if (c1 == 'o')
			return 1;
		break;
	case 'e':	/* eyJ (a JWT) */
		return c1 == 'y';
	case '-':	/* -----BEGIN */
		return c1 == '-';
	}
	switch (l0) {	/* aws..., api-key, accountkey=, secret..., sharedaccesskey=, sig=, ocp-apim..., x-functions-key, bearer */
	case 'a':
		return l1 == 'w' || l1 == 'p' || l1 == 'c';
	case 's':
		return l1 == 'e' || l1 == 'h' || l1 == 'i';
	case 'o':
		return l1 == 'c';
	case 'x':
		return c1 == '-';
	case 'b':
		return l1 == 'e';
	}
	return 0;
}

/*
 * Whether s[i - 1] makes s[i] part of a word: a letter, digit or '_' -
 * unless, in JSON as written (raw), it is the letter of an escape ("\\n")
 * and stands for a control character.
 */
static int after_word(const unsigned char *s, size_t i, int raw)
{
	return i > 0 && c_word(s[i - 1]) && !(raw && i > 1 && s[i - 2] == '\\');
}

/* A shape at s[i], i + 1 < n: the checks of fy_secret_find for one position. */
static int try_at(const unsigned char *s, size_t n, size_t i, struct fy_secret_match *m, int raw)
{
	/* The bytes a shape or key word can start with (may_start, any case for key words). */
	static const unsigned char first[256] = {
		['A'] = 1, ['a'] = 1, ['B'] = 1, ['b'] = 1, ['e'] = 1, ['g'] = 1, ['O'] = 1, ['o'] = 1,
		['r'] = 1, ['S'] = 1, ['s'] = 1, ['X'] = 1, ['x'] = 1, ['-'] = 1,
	};

	if (!first[s[i]])
		return 0;
	/* A shape starts a word or is a PEM armour line. */
	if (s[i] != '-' && after_word(s, i, raw))
		return 0;
	return may_start(s[i], s[i + 1]) && match_at(s, n, i, m);
}

#ifdef __SSE2__
/*
 * The vector filters: 16 bytes at a time with SSE2 (every x86-64), in GCC
 * vector types; 32 at a time with AVX2 where the CPU has it (checked once
 * at run time), by nibble tables (find32, below).
 */
typedef char fy_v16 __attribute__((vector_size(16), aligned(1)));

/*
 * out = the positions of s[i..i+W-1] (i >= 2, s[i + W] readable) where
 * try_at can match: a first and second byte that may_start could accept
 * (either case: try_at sorts them out), not after a word byte (after_word)
 * unless the first is '-'. Most words of ordinary text fail on one of the
 * two bytes, so these compares do the work of most calls to try_at.
 */
#define CANDIDATES(VT, s, i, raw, out)                                                         \
	do {                                                                                   \
		const VT v = *(const VT *)((s) + (i)), prev = *(const VT *)((s) + (i) - 1);   \
		const VT lv = v | 0x20, lp = prev | 0x20, ln = *(const VT *)((s) + (i) + 1) | 0x20; \
		const VT dash = v == '-';                                                      \
		VT word;                                                                       \
		(out) = (lv == 'a') & ((ln == 'w') | (ln == 'p') | (ln == 'c') | (ln == 'k') |  \
				       (ln == 's') | (ln == 'b') | (ln == 'g') | (ln == 'i') |  \
				       (ln == 'n') | (ln == 'r'));                             \
		(out) |= (lv == 's') & ((ln == 'k') | (ln == 'e') | (ln == 'h') | (ln == 'i')); \
		(out) |= (lv == 'g') & ((ln == 'h') | (ln == 'i'));                            \
		(out) |= (lv == 'x') & ((ln == 'o') | (ln == '-'));                            \
		(out) |= ((lv == 'r') & (ln == 'k')) | ((lv == 'e') & (ln == 'y')) |           \
			 ((lv == 'o') & (ln == 'c')) | ((lv == 'b') & (ln == 'e')) |           \
			 (dash & (ln == '-'));                                                 \
		/* a letter (bytes >= 0x80 are negative), a digit or '_' */                    \
		word = ((lp >= 'a') & (lp <= 'z')) | ((prev >= '0') & (prev <= '9')) | (prev == '_'); \
		if (raw)                                                                       \
			word &= ~(*(const VT *)((s) + (i) - 2) == '\\');                       \
		(out) &= ~(word & ~dash);                                                      \
	} while (0)

/*
 * Try every candidate position of s[*ip..] sixteen bytes at a time, while
 * a whole vector and the byte after it fit; *ip is where the caller goes on.
 */
static int find16(const unsigned char *s, size_t n, size_t *ip, struct fy_secret_match *m, int raw)
{
	for (; *ip + 16 < n; *ip += 16) {
		fy_v16 c;
		uint32_t mask;

		CANDIDATES(fy_v16, s, *ip, raw, c);
		for (mask = (uint32_t)_mm_movemask_epi8((__m128i)c); mask; mask &= mask - 1)
			if (try_at(s, n, *ip + (size_t)__builtin_ctz(mask), m, raw))
				return 1;
	}
	return 0;
}

/*
 * The first and second bytes that can start a shape or key word (as
 * written: key words in either case), in eleven groups: what may_start
 * accepts (fy_secret_selftest checks that they agree). The AVX2 path looks
 * the two bytes of every position up by nibble in tables built from these,
 * as Hyperscan's Teddy does: a pair passes when its four nibbles share a
 * group. Each group is chosen so that its nibbles combine into few other
 * pairs ("as" and "ag", the starts of common words, in none), so that
 * nearly every position that passes is one may_start accepts.
 */
static const char *const start_pairs[][2] = {
	{ "A", "KSBCGINRP" }, { "aA", "wWpP" }, { "aA", "cC" }, { "sS", "keEhHiI" },
	{ "r", "k" }, { "g", "hi" }, { "xX", "o-" }, { "e", "y" }, { "oO", "cC" },
	{ "bB", "eE" }, { "-", "-" },
};
#define NGROUPS (sizeof(start_pairs) / sizeof(start_pairs[0]))
/*
 * [set][0] first byte's low nibble, [1] its high nibble, [2] and [3] the
 * second byte's: set 0 holds groups 0-7, set 1 the others.
 */
static unsigned char pair_nibbles[2][4][16];
static int have_avx2;			/* the CPU has AVX2 (set with the tables) */
static pthread_once_t pair_once = PTHREAD_ONCE_INIT;
/*
 * The word bytes of c_word by nibble: [0] low, [1] high; a byte is one when
 * the two share a bit. 1: 0-9; 2: A-O, a-o; 4: P-Z, p-z; 8: '_'.
 */
static const unsigned char word_nibbles[2][16] = {
	{ 5, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 2, 2, 2, 2, 10 },
	{ 0, 0, 0, 1, 2, 12, 2, 4, 0, 0, 0, 0, 0, 0, 0, 0 },
};

static void pair_nibbles_init(void)
{
	size_t g, b, k;

#if defined(__GNUC__) && defined(__x86_64__)
	have_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
#endif
	for (g = 0; g < NGROUPS; g++)
		for (b = 0; b < 2; b++)
			for (k = 0; start_pairs[g][b][k]; k++) {
				unsigned char c = (unsigned char)start_pairs[g][b][k];

				pair_nibbles[g / 8][2 * b][c & 15] |= (unsigned char)(1u << (g % 8));
				pair_nibbles[g / 8][2 * b + 1][c >> 4] |= (unsigned char)(1u << (g % 8));
			}
}

/* Whether pair c0 c1 is in a group by the nibble tables (what vpshufb looks up). */
static int pair_grouped(unsigned char c0, unsigned char c1)
{
	const unsigned char (*t)[16];
	int set;

	for (set = 0; set < 2; set++) {
		t = pair_nibbles[set];
		if (t[0][c0 & 15] & t[1][c0 >> 4] & t[2][c1 & 15] & t[3][c1 >> 4])
			return 1;
	}
	return 0;
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define FY_HAVE_AVX2_PATH 1

/* The nibbles of b looked up in t (lo: the low ones, else the high ones). */
__attribute__((target("avx2"))) static inline __m256i nibble_lookup(__m256i t, __m256i b, int lo)
{
	const __m256i low = _mm256_set1_epi8(0x0f);

	return _mm256_shuffle_epi8(t, _mm256_and_si256(lo ? b : _mm256_srli_epi16(b, 4), low));
}

/* The positions of one set's groups among the pairs b0 b1. */
__attribute__((target("avx2"))) static inline __m256i pair_lookup(const __m256i *t, __m256i b0,
								  __m256i b1)
{
	return _mm256_and_si256(_mm256_and_si256(nibble_lookup(t[0], b0, 1), nibble_lookup(t[1], b0, 0)),
				_mm256_and_si256(nibble_lookup(t[2], b1, 1), nibble_lookup(t[3], b1, 0)));
}

/* After pthread_once(&pair_once, ...): the tables are built. */
__attribute__((target("avx2"))) static int find32(const unsigned char *s, size_t n, size_t *ip,
						 struct fy_secret_match *m, int raw)
{
	const __m256i zero = _mm256_setzero_si256();
	__m256i t[2][4], wt[2];
	int k;

	for (k = 0; k < 8; k++)
		t[k / 4][k % 4] = _mm256_broadcastsi128_si256(
			_mm_loadu_si128((const __m128i *)pair_nibbles[k / 4][k % 4]));
	for (k = 0; k < 2; k++)
		wt[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)word_nibbles[k]));
	for (; *ip + 32 < n; *ip += 32) {
		const __m256i b0 = _mm256_loadu_si256((const __m256i *)(s + *ip));
		const __m256i b1 = _mm256_loadu_si256((const __m256i *)(s + *ip + 1));
		const __m256i before = _mm256_loadu_si256((const __m256i *)(s + *ip - 1));
		__m256i pair = _mm256_or_si256(pair_lookup(t[0], b0, b1), pair_lookup(t[1], b0, b1));
		/* not after a word byte (after_word), or a '-' */
		__m256i free = _mm256_cmpeq_epi8(_mm256_and_si256(nibble_lookup(wt[0], before, 1),
								  nibble_lookup(wt[1], before, 0)), zero);
		uint32_t mask;

		/*
		 * Pairs inside words ("se" in "these") are common: filtering
		 * them out before the branch keeps it predictable.
		 */
		if (raw)
			free = _mm256_or_si256(free, _mm256_cmpeq_epi8(
				_mm256_loadu_si256((const __m256i *)(s + *ip - 2)), _mm256_set1_epi8('\\')));
		free = _mm256_or_si256(free, _mm256_cmpeq_epi8(b0, _mm256_set1_epi8('-')));
		pair = _mm256_andnot_si256(_mm256_cmpeq_epi8(pair, zero), free);
		mask = (uint32_t)_mm256_movemask_epi8(pair);
		if (!mask)
			continue;
		for (; mask; mask &= mask - 1)
			if (try_at(s, n, *ip + (size_t)__builtin_ctz(mask), m, raw))
				return 1;
	}
	return 0;
}
#endif

/* The candidates in the last bytes s[i..n) (i >= 2, n - i <= 16), from a padded copy. */
static int find_tail(const unsigned char *s, size_t n, size_t i, struct fy_secret_match *m,
		     int raw)
{
	unsigned char pad[48] = { 0 };
	uint32_t mask;
	fy_v16 c;

	memcpy(pad, s + i - 2, n - i + 2);
	CANDIDATES(fy_v16, pad, 2, raw, c);
	mask = (uint32_t)_mm_movemask_epi8((__m128i)c) & ((1u << (n - i - 1)) - 1);
	for (; mask; mask &= mask - 1)
		if (try_at(s, n, i + (size_t)__builtin_ctz(mask), m, raw))
			return 1;
	return 0;
}
#endif

static int find(const unsigned char *s, size_t n, size_t i, struct fy_secret_match *m, int raw)
{
	/* The vectors read two bytes before each position: the first two one at a time. */
	for (; i < 2 && i + 1 < n; i++)
		if (try_at(s, n, i, m, raw))
			return 1;
#ifdef __SSE2__
#ifdef FY_HAVE_AVX2_PATH
	pthread_once(&pair_once, pair_nibbles_init);
	if (have_avx2 && find32(s, n, &i, m, raw))
		return 1;
#endif
	if (find16(s, n, &i, m, raw))
		return 1;
	/* Most strings are short: byte by byte, their tails would cost more than the rest. */
	return i + 1 < n ? find_tail(s, n, i, m, raw) : 0;
#else
	for (; i + 1 < n; i++)
		if (try_at(s, n, i, m, raw))
			return 1;
	return 0;
#endif
}

int fy_secret_selftest(void)
{
	unsigned c0, c1;

	pthread_once(&pair_once, pair_nibbles_init);
	for (c0 = 0; c0 < 256; c0++)
		if (!!(word_nibbles[0][c0 & 15] & word_nibbles[1][c0 >> 4]) != c_word((unsigned char)c0))
			return -1;
	for (c0 = 0; c0 < 256; c0++)
		for (c1 = 0; c1 < 256; c1++) {
			if (!may_start((unsigned char)c0, (unsigned char)c1))
				continue;
			if (!pair_grouped((unsigned char)c0, (unsigned char)c1))
				return -1;
#ifdef __SSE2__
			{
				unsigned char buf[48] = { ' ', ' ', (unsigned char)c0, (unsigned char)c1 };
				fy_v16 c;

				CANDIDATES(fy_v16, buf, 2, 0, c);
				if (!(_mm_movemask_epi8((__m128i)c) & 1))
					return -1;
			}
#endif
		}
	return 0;
}

int fy_secret_find(const char *text, size_t n, size_t from, struct fy_secret_match *m)
{
	return find((const unsigned char *)text, n, from, m, 0);
}

int fy_secret_find_raw(const char *json, size_t n, struct fy_secret_match *m)
{
	return find((const unsigned char *)json, n, 0, m, 1);
}

/* One pass of fy_secret_redact: s with each match found in it replaced. */
static int redact_pass(const char *s, size_t n, struct fy_buf *out, size_t *count, struct fy_error *err)
{
	struct fy_secret_match m;
	size_t pos = 0;

	while (fy_secret_find(s, n, pos, &m)) {
		if (fy_buf_add(out, s + pos, m.off - pos, err) < 0 ||
		    fy_buf_addf(out, err, "[REDACTED:%s]", fy_secret_kind_name(m.kind)) < 0)
			return -1;
		pos = m.off + m.len;
		(*count)++;
	}
	return fy_buf_add(out, s + pos, n - pos, err);
}

/*
 * A replacement can complete a shape that its neighbours did not make
 * before (an AWS secret is 40 characters followed by a non-base64 byte: the
 * '[' of a redacted key right after it is one). So redact again until
 * nothing is found (each pass consumes bytes of the input; 64 passes is a
 * backstop).
 */
int fy_secret_redact(const char *s, size_t n, struct fy_buf *out, size_t *count,
		     struct fy_error *err)
{
	struct fy_buf a = FY_BUF_INIT(out->max), b = FY_BUF_INIT(out->max), t;
	struct fy_secret_match m;
	int rc = -1, passes = 0;

	if (redact_pass(s, n, &a, count, err) < 0)
		goto out;
	while (a.len && fy_secret_find(a.ptr, a.len, 0, &m)) {
		if (++passes > 64) {
			fy_error_set(err, FY_E_DATA, "credentials keep reappearing after 64 redactions");
			goto out;
		}
		fy_buf_reset(&b);
		if (redact_pass(a.ptr, a.len, &b, count, err) < 0)
			goto out;
		t = a;
		a = b;
		b = t;
	}
	rc = fy_buf_add(out, a.ptr, a.len, err);
out:
	fy_buf_release(&a);
	fy_buf_release(&b);
	return rc;
}

/* What a key name may put between its words: "api-key", "api_key", "API Key". */
static int is_key_separator(char c)
{
	return c == '-' || c == '_' || c == '.' || c == ' ';
}

int fy_secret_key_name(const char *key, size_t n)
{
#define SFX(lit) { lit, sizeof(lit) - 1 }
	static const struct { const char *s; size_t n; } suffixes[] = {
		SFX("apikey"), SFX("apitoken"), SFX("accesstoken"), SFX("authtoken"), SFX("secret"),
		SFX("secretkey"), SFX("password"), SFX("passwd"), SFX("privatekey"),
		SFX("subscriptionkey"), SFX("accountkey"), SFX("authorization"), SFX("connectionstring"),
	};
#undef SFX
	char norm[64];
	size_t i, len = 0, k;

	/* "$secret" names a reference, and "$..." keys are markup, not data. */
	if (n && key[0] == '$')
		return 0;
	/*
	 * Every name below has five letters or more and ends in y, n, t, d or
	 * g: most keys stop here, unread. (This runs for every string member
	 * of every record: no strchr.)
	 */
	if (n < 5)
		return 0;
	for (i = n; i > 0 && is_key_separator(key[i - 1]); i--)
		;
	if (!i)
		return 0;
	switch (key[i - 1] | 0x20) {
	case 'y': case 'n': case 't': case 'd': case 'g':
		break;
	default:
		return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)key[i];

		if (is_key_separator((char)c))
			continue;
		if (len == sizeof(norm) - 1)
			return 0;
		norm[len++] = (char)(c_upper(c) ? c + 32 : c);
	}
	norm[len] = '\0';
	if (strcmp(norm, "token") == 0)
		return 1;
	for (k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++) {
		size_t sl = suffixes[k].n;

		if (len >= sl && norm[len - 1] == suffixes[k].s[sl - 1] &&
		    memcmp(norm + len - sl, suffixes[k].s, sl) == 0)
			return 1;
	}
	return 0;
}

int fy_secret_literal(const char *value, size_t n)
{
	const unsigned char *s = (const unsigned char *)value;
	size_t i, start = 0;
	int same = 1;

	if (n < 8 || n > 8192)
		return 0;
	if (strchr("${<%[", s[0]) && s[0])
		return 0;
	if (starts(s, n, 0, "bearer ", 1) || starts(s, n, 0, "basic ", 1))
		start = s[1] == 'e' || s[1] == 'E' ? 7 : 6;
	for (i = start; i < n; i++) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == 0)
			return 0;
		if (s[i] != s[start])
			same = 0;
	}
	if (same || n - start < 8 || memmem(value, n, "REDACTED", 8))
		return 0;
	return 1;
}
