#!/bin/sh
# t-backup-samples.sh - the scheduling examples in samples/backup/ are
# usable as written: the systemd units verify, and the cron line's command
# (with its environment) runs silently against a local repository.
name=backup-samples
. "$(dirname "$0")/../lib.sh"

s=$SAMPLES/backup
if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s|/usr/local/bin/ferry|$BIN/ferry|" "$s/ferry-backup.service" >ferry-backup.service
	cp "$s/ferry-backup.timer" .
	check "the service and the timer pass systemd-analyze verify" \
		systemd-analyze verify --man=no ./ferry-backup.service ./ferry-backup.timer
else
	skip "systemd-analyze is not installed"
fi
check "the service reads the keys from a file it points to, not from its environment" \
	sh -c "grep -q '^LoadCredential=aws-credentials:/etc/ferry/aws-credentials$' '$s/ferry-backup.service' &&
	       grep -q '^Environment=AWS_SHARED_CREDENTIALS_FILE=%d/aws-credentials$' '$s/ferry-backup.service' &&
	       ! grep -q '^[^#]*AWS_SECRET_ACCESS_KEY' '$s/ferry-backup.service' '$s/backup.env' '$s/ferry-backup.cron'"
check "the timer runs nightly in UTC" grep -q '^OnCalendar=\*-\*-\* 02:15:00 UTC$' "$s/ferry-backup.timer"

# The cron line: its variables, then its command with a local repository
# and source in place of the S3 bucket and the n8n server.
line=$(grep -v '^#' "$s/ferry-backup.cron" | grep -v '=' | grep 'ferry backup')
cmd=$(echo "$line" | awk '{ for (i = 7; i <= NF; i++) printf "%s%s", $i, (i < NF ? " " : "") }')
cmd=$(echo "$cmd" | sed "s|/usr/local/bin/ferry|$BIN/ferry|; s|s3://acme-backups/ferry|$work/repo|; s|n8n:http://127.0.0.1:5678|dir:$SAMPLES/neutral|")
check "the cron line has five time fields and a user" sh -c "echo '$line' | awk '{ exit !(\$1 == 15 && \$2 == 2 && \$6 == \"ferry\") }'"
env -i PATH=/usr/bin:/bin HOME="$work" CRON_TZ=UTC AWS_SHARED_CREDENTIALS_FILE=/nonexistent sh -c "$cmd" >out 2>err
rc=$?
if [ $rc = 0 ] && [ ! -s out ] && [ ! -s err ]; then ok "the cron command runs, silent on success"; else
	notok "the cron command runs, silent on success (exit $rc)"; sed 's/^/#   /' err; fi
check "and wrote one verified archive" sh -c "ls '$work/repo'/dir-neutral-*.ferry >/dev/null && $FERRY verify -q '$work'/repo/dir-neutral-*.ferry"

done_testing
