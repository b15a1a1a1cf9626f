/*
 * test_sigv4.c - adapters/sigv4.c: canonical forms, the AgentCore path
 * case, credentials, regions, endpoints and the HTTP hook. The published
 * AWS test suite runs in tests/cli/t-sigv4.sh (it reads ../shared/corpus).
 */
#include <stdlib.h>
#include <string.h>

#include "sigv4.h"
#include "unit.h"

static const char *const aws_vars[] = {
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
	"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_REGION", "AWS_DEFAULT_REGION",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", "HOME",
};

static char *saved[sizeof(aws_vars) / sizeof(aws_vars[0])];

/* A clean AWS environment with HOME at the test folder. */
static void env_clear(void)
{
	size_t i;

	for (i = 0; i < sizeof(aws_vars) / sizeof(aws_vars[0]); i++) {
		const char *v = getenv(aws_vars[i]);

		saved[i] = v ? strdup(v) : NULL;
		unsetenv(aws_vars[i]);
	}
	setenv("HOME", ".", 1);
}

static void env_restore(void)
{
	size_t i;

	for (i = 0; i < sizeof(aws_vars) / sizeof(aws_vars[0]); i++) {
		if (saved[i])
			setenv(aws_vars[i], saved[i], 1);
		else
			unsetenv(aws_vars[i]);
		free(saved[i]);
		saved[i] = NULL;
	}
}

static void write_text(const char *path, const char *text)
{
	unit_write_file(path, text, strlen(text));
}

static char *curi(const char *path, unsigned flags)
{
	struct fy_buf b = FY_BUF_INIT(1 << 16);

	if (fy_sigv4_canonical_uri(path, flags, &b, NULL) < 0) {
		fy_buf_release(&b);
		return NULL;
	}
	return fy_buf_detach(&b, NULL);
}

TEST(sigv4_agentcore_path_is_encoded_twice)
{
	char *a = curi("/memories/mem-1/actor/tenant-a%3Auser%2F42/sessions", 0);
	char *b = curi("/memories/mem-1/actor/tenant-a%3Auser%2F42/sessions", FY_SIGV4_S3);
	char *c = curi("/a/./b/../c//d/", 0);
	char *d = curi("", 0);

	CHECK_STR(a, "/memories/mem-1/actor/tenant-a%253Auser%252F42/sessions");
	CHECK_STR(b, "/memories/mem-1/actor/tenant-a%3Auser%2F42/sessions");
	CHECK_STR(c, "/a/c/d/");
	CHECK_STR(d, "/");
	free(a);
	free(b);
	free(c);
	free(d);
}

TEST(sigv4_query_is_sorted_and_encoded)
{
	struct fy_buf b = FY_BUF_INIT(1 << 16);

	CHECK(fy_sigv4_canonical_query("prefix=run1/&list-type=2&a&z=%7e+x", &b, NULL) == 0);
	CHECK_STR(b.ptr, "a=&list-type=2&prefix=run1%2F&z=~%2Bx");
	fy_buf_release(&b);
}

TEST(sigv4_sign_adds_date_token_and_authorization)
{
	const char *hdrs[] = { "Host: example.amazonaws.com", "Content-Type: application/json", NULL };
	struct fy_sigv4_params p = { .access_key = "AKIDEXAMPLE", .secret_key = "secret",
				     .session_token = "tok123456", .region = "us-east-1",
				     .service = "bedrock-agentcore", .time = 1440938160 };
	struct fy_sigv4_request rq = { .method = "POST", .path = "/x", .headers = hdrs,
				       .payload_sha256 = "UNSIGNED-PAYLOAD" };
	struct fy_sigv4_result r;
	struct fy_buf out = FY_BUF_INIT(1 << 16);

	fy_sigv4_result_init(&r);
	CHECK(fy_sigv4_sign(&p, &rq, &out, &r, NULL) == 0);
	CHECK(strstr(out.ptr, "X-Amz-Date: 20150830T123600Z\n") != NULL);
	CHECK(strstr(out.ptr, "X-Amz-Security-Token: tok123456\n") != NULL);
	CHECK(strstr(out.ptr, "Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock-agentcore/aws4_request, "
			      "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=") != NULL);
	CHECK_STR(r.scope, "20150830/us-east-1/bedrock-agentcore/aws4_request");
	CHECK(strlen(r.signature) == 64);
	/* The same request at another second signs differently. */
	{
		char first[65];

		memcpy(first, r.signature, 65);
		p.time++;
		CHECK(fy_sigv4_sign(&p, &rq, NULL, &r, NULL) == 0);
		CHECK(strcmp(first, r.signature) != 0);
	}
	p.access_key = "";
	CHECK(fy_sigv4_sign(&p, &rq, NULL, NULL, NULL) < 0);
	fy_sigv4_result_release(&r);
	fy_buf_release(&out);
}

