/* test_s3.c - the S3 client's pure parts (adapters/s3.c): addressing, credentials, XML. */
#include <stdlib.h>
#include <unistd.h>

#include "s3.h"
#include "unit.h"

static struct fy_s3 *client(const char *endpoint, const char *region, enum fy_s3_style style,
			    struct fy_error *err)
{
	struct fy_s3_options o;

	memset(&o, 0, sizeof(o));
	o.bucket = "acme-backups";
	o.endpoint = endpoint;
	o.region = region;
	o.style = style;
	return fy_s3_new(&o, err);
}

TEST(s3_addressing_styles)
{
	struct fy_error err;
	struct fy_s3 *s;

	setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_S3");
	/* AWS by default: virtual-hosted, regional endpoint. */
	s = client(NULL, "eu-west-1", FY_S3_STYLE_AUTO, &err);
	CHECK(s != NULL);
	if (s)
		CHECK_STR(fy_s3_base_url(s), "https://acme-backups.s3.eu-west-1.amazonaws.com");
	fy_s3_free(s);
	/* An explicit endpoint: path style unless asked. */
	s = client("http://127.0.0.1:9000/", NULL, FY_S3_STYLE_AUTO, &err);
	CHECK(s != NULL);
	if (s)
		CHECK_STR(fy_s3_base_url(s), "http://127.0.0.1:9000/acme-backups");
	fy_s3_free(s);
	s = client("https://minio.example.net:9000", NULL, FY_S3_STYLE_VIRTUAL, &err);
	CHECK(s != NULL);
	if (s)
		CHECK_STR(fy_s3_base_url(s), "https://acme-backups.minio.example.net:9000");
	fy_s3_free(s);
	s = client(NULL, "us-east-2", FY_S3_STYLE_PATH, &err);
	CHECK(s != NULL);
	if (s)
		CHECK_STR(fy_s3_base_url(s), "https://s3.us-east-2.amazonaws.com/acme-backups");
	fy_s3_free(s);
	/* AWS_ENDPOINT_URL_S3 when no endpoint is given. */
	setenv("AWS_ENDPOINT_URL_S3", "http://localhost:4569", 1);
	s = client(NULL, NULL, FY_S3_STYLE_AUTO, &err);
	CHECK(s != NULL);
	if (s)
		CHECK_STR(fy_s3_base_url(s), "http://localhost:4569/acme-backups");
	fy_s3_free(s);
	unsetenv("AWS_ENDPOINT_URL_S3");
	/* Plain http is for loopback only (http.c's rule). */
	s = client("http://s3.example.net", NULL, FY_S3_STYLE_AUTO, &err);
	CHECK(s == NULL && err.code == FY_E_USAGE);
	s = client("s3.example.net", NULL, FY_S3_STYLE_AUTO, &err);
	CHECK(s == NULL && err.code == FY_E_USAGE);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
}

TEST(s3_credentials_from_a_shared_file)
{
	static const char creds[] =
		"[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d3f\n"
		"# comment\n[backup]\naws_access_key_id=AKIABACKUP\naws_secret_access_key=s3cr3t\n"
		"aws_session_token = tok\n";
	struct fy_error err;
	struct fy_s3 *s;
	char path[4096];

	unit_write_file("credentials", creds, sizeof(creds) - 1);
	if (!getcwd(path, sizeof(path) - 16))
		return;
	strcat(path, "/credentials");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
	setenv("AWS_CONFIG_FILE", "/nonexistent", 1);
	setenv("AWS_PROFILE", "backup", 1);
	s = client("http://127.0.0.1:9000", NULL, FY_S3_STYLE_AUTO, &err);
	CHECK(s != NULL);
	fy_s3_free(s);
	setenv("AWS_PROFILE", "nobody", 1);
	s = client("http://127.0.0.1:9000", NULL, FY_S3_STYLE_AUTO, &err);
	CHECK(s == NULL && err.code == FY_E_AUTH && strstr(err.msg, "nobody"));
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_CONFIG_FILE");
}

TEST(s3_xml_listing_and_entities)
{
	static const char x[] =
		"<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
		"<IsTruncated>true</IsTruncated>"
		"<Contents><Key>p/a&amp;b-&#233;&#x1F69A;.ferry</Key><Size>12</Size></Contents>"
		"<Contents><Key>p/c.ferry</Key><Size>7</Size></Contents>"
		"<NextContinuationToken>1/abc=</NextContinuationToken></ListBucketResult>";
	struct fy_buf out = FY_BUF_INIT(4096);
	struct fy_error err;
	size_t pos = 0, a, b, k = 0;

	while (fy_xml_next(x, sizeof(x) - 1, &pos, "Contents", &a, &b)) {
		size_t p2 = 0, ka, kb;

		CHECK(fy_xml_next(x + a, b - a, &p2, "Key", &ka, &kb));
		fy_buf_reset(&out);
		CHECK(fy_xml_text(x + a + ka, kb - ka, &out, &err) == 0);
		if (k == 0)
			CHECK_STR(out.ptr, "p/a&b-\xc3\xa9\xf0\x9f\x9a\x9a.ferry");
		else
			CHECK_STR(out.ptr, "p/c.ferry");
		k++;
	}
	CHECK(k == 2);
	pos = 0;
	CHECK(fy_xml_next(x, sizeof(x) - 1, &pos, "ListBucketResult", &a, &b) == 1);
	pos = 0;
	CHECK(fy_xml_next(x, sizeof(x) - 1, &pos, "Nothing", &a, &b) == 0);
	fy_buf_reset(&out);
	CHECK(fy_xml_text("&lt;&gt;&quot;&apos;&bogus;&#0;", 31, &out, &err) == 0);
	CHECK_STR(out.ptr, "<>\"'&bogus;&#0;");
	fy_buf_release(&out);
}
