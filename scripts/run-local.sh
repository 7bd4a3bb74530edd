#!/usr/bin/env bash
# Run CaseDesk on this machine for a demo, against local services:
#   Dovecot (IMAP 1143, the mailbox casedesk@example.test), Redis, a SQLite database in var/,
#   and an SMTP sink on 127.0.0.1:2525 that writes every outgoing reply to var/outbox-sink/*.eml.
# Writes .env on first run (never overwrites it), then runs `casedesk start` in the foreground.
#
# usage: scripts/run-local.sh          stop the demo services: scripts/services.sh stop
#        RAW_LOGS=1 scripts/run-local.sh   keep the log as JSON lines (otherwise pino-pretty on a terminal)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
IMAP_PORT=${DOVECOT_IMAP_PORT:-1143}
LMTP_PORT=${DOVECOT_LMTP_PORT:-2424}
SINK_PORT=${SMTP_SINK_PORT:-2525}
CLAMD_TCP=${CLAMD_PORT:-3310}
note() { printf 'run-local: %s\n' "$*"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  note "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

bash scripts/services.sh start
SVC=${SVC_DIR:-$ROOT/.svc}

if [ ! -f .env ]; then
  secret=$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))')
  cat >.env <<EOF
# Written by scripts/run-local.sh for a local demo; edit freely, it is never overwritten.
NODE_ENV=development
DATABASE_URL=./var/casedesk.sqlite
REDIS_URL=redis://127.0.0.1:6379
QUEUE_PREFIX=casedesk-local

# The service mailbox in the local test Dovecot (scripts/services.sh).
IMAP_HOST=127.0.0.1
IMAP_PORT=$IMAP_PORT
IMAP_SECURE=false
IMAP_USER=casedesk@example.test
IMAP_PASSWORD=casedesk-pw
IMAP_MAILBOX=INBOX

# Replies go to the local SMTP sink (scripts/smtp-sink.ts), saved under var/outbox-sink/.
SMTP_HOST=127.0.0.1
SMTP_PORT=$SINK_PORT
SMTP_SECURE=false
MAIL_FROM=casedesk@example.test

# Attachments are scanned by the clamd scripts/services.sh started (EICAR test signature only:
# a demo scanner; production points CLAMAV_URL at a clamd whose database freshclam keeps current).
CLAMAV_URL=tcp://127.0.0.1:$CLAMD_TCP

HTTP_HOST=127.0.0.1
HTTP_PORT=3000
SESSION_SECRET=$secret
EOF
  note "wrote .env (local Dovecot, SMTP sink on $SINK_PORT, SQLite in var/)"
fi

mkdir -p var
if port_open "$SINK_PORT"; then
  note "something already listens on $SINK_PORT; using it as the SMTP sink"
else
  SMTP_SINK_PORT=$SINK_PORT nohup node --import tsx scripts/smtp-sink.ts </dev/null >>var/smtp-sink.log 2>&1 &
  echo $! >"$SVC/smtp-sink.pid"
  for _ in $(seq 1 250); do port_open "$SINK_PORT" && break; sleep 0.04; done
  port_open "$SINK_PORT" || { tail -n 20 var/smtp-sink.log >&2; echo "run-local: the SMTP sink did not start" >&2; exit 1; }
  note "SMTP sink on 127.0.0.1:$SINK_PORT (pid $!), replies in var/outbox-sink/, log var/smtp-sink.log"
fi

http_port=${HTTP_PORT:-$(sed -n 's/^HTTP_PORT=//p' .env | tail -n 1)}
cat <<EOF
run-local: send a question as a coder, e.g.
  swaks --server 127.0.0.1:$LMTP_PORT --protocol LMTP --from coder@example.test --to casedesk@example.test \\
        --header 'Subject: Can 97760 be billed with 97530 on the same day?' --body 'Same patient, same day.'
run-local: review page: http://127.0.0.1:${http_port:-3000}/ ; stop with Ctrl-C, then scripts/services.sh stop
EOF
# Compile the current sources (about a second): bin/casedesk.js runs dist/.
node scripts/build.mjs
# On a terminal the JSON log lines go through pino-pretty (RAW_LOGS=1 keeps them raw). Ctrl-C reaches
# casedesk, which drains; pino-pretty ignores it and prints the drain's lines until the pipe ends.
if [ -t 1 ] && [ "${RAW_LOGS:-0}" != 1 ] && [ -x node_modules/.bin/pino-pretty ]; then
  set +e
  node bin/casedesk.js start 2>&1 | (trap '' INT; exec node_modules/.bin/pino-pretty --colorize --translateTime SYS:HH:MM:ss.l --ignore pid,hostname)
  exit "${PIPESTATUS[0]}"
fi
exec node bin/casedesk.js start