TEST(sigv4_http_hook_signs_what_curl_sends)
{
	struct fy_aws_credentials c = { .access_key = "AKIDEXAMPLE", .secret_key = "secret" };
	struct fy_sigv4_signer s = { .cred = &c, .region = "us-west-2", .service = "bedrock" };
	const char *hdrs[] = { "Content-Type: application/json", "Expect:", "x-amz-content-sha256: abc",
			       NULL };
	struct fy_http_signing sg = { .method = "GET",
				      .url = "http://127.0.0.1:8080/agents/?maxResults=5&a=1",
				      .headers = hdrs, .payload_sha256 = "abc", .now = 1440938160 };
	struct fy_buf out = FY_BUF_INIT(1 << 16);
	struct fy_error err;

	CHECK(fy_sigv4_http_sign(&s, &sg, &out, &err) == 0);
	CHECK(strstr(out.ptr, "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date,") != NULL);
	CHECK(strstr(out.ptr, "x-amz-content-sha256: ") == NULL);	/* http.c already sent it */
	{
		/* The same through the signer with Host spelled out gives the same signature. */
		const char *h2[] = { "Host: 127.0.0.1:8080", "Content-Type: application/json",
				     "x-amz-content-sha256: abc", NULL };
		struct fy_sigv4_params p = { .access_key = "AKIDEXAMPLE", .secret_key = "secret",
					     .region = "us-west-2", .service = "bedrock",
					     .time = 1440938160 };
		struct fy_sigv4_request rq = { .method = "GET", .path = "/agents/",
					       .query = "a=1&maxResults=5", .headers = h2,
					       .payload_sha256 = "abc" };
		struct fy_sigv4_result r;

		fy_sigv4_result_init(&r);
		CHECK(fy_sigv4_sign(&p, &rq, NULL, &r, NULL) == 0);
		CHECK(strstr(out.ptr, r.signature) != NULL);
		fy_sigv4_result_release(&r);
	}
	fy_buf_release(&out);
	/* A default port is left out of Host, as curl does. */
	sg.url = "https://bedrock.us-west-2.amazonaws.com:443/x";
	CHECK(fy_sigv4_http_sign(&s, &sg, &out, &err) == 0);
	fy_buf_release(&out);
}

