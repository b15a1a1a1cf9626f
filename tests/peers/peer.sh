# peer.sh - what the peer scripts (n8n.sh, s3rver.sh) share; sourced after
# they set PEER (their name, for messages).

say() { printf '%s: %s\n' "$PEER" "$*" >&2; }
die() { say "$*"; exit 1; }

# A TCP port nothing listens on (the kernel's choice), never 2024.
free_port() {
	python3 -c '
import socket
while True:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
    if p != 2024: print(p); break'
}

# stop_pidfile FILE: stop the process FILE names (TERM, up to 10 s, then
# KILL) and remove FILE; nothing to do without FILE.
stop_pidfile() {
	[ -f "$1" ] || return 0
	pid=$(cat "$1")
	kill "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 40 ]; do sleep 0.25; i=$((i + 1)); done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$1"
}
