/*
 * gen_neutral.c - write a neutral tree (the dir adapter's layout) of about
 * the requested size, for benchmarks: threads with branching conversations
 * (text with escapes and non-ASCII, tool calls and results, reasoning,
 * code), memory records with embeddings, a few agents and tools.
 * Deterministic: the same size gives the same tree.
 *
 *	gen-neutral DIR BYTES
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static unsigned long long rnd_state = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned)(rnd_state % n);
}

static const char *const words[] = {
	"order", "delivery", "refund", "the", "customer", "asked", "about", "tracking", "Zürich",
	"naïve", "façade", "日本語", "données", "we", "should", "check", "warehouse", "policy",
	"invoice", "résumé", "\\\"quoted\\\"", "line\\nbreak", "tab\\there", "price", "€42.50",
	"emoji 🚚", "schedule", "Montag", "über", "straße", "agent", "memory", "embedding",
};

static void sentence(FILE *f, int n)
{
	int i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " " : "", words[rnd(sizeof(words) / sizeof(words[0]))]);
}

static void message(FILE *f, const char *thread, int id, int parent, const char *role, int kind)
{
	fprintf(f, "{\"kind\":\"message\",\"id\":\"m%d\",\"thread\":\"%s\",\"parent\":", id, thread);
	if (parent < 0)
		fprintf(f, "null");
	else
		fprintf(f, "\"m%d\"", parent);
	fprintf(f, ",\"role\":\"%s\",\"created\":\"2025-%02u-%02uT%02u:%02u:%02uZ\",\"parts\":[", role,
		1 + rnd(12), 1 + rnd(28), rnd(24), rnd(60), rnd(60));
	switch (kind) {
	case 0:
		fprintf(f, "{\"type\":\"text\",\"text\":\"");
		sentence(f, 20 + (int)rnd(120));
		fprintf(f, "\"}");
		break;
	case 1:
		fprintf(f, "{\"type\":\"reasoning\",\"format\":\"summary\",\"text\":\"");
		sentence(f, 15);
		fprintf(f, "\"},{\"type\":\"tool_call\",\"id\":\"call_%d\",\"name\":\"lookup_order\","
			   "\"tool_type\":\"function\",\"arguments\":\"{\\\"order_id\\\":\\\"%u\\\"}\"}", id,
			rnd(100000));
		break;
	case 2:
		fprintf(f, "{\"type\":\"tool_result\",\"call_id\":\"call_%d\",\"output\":\"{\\\"status\\\":"
			   "\\\"shipped\\\",\\\"events\\\":[\\\"left hub\\\",\\\"out for delivery\\\"]}\"}",
			parent);
		break;
	default:
		fprintf(f, "{\"type\":\"text\",\"text\":\"Here is the code:\"},{\"type\":\"code\","
			   "\"language\":\"python\",\"code\":\"import pandas as pd\\nprint(pd.read_csv("
			   "'orders.csv').groupby('week').sum())\\n\"},{\"type\":\"code_output\",\"output\":\"");
		sentence(f, 10);
		fprintf(f, "\"}");
	}
	fprintf(f, "],\"source\":{\"adapter\":\"dir\",\"id\":\"msg-%d\"}}\n", id);
}

int main(int argc, char **argv)
{
	char path[4096];
	unsigned long long want, total = 0;
	FILE *f = NULL, *m;
	long thread = 0, mem = 0;
	int i, chunk = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: gen-neutral DIR BYTES\n");
		return 2;
	}
	want = strtoull(argv[2], NULL, 10);
	snprintf(path, sizeof(path), "%s", argv[1]);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return perror(path), 1;
	for (i = 0; i < 4; i++) {
		static const char *const dirs[] = { "agents", "tools", "threads", "memory" };

		snprintf(path, sizeof(path), "%s/%s", argv[1], dirs[i]);
		mkdir(path, 0700);
	}
	snprintf(path, sizeof(path), "%s/ferry.json", argv[1]);
	f = fopen(path, "w");
	fprintf(f, "{\"format\":\"ferry\",\"version\":\"1.0\",\"producer\":\"gen-neutral\","
		   "\"created\":\"2026-01-01T00:00:00Z\",\"source\":{\"adapter\":\"dir\"}}\n");
	fclose(f);
	snprintf(path, sizeof(path), "%s/tools/lookup-order.json", argv[1]);
	f = fopen(path, "w");
	fprintf(f, "{\"kind\":\"tool\",\"id\":\"lookup-order\",\"type\":\"function\",\"name\":\"lookup_order\","
		   "\"parameters\":{\"type\":\"object\",\"properties\":{\"order_id\":{\"type\":\"string\"}}},"
		   "\"source\":{\"adapter\":\"dir\"}}\n");
	fclose(f);
	snprintf(path, sizeof(path), "%s/agents/support.json", argv[1]);
	f = fopen(path, "w");
	fprintf(f, "{\"kind\":\"agent\",\"id\":\"support\",\"name\":\"Support\",\"instructions\":\"Help.\","
		   "\"model\":{\"provider\":\"openai\",\"name\":\"gpt-4.1\"},\"tools\":[\"lookup-order\"],"
		   "\"source\":{\"adapter\":\"dir\"}}\n");
	fclose(f);
	f = NULL;
	snprintf(path, sizeof(path), "%s/memory/000001.jsonl", argv[1]);
	m = fopen(path, "w");
	while (total < want) {
		char tid[32];
		long before, mbefore;
		int n, k, msgs;

		if (!f || ftell(f) > (64L << 20)) {
			if (f)
				fclose(f);
			snprintf(path, sizeof(path), "%s/threads/%06d.jsonl", argv[1], ++chunk);
			f = fopen(path, "w");
			if (!f)
				return perror(path), 1;
		}
		before = ftell(f);
		snprintf(tid, sizeof(tid), "t%ld", thread);
		msgs = 6 + (int)rnd(30);
		fprintf(f, "{\"kind\":\"thread\",\"id\":\"%s\",\"title\":\"", tid);
		sentence(f, 5);
		fprintf(f, "\",\"agent\":\"support\",\"active_leaf\":\"m%d\",\"created\":\"2025-06-01T10:00:00Z\","
			   "\"source\":{\"adapter\":\"dir\",\"id\":\"conv-%ld\"}}\n", msgs - 1, thread);
		for (n = 0; n < msgs; n++) {
			/* Mostly a chain; every ninth message branches off its grandparent. */
			int parent = n == 0 ? -1 : (n % 9 == 8 ? n - 2 : n - 1);
			const char *role = n % 4 == 2 ? "tool" : (n % 2 ? "assistant" : "user");
			int kind = n % 4 == 1 ? 1 : n % 4 == 2 ? 2 : (n % 7 == 6 ? 3 : 0);

			message(f, tid, n, parent, role, kind);
		}
		total += (unsigned long long)(ftell(f) - before);
		thread++;
		if (thread % 50 == 0) {
			mbefore = ftell(m);
			fprintf(m, "{\"kind\":\"memory\",\"id\":\"mem%ld\",\"scope\":{\"type\":\"agent\",\"agent\":"
				   "\"support\"},\"type\":\"fact\",\"text\":\"", mem++);
			sentence(m, 12);
			fprintf(m, "\",\"embedding\":{\"model\":\"text-embedding-3-small\",\"dimensions\":64,\"vector\":[");
			for (k = 0; k < 64; k++)
				fprintf(m, "%s%s0.%04u", k ? "," : "", rnd(2) ? "-" : "", rnd(10000));
			fprintf(m, "]},\"source\":{\"adapter\":\"dir\"}}\n");
			total += (unsigned long long)(ftell(m) - mbefore);
		}
	}
	if (f)
		fclose(f);
	fclose(m);
	return 0;
}