TEST(sigv4_credentials_from_environment_and_files)
{
	struct fy_aws_credentials c;
	struct fy_error err;

	env_clear();
	CHECK(fy_aws_credentials_load(&c, &err) < 0 && err.code == FY_E_AUTH);
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	CHECK(fy_aws_credentials_load(&c, &err) < 0 && err.code == FY_E_AUTH &&
	      strstr(err.msg, "AWS_SECRET_ACCESS_KEY"));
	setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
	setenv("AWS_SESSION_TOKEN", "envtoken", 1);
	CHECK(fy_aws_credentials_load(&c, &err) == 0);
	CHECK_STR(c.access_key, "AKIAENV");
	CHECK_STR(c.session_token, "envtoken");
	CHECK_STR(c.source, "environment");
	fy_aws_credentials_release(&c);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");

	write_text("creds", "# comment\n[default]\naws_access_key_id = AKIADEF\n"
				 "aws_secret_access_key=defsecret\n\n[dev]\n"
				 " aws_access_key_id = AKIADEV \naws_secret_access_key = devsecret\r\n"
				 "aws_session_token = devtoken\n[half]\naws_access_key_id = X\n");
	setenv("AWS_SHARED_CREDENTIALS_FILE", "creds", 1);
	CHECK(fy_aws_credentials_load(&c, &err) == 0);
	CHECK_STR(c.access_key, "AKIADEF");
	CHECK(c.session_token == NULL);
	fy_aws_credentials_release(&c);
	setenv("AWS_PROFILE", "dev", 1);
	CHECK(fy_aws_credentials_load(&c, &err) == 0);
	CHECK_STR(c.access_key, "AKIADEV");
	CHECK_STR(c.secret_key, "devsecret");
	CHECK_STR(c.session_token, "devtoken");
	CHECK(strstr(c.source, "profile dev") != NULL);
	fy_aws_credentials_release(&c);
	setenv("AWS_PROFILE", "half", 1);
	CHECK(fy_aws_credentials_load(&c, &err) < 0 && err.code == FY_E_DATA);

	/* The config file: "[profile NAME]", and profiles it cannot resolve. */
	write_text("config", "[profile cfg]\naws_access_key_id=AKIACFG\naws_secret_access_key=c\n"
				  "region = eu-west-3\n[profile role]\nrole_arn = arn:aws:iam::1:role/x\n");
	setenv("AWS_CONFIG_FILE", "config", 1);
	setenv("AWS_PROFILE", "cfg", 1);
	CHECK(fy_aws_credentials_load(&c, &err) == 0);
	CHECK_STR(c.access_key, "AKIACFG");
	fy_aws_credentials_release(&c);
	setenv("AWS_PROFILE", "role", 1);
	CHECK(fy_aws_credentials_load(&c, &err) < 0 && err.code == FY_E_UNSUPPORTED);
	setenv("AWS_PROFILE", "nosuch", 1);
	CHECK(fy_aws_credentials_load(&c, &err) < 0 && err.code == FY_E_AUTH);
	env_restore();
}

TEST(sigv4_region_and_endpoint)
{
	char r[64], url[1024];
	struct fy_error err;

	env_clear();
	CHECK(fy_aws_region(NULL, r, sizeof(r), &err) < 0 && err.code == FY_E_USAGE);
	setenv("AWS_DEFAULT_REGION", "eu-central-1", 1);
	CHECK(fy_aws_region(NULL, r, sizeof(r), &err) == 0 && strcmp(r, "eu-central-1") == 0);
	setenv("AWS_REGION", "us-west-2", 1);
	CHECK(fy_aws_region(NULL, r, sizeof(r), &err) == 0 && strcmp(r, "us-west-2") == 0);
	CHECK(fy_aws_region("ap-south-1", r, sizeof(r), &err) == 0 && strcmp(r, "ap-south-1") == 0);
	CHECK(fy_aws_region("Not/A/Region", r, sizeof(r), &err) < 0);
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	write_text("config", "[default]\nregion = sa-east-1\n");
	setenv("AWS_CONFIG_FILE", "config", 1);
	CHECK(fy_aws_region(NULL, r, sizeof(r), &err) == 0 && strcmp(r, "sa-east-1") == 0);

	CHECK(fy_aws_endpoint("Bedrock AgentCore", "bedrock-agentcore", "us-east-1", url, sizeof(url),
			      &err) == 0);
	CHECK(strcmp(url, "https://bedrock-agentcore.us-east-1.amazonaws.com") == 0);
	CHECK(fy_aws_endpoint("Bedrock Agent", "bedrock-agent", "cn-north-1", url, sizeof(url), &err) == 0);
	CHECK(strcmp(url, "https://bedrock-agent.cn-north-1.amazonaws.com.cn") == 0);
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000/", 1);
	CHECK(fy_aws_endpoint("Bedrock Agent", "bedrock-agent", "us-east-1", url, sizeof(url), &err) == 0);
	CHECK(strcmp(url, "http://127.0.0.1:9000") == 0);
	setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", "http://127.0.0.1:9001", 1);
	CHECK(fy_aws_endpoint("Bedrock AgentCore", "bedrock-agentcore", "us-east-1", url, sizeof(url),
			      &err) == 0);
	CHECK(strcmp(url, "http://127.0.0.1:9001") == 0);
	CHECK(fy_aws_endpoint("Bedrock AgentCore Control", "bedrock-agentcore-control", "us-east-1",
			      url, sizeof(url), &err) == 0);
	CHECK(strcmp(url, "http://127.0.0.1:9000") == 0);
	env_restore();
}
