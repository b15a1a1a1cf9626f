/*
 * aws_probe.c - a test driver: one signed request to an AWS endpoint (the
 * simulator), signed either by adapters/sigv4.c through the http.c hook
 * (the way the adapters sign) or by libcurl's own CURLOPT_AWS_SIGV4
 * (http.c's curl_sigv4 mode), and prints "STATUS ERRORTYPE".
 *
 *	aws-probe [--curl] [--service NAME] METHOD PATH [BODY]
 *
 * PATH is sent as given (already percent-encoded). Credentials, region
 * and endpoint come from the AWS environment (AWS_ENDPOINT_URL).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"

int main(int argc, char **argv)
{
	const char *service = "bedrock-agentcore", *method, *path, *body = NULL;
	struct fy_aws_account acct;
	struct fy_http_options o;
	struct fy_http_request rq;
	struct fy_http_response resp;
	struct fy_sigv4_signer signer;
	struct fy_error err;
	struct fy_http *h;
	char base[1024], scope[256], etype[128] = "-";
	int curl = 0, i = 1, rc = 0;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--curl"))
			curl = 1;
		else if (!strcmp(argv[i], "--service") && i + 1 < argc)
			service = argv[++i];
		i++;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: aws-probe [--curl] [--service NAME] METHOD PATH [BODY]\n");
		return 2;
	}
	method = argv[i];
	path = argv[i + 1];
	if (argc - i > 2)
		body = argv[i + 2];
	if (fy_aws_account_open(&acct, NULL, NULL, &err) < 0 ||
	    fy_aws_endpoint("Bedrock AgentCore", "bedrock-agentcore", acct.region, base, sizeof(base),
			    &err) < 0) {
		printf("error: %s\n", err.msg);
		return 1;
	}
	fy_http_options_init(&o, "probe", base);
	o.max_retries = 0;
	if (curl) {
		snprintf(scope, sizeof(scope), "aws:amz:%s:%s", acct.region, service);
		o.curl_sigv4 = scope;
		o.aws_key = acct.cred.access_key;
		o.aws_secret = acct.cred.secret_key;
		o.aws_token = acct.cred.session_token;
	} else {
		memset(&signer, 0, sizeof(signer));
		signer.cred = &acct.cred;
		signer.region = acct.region;
		signer.service = service;
		o.sign = fy_sigv4_http_sign;
		o.sign_ctx = &signer;
	}
	h = fy_http_new(&o, &err);
	if (!h) {
		printf("error: %s\n", err.msg);
		fy_aws_account_close(&acct);
		return 1;
	}
	fy_http_request_init(&rq, method, path);
	if (body) {
		rq.body = body;
		rq.body_len = strlen(body);
		rq.content_type = "application/json";
	}
	fy_http_response_init(&resp);
	if (fy_http_do(h, &rq, &resp, &err) < 0) {
		printf("error: %s\n", err.msg);
		rc = 1;
	} else {
		if (fy_http_header(&resp, "x-amzn-errortype", etype, sizeof(etype)) == 0)
			etype[strcspn(etype, ":")] = '\0';
		printf("%ld %s\n", resp.status, etype);
	}
	fy_http_response_release(&resp);
	fy_http_free(h);
	fy_aws_account_close(&acct);
	return rc;
}
