/*
 * secrets.h - find credentials inside free text.
 *
 * Structured credentials never enter an archive: adapters turn them into
 * {"$secret": NAME} references, and the schemas refuse a literal value
 * where a reference belongs (an MCP header, say). But people paste keys
 * into conversations and memories, and configuration copied from a
 * provider can hide one in a free-form field. This scanner recognises the
 * common credential shapes in text so that an export can report them (a
 * ledger line, never the value) or replace them with a marker
 * ("[REDACTED:openai-key]") before a backup is shared.
 *
 * It lives in formats/ because it is pure text analysis that both sides
 * need: the writer's validation threads scan records on the way in
 * (recscan.h, for the export pump in adapters/pump.c),
 * the HTTP module can redact traces and error bodies, and a tool can scan
 * an archive it only reads.
 *
 * Shapes (each needs a word boundary before it; the lengths are minimums):
 *   openai-key        sk-[A-Za-z0-9_-]{20,} with a digit and a letter
 *                     (sk-proj-, sk-svcacct-, sk-admin- included)
 *   anthropic-key     sk-ant-[A-Za-z0-9_-]{20,}
 *   aws-access-key-id AKIA, ASIA, ABIA, ACCA, AIDA, AROA, ... + 16 [A-Z0-9]
 *   aws-secret-key    40 [A-Za-z0-9/+] after aws_secret_access_key,
 *                     secret_access_key, SecretAccessKey (any case, - or _)
 *   google-api-key    AIza + 35 [A-Za-z0-9_-]
 *   azure-key         AccountKey=, SharedAccessKey=, a sig= URL signature, or
 *                     32+ [A-Za-z0-9] after api-key / Ocp-Apim-Subscription-Key
 *   github-token      gh[pousr]_ + 36, github_pat_ + 22
 *   slack-token       xox[abposr]- + 10
 *   stripe-key        sk_live_, rk_live_, sk_test_ + 16
 *   bearer-token      the token after "Bearer " (16+ token characters)
 *   jwt               eyJ....eyJ....[signature]
 *   private-key       -----BEGIN ... PRIVATE KEY----- through its END line
 * And by key, for structured data: a literal value (not a placeholder such as
 * "${OPENAI_API_KEY}" or "{{ $env.KEY }}") stored under a key that names a
 * credential ("api_key", "Authorization", "client_secret", "password", ...)
 * is a "credential" whatever its shape.
 * False positives are possible (that is why the default is to report);
 * a key split by a line break or hidden in an encoding is not found.
 */
#ifndef FY_SECRETS_H
#define FY_SECRETS_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

enum fy_secret_kind {
	FY_SECRET_NONE = 0,
	FY_SECRET_OPENAI,
	FY_SECRET_ANTHROPIC,
	FY_SECRET_AWS_KEY_ID,
	FY_SECRET_AWS_SECRET,
	FY_SECRET_GOOGLE,
	FY_SECRET_AZURE,
	FY_SECRET_GITHUB,
	FY_SECRET_SLACK,
	FY_SECRET_STRIPE,
	FY_SECRET_BEARER,
	FY_SECRET_JWT,
	FY_SECRET_PRIVATE_KEY,
	FY_SECRET_CREDENTIAL,	/* any literal value stored under a credential's key name */
	FY_SECRET__COUNT
};

/*
 * No shape fits in fewer bytes (the shortest is a Slack token, "xoxb-" and
 * ten more): a shorter text holds none. Key-named credentials (below) are
 * found by their key, not here.
 */
#define FY_SECRET_MIN_LEN 15

struct fy_secret_match {
	enum fy_secret_kind kind;
	size_t off, len;	/* the credential itself, within the text */
};

/* "openai-key", "jwt", ...; "secret" for an invalid kind. */
const char *fy_secret_kind_name(enum fy_secret_kind kind);

/*
 * The first credential in s[0..n) that starts at or after from: 1 with *m
 * filled, or 0. The text need not be NUL-terminated or valid UTF-8.
 */
int fy_secret_find(const char *s, size_t n, size_t from, struct fy_secret_match *m);

/*
 * Whether the strings of a JSON text, read as written (escapes not
 * decoded), may hold a credential: fy_secret_find on the text, where an
 * escape such as "\n" ends a word as the character it stands for would,
 * and separators written as escapes count. It may say 1 where the decoded
 * strings hold none (a key word in one string, its value in the next);
 * never 0 where one holds a shape - unless the shape is itself escaped
 * (a \u escape like \u00e9, or \/): decode the strings that hold those escapes and
 * search them with fy_secret_find. *m is the match in the raw text.
 */
int fy_secret_find_raw(const char *json, size_t n, struct fy_secret_match *m);

/*
 * 0 when the fast filters pass every pair of bytes that can start a shape
 * (the vector compares and the nibble tables agree with the scalar
 * checks); -1 when a change to the shapes left one of them behind. For the
 * tests.
 */
int fy_secret_selftest(void);

/*
 * Append s[0..n) to out with every credential replaced by
 * "[REDACTED:<kind>]", again until no credential is left (a replacement can
 * complete a shape with its neighbours); adds the number replaced to *count.
 */
int fy_secret_redact(const char *s, size_t n, struct fy_buf *out, size_t *count,
		     struct fy_error *err);

/*
 * 1 when an object key names a credential: after lower-casing and dropping
 * '-', '_', '.' and spaces it is "token" or ends in apikey, apitoken,
 * accesstoken, authtoken, secret, secretkey, password, passwd, privatekey,
 * subscriptionkey, accountkey, authorization or connectionstring. Keys
 * starting with '$' ("$secret": a reference's name) never do.
 */
int fy_secret_key_name(const char *key, size_t n);

/*
 * 1 when a value stored under such a key looks like a literal credential:
 * 8 to 8192 bytes, no white space (except after "Bearer " or "Basic "),
 * not a placeholder or reference ($..., {{...}}, <...>, %...%, [...]) and
 * not one character repeated ("********").
 */
int fy_secret_literal(const char *value, size_t n);

#endif
