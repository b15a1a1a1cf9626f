/* test_schema.c - record validation against formats/schema/ and the checker. */
#include <stdlib.h>

#include "check.h"
#include "json.h"
#include "schema.h"
#include "unit.h"

/* Validate text as kind; returns 0, or -1 with err set. */
static int validate(enum fy_kind kind, const char *text, struct fy_error *err)
{
	const struct fy_schemaset *s = fy_schemaset_default(err);
	struct fy_jdoc d;
	int rc;

	if (!s)
		return -1;
	fy_jdoc_init(&d);
	rc = fy_jdoc_parse(&d, text, strlen(text), 0, err);
	if (rc == 0)
		rc = fy_schema_validate_kind(s, kind, &d, 0, 0, err);
	fy_jdoc_release(&d);
	return rc;
}

#define SRC ",\"source\":{\"adapter\":\"dir\"}"

TEST(schemas_compile)
{
	struct fy_error err;

	CHECK(fy_schemaset_default(&err) != NULL);
}

TEST(valid_records_pass)
{
	struct fy_error err;

	fy_error_clear(&err);
	CHECK(validate(FY_KIND_AGENT, "{\"kind\":\"agent\",\"id\":\"a\",\"name\":\"A\"" SRC "}", &err) == 0);
	CHECK(validate(FY_KIND_MESSAGE, "{\"kind\":\"message\",\"id\":\"m\",\"thread\":\"t\",\"parent\":null,"
				       "\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"text\":\"hi\"},"
				       "{\"type\":\"tool_call\",\"id\":\"c\",\"name\":\"f\",\"arguments\":\"{}\"}]"
				       SRC "}", &err) == 0);
	CHECK(validate(FY_KIND_MEMORY, "{\"kind\":\"memory\",\"id\":\"m\",\"scope\":{\"type\":\"user\"},"
				      "\"type\":\"fact\",\"text\":\"x\",\"embedding\":{\"model\":\"e\","
				      "\"dimensions\":2,\"vector\":[0.1,-2e-3]}" SRC "}", &err) == 0);
	if (err.code)
		fprintf(stderr, "#   %s\n", err.msg);
}

TEST(schema_errors_name_the_field)
{
	struct fy_error err;

	CHECK(validate(FY_KIND_MESSAGE, "{\"kind\":\"message\",\"id\":\"m\",\"thread\":\"t\",\"role\":\"user\","
				       "\"parts\":[]" SRC "}", &err) < 0);
	CHECK(strstr(err.msg, "'parent'") != NULL);
	CHECK(validate(FY_KIND_MESSAGE, "{\"kind\":\"message\",\"id\":\"m\",\"thread\":\"t\",\"parent\":null,"
				       "\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"text\":\"a\"},"
				       "{\"type\":\"text\",\"text\":5}]" SRC "}", &err) < 0);
	CHECK(strstr(err.msg, "parts[1].text") != NULL && strstr(err.msg, "string") != NULL);
	CHECK(validate(FY_KIND_MESSAGE, "{\"kind\":\"message\",\"id\":\"m\",\"thread\":\"t\",\"parent\":null,"
				       "\"role\":\"user\",\"parts\":[{\"type\":\"hologram\"}]" SRC "}", &err) < 0);
	CHECK(strstr(err.msg, "parts[0].type") != NULL && strstr(err.msg, "hologram") != NULL);
	CHECK(validate(FY_KIND_MESSAGE, "{\"kind\":\"message\",\"id\":\"m\",\"thread\":\"t\",\"parent\":null,"
				       "\"role\":\"wizard\",\"parts\":[]" SRC "}", &err) < 0);
	CHECK(strstr(err.msg, "role") != NULL);
	CHECK(validate(FY_KIND_THREAD, "{\"kind\":\"thread\",\"id\":\"t\",\"created\":\"2024-01-01T00:00:00+02:00\""
				      SRC "}", &err) < 0);
	CHECK(strstr(err.msg, "created") != NULL);
	CHECK(validate(FY_KIND_AGENT, "{\"kind\":\"agent\",\"id\":\"a/b\",\"name\":\"A\"" SRC "}", &err) < 0);
	CHECK(strstr(err.msg, "ferry id") != NULL);
	CHECK(validate(FY_KIND_TOOL, "{\"kind\":\"tool\",\"id\":\"t\",\"type\":\"mcp\",\"name\":\"x\","
				    "\"mcp\":{\"headers\":{\"Authorization\":\"Bearer sk-123\"}}" SRC "}", &err) < 0);
	CHECK(strstr(err.msg, "mcp.headers.Authorization") != NULL);
	CHECK(validate(FY_KIND_FILE, "{\"kind\":\"file\",\"id\":\"f\",\"name\":\"n\",\"blob\":\"ABC\"" SRC "}",
		       &err) < 0);
	CHECK(strstr(err.msg, "SHA-256") != NULL);
}

