/*
 * sunsets.c - the dated table of announced sunsets. See sunsets.h.
 * Checked 2026-11-26 against the sources named on each line.
 */
#include "sunsets.h"

const struct fy_sunset fy_sunsets[] = {
	{
		.provider = "Anthropic",
		.what = "Claude Sonnet 4 and Claude Opus 4 (claude-sonnet-4-20250514, claude-opus-4-20250514)",
		.date = "2026-06-15",
		.event = "retired on the Claude API",
		.source = "https://platform.claude.com/docs/en/release-notes",
		.models = "claude-sonnet-4-20250514 claude-opus-4-20250514 *claude-sonnet-4-2025* *claude-opus-4-2025*",
		.advice = "move agents to a current Claude model (the model policy maps them)",
	},
	{
		.provider = "Amazon Web Services",
		.what = "Amazon Bedrock Agents (now Bedrock Agents Classic, maintenance mode)",
		.date = "2026-07-30",
		.event = "closed to new customers",
		.source = "https://docs.aws.amazon.com/bedrock/latest/userguide/agents-classic-maintenance-mode.html",
		.adapters = "bedrock-agents",
		.advice = "AWS recommends Amazon Bedrock AgentCore; export the agents while the account still has access",
	},
	{
		.provider = "OpenAI",
		.what = "Assistants API (assistants, threads, runs, vector store attachments)",
		.date = "2026-08-26",
		.event = "shut down",
		.source = "https://developers.openai.com/api/docs/deprecations",
		.adapters = "openai",
		.id_prefixes = "asst_ thread_ run_",
		.advice = "state still held as Assistants objects is gone after this date; the Responses and Conversations APIs replace it",
	},
	{
		.provider = "OpenAI",
		.what = "Agent Builder (hosted workflows; ChatKit stays)",
		.date = "2026-11-30",
		.event = "shut down",
		.source = "https://developers.openai.com/api/docs/guides/chatkit",
		.id_prefixes = "wf_",
		.advice = "move workflows to the Agents SDK or ChatGPT Workspace Agents",
	},
	{
		.provider = "OpenAI",
		.what = "the v1/prompts API and reusable prompt objects",
		.date = "2026-11-30",
		.event = "shut down",
		.source = "https://developers.openai.com/api/docs/deprecations (listed with its dates at https://dev.to/max_bob/openai-api-deprecations-2026-2027-every-shutdown-date-and-recommended-replacement-gpt-4o-2ffm)",
		.id_prefixes = "pmpt_",
		.advice = "keep the prompt text as the agent's instructions (ferry exports it so)",
	},
	{
		.provider = "OpenAI",
		.what = "GPT-5 (mini, nano, pro), o3 and o3-pro",
		.date = "2026-12-11",
		.event = "retired from the API",
		.source = "https://developers.openai.com/api/docs/deprecations",
		.models = "gpt-5 gpt-5-20* gpt-5-mini gpt-5-mini-20* gpt-5-nano gpt-5-nano-20* gpt-5-pro gpt-5-pro-20* o3 o3-20* o3-pro o3-pro-20*",
		.advice = "OpenAI names gpt-6.1-sol (gpt-5) and gpt-6.1-terra (gpt-5-mini) as replacements",
	},
	{
		.provider = "OpenAI",
		.what = "GPT-4o, GPT-4o mini, GPT-4.1 and GPT-4.1 mini snapshots",
		.date = "2027-01-14",
		.event = "retired from the API",
		.source = "https://developers.openai.com/api/docs/deprecations",
		.models = "gpt-4o gpt-4o-20* gpt-4o-mini gpt-4o-mini-20* gpt-4.1 gpt-4.1-20* gpt-4.1-mini gpt-4.1-mini-20*",
		.advice = "OpenAI names gpt-6-luna as the replacement",
	},
	{
		.provider = "OpenAI",
		.what = "GPT-5.1",
		.date = "2027-04-01",
		.event = "retired from the API",
		.source = "https://developers.openai.com/api/docs/deprecations",
		.models = "gpt-5.1 gpt-5.1-20*",
		.advice = "move to a GPT-6 model (the model policy maps it)",
	},
	{
		.provider = "Letta",
		.what = "Letta V1 SDK and server API (letta-client)",
		.date = NULL,
		.event = "deprecated in favour of the Letta Agent SDK",
		.source = "https://docs.letta.com/v1-sdk",
		.adapters = "letta letta-af",
		.advice = "keep agents as Agent Files (.af): they load into newer Letta servers",
	},
};

const size_t fy_nsunsets = sizeof(fy_sunsets) / sizeof(fy_sunsets[0]);
