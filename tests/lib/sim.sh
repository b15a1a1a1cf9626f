# sim.sh - start the provider simulator (provsim.py) for a shell test, after
# lib.sh: on a free loopback port, killed when the test exits.
#
#   sim_start [provsim options]      sets $SIM (http://127.0.0.1:PORT)
#   sim_config JSON                  POST /__sim/config
#   sim_reset_log; sim_log > FILE; sim_state [ACCOUNT] > FILE
#
# Keys go to the simulator in a file (accounts.json), never on a command line.

sim_pid=""
sim_cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null
	cd / && rm -rf "$work"
}
trap sim_cleanup EXIT

sim_start() {
	rm -f sim.port
	python3 "$TESTS/lib/provsim.py" sim.port "$@" 2>sim.err &
	sim_pid=$!
	i=0
	while [ ! -s sim.port ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s sim.port ] || { echo "# the simulator did not start:"; sed 's/^/#   /' sim.err; return 1; }
	SIM=http://127.0.0.1:$(cat sim.port)
}

sim_config() { curl -s -X POST -d "$1" "$SIM/__sim/config" >/dev/null; }
sim_reset_log() { curl -s -X POST "$SIM/__sim/reset-log" >/dev/null; }
sim_reset_account() { curl -s -X POST -d "{\"account\":\"$1\"}" "$SIM/__sim/reset-account" >/dev/null; }
sim_log() { curl -s "$SIM/__sim/log"; }
sim_state() { curl -s "$SIM/__sim/state${1:+?account=$1}"; }
