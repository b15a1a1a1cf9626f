/*
 * aws.h - what the AWS adapters (agentcore, bedrock-agents, bedrock-flow)
 * share: a signed JSON client per service, AWS error shapes, AWS times,
 * deterministic client tokens, an outbox of items for sources, ledger
 * lines, and the HTTP tuning options every one of them accepts.
 *
 * The services (endpoint prefix, signing name; botocore/data/<name>):
 *   bedrock-agentcore          Bedrock AgentCore data plane (memory events and records)
 *   bedrock-agentcore-control  Bedrock AgentCore control plane (memories, harnesses);
 *                              signs as "bedrock-agentcore"
 *   bedrock-agent              Bedrock Agents (agents, action groups, flows); signs as "bedrock"
 *   bedrock-agent-runtime      agent memory and session management; signs as "bedrock"
 *
 * Adapter options (--option KEY=VALUE) read here: retries=N (default 10),
 * retry_base_ms=N (500), rate=R requests a second (0: none), concurrency=N (4).
 */
#ifndef FY_AWS_H
#define FY_AWS_H

#include <stddef.h>
#include <stdint.h>

#include "adapter.h"
#include "buf.h"
#include "error.h"
#include "http.h"
#include "json.h"
#include "jsonw.h"
#include "ledger.h"
#include "sigv4.h"

struct fy_aws_service {
	const char *service_id;		/* SDK service id: AWS_ENDPOINT_URL_<SERVICE_ID> */
	const char *endpoint_prefix;	/* <prefix>.<region>.amazonaws.com */
	const char *signing_name;	/* SigV4 credential scope service */
};

extern const struct fy_aws_service fy_aws_agentcore, fy_aws_agentcore_control,
	fy_aws_bedrock_agent, fy_aws_bedrock_agent_runtime;

/* An account: credentials and region, shared by the clients of one adapter. */
struct fy_aws_account {
	struct fy_aws_credentials cred;
	char region[64];
	const struct fy_adapter_ctx *ctx;	/* borrowed */
};

/*
 * Credentials from the AWS conventions (sigv4.h), the region from
 * region_hint (the adapter's location) or the AWS variables.
 */
int fy_aws_account_open(struct fy_aws_account *a, const struct fy_adapter_ctx *ctx,
			const char *region_hint, struct fy_error *err);
void fy_aws_account_close(struct fy_aws_account *a);

/* A client of one service. */
struct fy_aws {
	struct fy_http *http;		/* owned */
	struct fy_sigv4_signer signer;
	const struct fy_aws_service *svc;
	struct fy_aws_account *acct;	/* borrowed */
	char base[1024];
};

int fy_aws_open(struct fy_aws *c, struct fy_aws_account *a, const struct fy_aws_service *svc,
		struct fy_error *err);
void fy_aws_close(struct fy_aws *c);

struct fy_aws_reply {
	long status;
	struct fy_http_response resp;
	struct fy_jdoc doc;		/* the parsed body (root 0) after a 2xx */
	char error_type[128];		/* "ThrottlingException", ... after a failure */
};

void fy_aws_reply_init(struct fy_aws_reply *r);
void fy_aws_reply_release(struct fy_aws_reply *r);

/*
 * One request: path already encoded (fy_aws_path), query canonical or
 * NULL, body JSON or NULL. 0 after a 2xx with the body parsed into
 * r->doc; -1 otherwise, with err naming what (FY_E_AUTH 401/403, FY_E_DATA
 * other 4xx, FY_E_NET 429/5xx after retries) and r->error_type set from
 * X-Amzn-ErrorType or the body's __type. The reply is reset first.
 */
int fy_aws_call(struct fy_aws *c, const char *method, const char *path, const char *query,
		const struct fy_buf *body, const char *what, struct fy_aws_reply *r,
		struct fy_error *err);

/*
 * Build a path from fmt, where every %s is one path segment, percent-
 * encoded ('/' and ':' included): fy_aws_path(&b, "/memories/%s/actor/%s",
 * mem, actor). Only %s is understood. Appends to out.
 */
int fy_aws_path(struct fy_buf *out, struct fy_error *err, const char *fmt, ...);

/* An AWS timestamp: epoch seconds (a JSON number, exact to 9 digits) or ISO 8601 text. */
int fy_aws_time(const struct fy_jdoc *d, uint32_t i, int64_t *sec, int32_t *nsec);
/* Epoch seconds text for (sec, nsec): "1718806000", "1718806000.125". out[40]. */
void fy_aws_epoch_text(int64_t sec, int32_t nsec, char out[40]);

/*
 * A client token (idempotency key) derived from what is being created, so
 * a retried or resumed import sends the same token for the same object:
 * 32 hex digits of SHA-256(scope NUL source). out[33].
 */
void fy_aws_token(const char *scope, const char *source, char out[33]);

/* --- for sinks: records kept until they can be written ----------------- */

struct fy_aws_held {
	char *json;
	size_t len;
	struct fy_jdoc d;	/* json parsed, root 0 */
};