#define MSG(role, parts) "{\"kind\":\"message\",\"id\":\"m\",\"thread\":\"t\",\"parent\":null," \
			   "\"role\":" role ",\"parts\":[" parts "]" SRC "}"

/* The whole message: the path as written, after an index and in a branch. */
TEST(schema_error_paths_are_exact)
{
	struct fy_error err;

	CHECK(validate(FY_KIND_MESSAGE, MSG("\"user\"", "{\"type\":\"text\",\"text\":\"a\"},"
					  "{\"type\":\"text\",\"text\":5}"), &err) < 0);
	CHECK_STR(err.msg, "field 'parts[1].text': expected a string");
	CHECK(validate(FY_KIND_MESSAGE, MSG("\"user\"", "{\"type\":\"text\"}"), &err) < 0);
	CHECK_STR(err.msg, "missing required field 'parts[0].text'");
	CHECK(validate(FY_KIND_MESSAGE, MSG("\"user\"", "{\"type\":\"text\",\"text\":\"a\","
					  "\"citations\":[{\"type\":\"citation\",\"start\":-1}]}"), &err) < 0);
	CHECK_STR(err.msg, "field 'parts[0].citations[0].start': number out of range");
	CHECK(validate(FY_KIND_MESSAGE, MSG("\"user\"", "{\"type\":\"text\",\"text\":\"a\","
					  "\"citations\":[{\"type\":\"quote\"}]}"), &err) < 0);
	CHECK_STR(err.msg, "field 'parts[0].citations[0].type': must be citation");
	CHECK(validate(FY_KIND_MESSAGE, MSG("\"wizard\"", ""), &err) < 0);
	CHECK_STR(err.msg, "field 'role': 'wizard' is not an allowed value");
	CHECK(validate(FY_KIND_MESSAGE, MSG("7", ""), &err) < 0);
	CHECK_STR(err.msg, "field 'role': 'value' is not an allowed value");
	CHECK(validate(FY_KIND_MESSAGE, MSG("\"user\"", "{\"type\":\"hologram\"}"), &err) < 0);
	CHECK_STR(err.msg, "field 'parts[0].type': unknown value 'hologram'");
	CHECK(validate(FY_KIND_MESSAGE, "{\"kind\":\"thread\",\"id\":\"m\"}", &err) < 0);
	CHECK_STR(err.msg, "field 'kind': must be message");
}

/* Escaped text equals its decoded form: for const, enum and the oneOf dispatch. */
TEST(schema_compares_strings_decoded)
{
	struct fy_error err;

	fy_error_clear(&err);
	CHECK(validate(FY_KIND_MESSAGE, "{\"kind\":\"mess\\u0061ge\",\"id\":\"m\",\"thread\":\"t\","
				       "\"parent\":null,\"role\":\"\\u0075ser\",\"parts\":[{\"type\":"
				       "\"t\\u0065xt\",\"text\":\"a\"},{\"type\":\"reasoning\",\"format\":"
				       "\"summ\\u0061ry\"}]" SRC "}", &err) == 0);
	if (err.code)
		fprintf(stderr, "#   %s\n", err.msg);
	CHECK(validate(FY_KIND_MESSAGE, MSG("\"us\\u0065rs\"", ""), &err) < 0);
	CHECK_STR(err.msg, "field 'role': 'users' is not an allowed value");
	CHECK(validate(FY_KIND_MESSAGE, MSG("\"user\"", "{\"type\":\"t\\u0065xts\"}"), &err) < 0);
	CHECK_STR(err.msg, "field 'parts[0].type': unknown value 'texts'");
}

