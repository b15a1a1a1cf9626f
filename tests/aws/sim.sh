# sim.sh - sourced by the AWS shell tests: start the simulator
# (tests/lib/awssim.py) on a free loopback port, and helpers around it.
#
#   start_sim [--page N]     start it; sets SIM (its base URL); stopped on exit
#   account A|B              point the AWS variables at that simulated account
#   sim_seed A FILE          load a seed file into an account
#   sim_faults JSON          set fault injection ({"throttle":0.3,...})
#   sim_state A              the account's state as JSON on stdout
#   sim_log                  every API call so far as JSON on stdout

start_sim() {
	python3 "$TESTS/lib/awssim.py" "$work/sim.port" "$@" > "$work/sim.log" 2>&1 &
	sim_pid=$!
	trap 'kill $sim_pid 2>/dev/null; cd /; rm -rf "$work"' EXIT
	i=0
	while [ ! -s "$work/sim.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	SIM=http://127.0.0.1:$(cat "$work/sim.port")
	export SIM
	unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_REGION AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
	AWS_ENDPOINT_URL=$SIM
	AWS_REGION=us-east-1
	export AWS_ENDPOINT_URL AWS_REGION
	HOME=$work
	export HOME
}

account() {
	case "$1" in
	A) AWS_ACCESS_KEY_ID=AKIDSIMACCOUNTA00001 AWS_SECRET_ACCESS_KEY=simsecretA ;;
	B) AWS_ACCESS_KEY_ID=AKIDSIMACCOUNTB00002 AWS_SECRET_ACCESS_KEY=simsecretB ;;
	esac
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
}

sim_seed() { curl -sf -X POST "$SIM/__seed?account=$1" --data-binary "@$2" >/dev/null; }
sim_faults() { curl -sf -X POST "$SIM/__faults" --data-binary "$1" >/dev/null; }
sim_state() { curl -sf "$SIM/__state?account=$1"; }
sim_log() { curl -sf "$SIM/__log"; }