struct fy_aws_heldlist {
	struct fy_aws_held *v;
	size_t n, cap;
};

/* Keep a copy of a record, parsed. */
int fy_aws_held_add(struct fy_aws_heldlist *l, const char *json, size_t len, struct fy_error *err);
/* Forget the records (the list stays usable); release frees the list too. */
void fy_aws_held_clear(struct fy_aws_heldlist *l);
void fy_aws_held_release(struct fy_aws_heldlist *l);

/* --- for sources: items waiting to be pulled -------------------------- */

struct fy_outbox_item;

struct fy_outbox {
	struct fy_outbox_item *head, *tail;
	struct fy_outbox_item *current;	/* handed out; freed on the next pull */
	size_t count;
};

/* Queue a record (json is copied), a ledger line, or a raw member. */
int fy_outbox_record(struct fy_outbox *o, enum fy_kind kind, const char *json, size_t len,
		     struct fy_error *err);
int fy_outbox_ledger(struct fy_outbox *o, const char *json, size_t len, struct fy_error *err);
int fy_outbox_raw(struct fy_outbox *o, const char *path, const char *data, size_t len,
		  struct fy_error *err);
/* 1 and the next item (valid until the next call), or 0 when empty. */
int fy_outbox_pull(struct fy_outbox *o, struct fy_item *it);
void fy_outbox_release(struct fy_outbox *o);

/*
 * A message part ferry stored at the provider ({"ferry_part": PART}) as it
 * goes back into a record: without "blob" and "file", whose content was
 * never stored there (the hash stays at the provider, in the payload).
 * -1, writing nothing, when PART is not a valid message part (the text
 * looked like ferry's but is not: the caller keeps it as text).
 */
int fy_aws_stored_part(struct fy_jw *w, const struct fy_jdoc *d, uint32_t part);

/*
 * A record's "source": {adapter, id, url (node url of d, when present)},
 * then "ext": {adapter: { left open for the adapter's own members; close
 * both objects with two fy_jw_end.
 */
void fy_aws_source_ext(struct fy_jw *w, const char *adapter, const char *id,
		       const struct fy_jdoc *d, uint32_t url);

/* --- the ledger -------------------------------------------------------- */

/*
 * One ledger line (formats/schema/ledger.json, through fy_ledger_format)
 * into out (reset first); the reason is printf-formatted. o FY_OUT__COUNT
 * is a "warning": written to the ledger, never compared with the plan.
 */
int fy_aws_ledger_line(struct fy_buf *out, struct fy_error *err, const struct fy_ledger_item *item,
		       enum fy_outcome o, const char *rule, const char *adapter, const char *phase,
		       const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* A source's ledger line (phase "export") queued in the outbox. */
int fy_aws_export_line(struct fy_outbox *o, struct fy_error *err, const char *adapter,
		       const struct fy_ledger_item *item, enum fy_outcome oc, const char *rule,
		       const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* A sink's done-ledger line (fy_ledger_report), also logged at info level. */
int fy_aws_report(const struct fy_adapter_ctx *ctx, struct fy_error *err,
		  const struct fy_ledger_item *item, enum fy_outcome o, const char *rule,
		  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/*
 * The done-ledger lines a sink's capability table promises for a record it
 * was handed (adapter.h, "The done-ledger"), for what the sink does the
 * same way every time: the whole-record or "type=" line when its write
 * level is not native; each field line (PATH or PATH=VALUE, arrays
 * entered) that matches the record, unless native, a line without a value
 * yielding to a line with one on the same path just before it, with the
 * number of places in the reason; one held_back line (rule "rebind-secret")
 * per {"$secret": NAME} unless the table keeps secrets. Lines whose rule is
 * in skip (NULL-terminated; may be NULL) are left out: the sink did
 * something else there and reports that itself. d is the parsed record.
 */
int fy_aws_report_table(const struct fy_adapter_ctx *ctx, const struct fy_capability *caps,
			size_t ncaps, const struct fy_jdoc *d, const char *const *skip,
			struct fy_error *err);

/* Is a neutral model.provider Bedrock's ("bedrock", "aws", "amazon", any case)? */
int fy_aws_bedrock_provider(const char *provider);

/*
 * An agent whose model.provider is not Bedrock's and not named by a
 * "model.provider=VALUE" line of the table: the plan could not foresee it,
 * so a line for the field "model" (degraded, rule "model-not-bedrock",
 * the reason ends with hint). 0 or -1.
 */
int fy_aws_report_provider(const struct fy_adapter_ctx *ctx, const struct fy_capability *caps,
			   size_t ncaps, const struct fy_jdoc *d, const char *hint,
			   struct fy_error *err);

/* Log through ctx->log when there is one. */
void fy_aws_log(const struct fy_adapter_ctx *ctx, enum fy_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A numeric adapter option, or def. */
long fy_aws_option_long(const struct fy_adapter_ctx *ctx, const char *key, long def);

#endif