TEST(unknown_fields_are_kept_for_newer_minors)
{
	struct fy_error err;

	CHECK(validate(FY_KIND_AGENT, "{\"kind\":\"agent\",\"id\":\"a\",\"name\":\"A\",\"future\":{\"x\":1}"
				     SRC "}", &err) == 0);
}

/* Feed records to a checker; returns the first failing index or -1. */
static int check_seq(const char *const *recs, size_t n, struct fy_error *err)
{
	struct fy_checker *c = fy_checker_new(0, err);
	struct fy_jdoc d;
	size_t i;
	int bad = -1;

	fy_jdoc_init(&d);
	for (i = 0; i < n && bad < 0; i++) {
		char kind[16] = "";
		enum fy_kind k;

		if (fy_jdoc_parse(&d, recs[i], strlen(recs[i]), 0, err) < 0) {
			bad = (int)i;
			break;
		}
		{
			char *ks = fy_json_get_strdup(&d, 0, "kind");

			snprintf(kind, sizeof(kind), "%s", ks ? ks : "");
			free(ks);
		}
		k = fy_kind_from_name(kind, strlen(kind));
		if (fy_checker_record(c, k, &d, 0, err) < 0)
			bad = (int)i;
	}
	if (bad < 0 && fy_checker_finish(c, err) < 0)
		bad = (int)n;
	fy_jdoc_release(&d);
	fy_checker_free(c);
	return bad;
}

#define T(id, extra) "{\"kind\":\"thread\",\"id\":\"" id "\"" extra "}"
#define M(id, thread, parent) \
	"{\"kind\":\"message\",\"id\":\"" id "\",\"thread\":\"" thread "\",\"parent\":" parent ",\"parts\":[]}"

TEST(checker_accepts_a_branching_tree)
{
	const char *ok[] = { T("t1", ",\"active_leaf\":\"b2\""), M("a", "t1", "null"),
			     M("b1", "t1", "\"a\""), M("b2", "t1", "\"a\""), T("t2", ""),
			     M("a", "t2", "null") };
	struct fy_error err;

	CHECK(check_seq(ok, 6, &err) == -1);
}

TEST(checker_refuses_broken_trees)
{
	struct fy_error err;
	const char *orphan[] = { M("a", "t1", "null") };
	const char *wrong_thread[] = { T("t1", ""), M("a", "t2", "null") };
	const char *missing_parent[] = { T("t1", ""), M("a", "t1", "\"zz\"") };
	const char *dup[] = { T("t1", ""), M("a", "t1", "null"), M("a", "t1", "null") };
	const char *dup_thread[] = { T("t1", ""), T("t1", "") };
	const char *leaf[] = { T("t1", ",\"active_leaf\":\"nope\""), M("a", "t1", "null") };
	const char *cycle[] = { T("t1", ""), M("a", "t1", "\"b\""), M("b", "t1", "\"a\"") };

	CHECK(check_seq(orphan, 1, &err) == 0);
	CHECK(check_seq(wrong_thread, 2, &err) == 1);
	CHECK(check_seq(missing_parent, 2, &err) == 1 && strstr(err.msg, "zz") != NULL);
	CHECK(check_seq(dup, 3, &err) == 2 && strstr(err.msg, "duplicate") != NULL);
	CHECK(check_seq(dup_thread, 2, &err) == 1);
	CHECK(check_seq(leaf, 2, &err) == 2 && strstr(err.msg, "active_leaf") != NULL);
	CHECK(check_seq(cycle, 3, &err) == 1);
}

TEST(checker_resolves_references_in_any_order)
{
	struct fy_error err;
	const char *fwd[] = {
		"{\"kind\":\"agent\",\"id\":\"a\",\"tools\":[\"t\"],\"handoffs\":[\"b\"]}",
		"{\"kind\":\"tool\",\"id\":\"t\"}",
		"{\"kind\":\"agent\",\"id\":\"b\"}",
	};
	const char *dangling[] = {
		"{\"kind\":\"agent\",\"id\":\"a\",\"knowledge\":[\"kb\"]}",
		"{\"kind\":\"tool\",\"id\":\"kb\"}",
	};
	const char *blob[] = {
		"{\"kind\":\"file\",\"id\":\"f\",\"blob\":\"d8ad2677f66b916b33d4bafccb2adcddf749781817d20ba48d3094a3ad4c2fc9\"}",
	};

	CHECK(check_seq(fwd, 3, &err) == -1);
	CHECK(check_seq(dangling, 2, &err) == 2 && strstr(err.msg, "knowledge 'kb'") != NULL);
	CHECK(check_seq(blob, 1, &err) == 1 && strstr(err.msg, "blob") != NULL);
}

/* The workflow graph as extended for n8n, Agent Spec and Bedrock Flows (SPEC.md 7.5). */
TEST(workflow_graph_extensions)
{
	struct fy_error err;

	fy_error_clear(&err);
	CHECK(validate(FY_KIND_WORKFLOW,
		       "{\"kind\":\"workflow\",\"id\":\"w\",\"name\":\"W\",\"tags\":[\"x\"],"
		       "\"variables\":[{\"name\":\"q\",\"type\":\"string\",\"schema\":{\"title\":\"q\",\"type\":\"string\"}}],"
		       "\"outputs\":[{\"name\":\"a\",\"default\":\"\"}],"
		       "\"nodes\":[{\"id\":\"m\",\"type\":\"model\",\"model\":{\"provider\":\"openai\",\"name\":\"gpt-4o-mini\"},"
		       "\"credentials\":[{\"type\":\"openAiApi\",\"name\":\"Key\",\"secret\":{\"$secret\":\"N8N_X\"}}],"
		       "\"ext\":{\"n8n\":{\"typeVersion\":1.3}}},"
		       "{\"id\":\"a\",\"type\":\"agent\",\"dialect\":\"n8n\",\"instructions\":\"Be brief\","
		       "\"prompt\":\"={{ $json.chatInput }}\",\"description\":\"d\","
		       "\"inputs\":[{\"name\":\"q\",\"schema\":{\"type\":\"string\"},\"default\":\"\"}]},"
		       "{\"id\":\"o\",\"type\":\"message\"}],"
		       "\"edges\":[{\"id\":\"e1\",\"name\":\"m_to_a\",\"from\":\"m\",\"to\":\"a\",\"kind\":\"ai_languageModel\"},"
		       "{\"from\":\"a\",\"to\":\"o\",\"kind\":\"data\",\"from_port\":\"out\",\"to_port\":\"in\",\"ext\":{\"agentspec\":{}}}]"
		       SRC "}", &err) == 0);
	if (err.code)
		fprintf(stderr, "#   %s\n", err.msg);
	/* A credential is a reference, never the value. */
	CHECK(validate(FY_KIND_WORKFLOW,
		       "{\"kind\":\"workflow\",\"id\":\"w\",\"name\":\"W\",\"edges\":[],"
		       "\"nodes\":[{\"id\":\"m\",\"type\":\"model\",\"credentials\":[{\"type\":\"openAiApi\","
		       "\"secret\":\"sk-live-123\"}]}]" SRC "}", &err) < 0);
	CHECK(strstr(err.msg, "nodes[0].credentials[0].secret") != NULL);
	CHECK(validate(FY_KIND_WORKFLOW,
		       "{\"kind\":\"workflow\",\"id\":\"w\",\"name\":\"W\",\"edges\":[],"
		       "\"nodes\":[{\"id\":\"m\",\"type\":\"widget\"}]" SRC "}", &err) < 0);
	CHECK(strstr(err.msg, "nodes[0].type") != NULL);
}
