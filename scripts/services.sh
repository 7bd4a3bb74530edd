#!/usr/bin/env bash
# The services CaseDesk's tests and local demo need, on loopback:
#   Dovecot  IMAP 127.0.0.1:${DOVECOT_IMAP_PORT:-1143} (no TLS), LMTP 127.0.0.1:${DOVECOT_LMTP_PORT:-2424}
#            users casedesk@example.test / casedesk-pw (the service mailbox), coder@example.test / coder-pw
#   Redis    127.0.0.1:${SVC_REDIS_PORT:-6379}, no persistence (only started if nothing answers there)
#   PostgreSQL 127.0.0.1:5432 with database `test` (only started if nothing answers there)
#   clamd    127.0.0.1:${CLAMD_PORT:-3310} and $SVC_DIR/clamav/clamd.sock (Debian's clamav-daemon), with a
#            local test signature database only: see start_clamd
#
# usage: scripts/services.sh start|stop|status|release PID
#   start    idempotent; installs missing Debian packages (root, or sudo) and starts what is down.
#            With SERVICES_LEASE=<pid> the caller takes a lease instead of keeping services up for good.
#   stop     stops only what this script started (listed in $SVC_DIR/started).
#   release  drops lease PID; stops when no live lease is left and no plain `start` asked to keep them.
#   status   prints what is up; exit 0 when Dovecot, Redis, PostgreSQL and clamd all answer, else 3.
#
# State lives in $SVC_DIR (default: .svc/ in the repo). Dovecot's unprivileged processes must be able
# to traverse that path; when the checkout is not traversable (a clone under a 0700 mktemp folder),
# .svc becomes a symlink to /tmp/casedesk-svc-<hash>.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMAP_PORT=${DOVECOT_IMAP_PORT:-1143}
LMTP_PORT=${DOVECOT_LMTP_PORT:-2424}
REDIS_PORT=${SVC_REDIS_PORT:-6379}
PG_PORT=5432
CLAMD_PORT=${CLAMD_PORT:-3310}
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

say() { printf 'services: %s\n' "$*"; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }
now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# wait_port PORT [tries] — 20 ms per try, default 10 s.
wait_port() {
  local i
  for ((i = 0; i < ${2:-500}; i++)); do port_open "$1" && return 0; sleep 0.02; done
  return 1
}
wait_port_closed() {
  local i
  for ((i = 0; i < ${2:-500}; i++)); do port_open "$1" || return 0; sleep 0.02; done
  return 1
}
# A pid that exists and is not a zombie (PID 1 here reaps orphans late).
pid_alive() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ -n "$st" && "$st" != Z* ]]
}

# --- state folder ------------------------------------------------------------------------------
resolve_svc_dir() {
  if [ -n "${SVC_DIR:-}" ]; then
    mkdir -p "$SVC_DIR"
    SVC_DIR=$(cd "$SVC_DIR" && pwd -P)
    return
  fi
  local link=$ROOT/.svc
  if [ -L "$link" ]; then
    mkdir -p "$(readlink "$link")"
  elif [ ! -e "$link" ]; then
    mkdir -p "$link"
  fi
  SVC_DIR=$(cd "$link" && pwd -P)
  chmod 755 "$SVC_DIR" 2>/dev/null || true
  runuser -u nobody -- test -x "$SVC_DIR" 2>/dev/null && return
  # Not traversable by unprivileged users: move the state to /tmp and point .svc at it.
  [ -L "$link" ] || [ -z "$(ls -A "$link")" ] ||
    die "$link is not traversable by unprivileged users and not empty; set SVC_DIR to a folder under /tmp"
  local alt
  alt=/tmp/casedesk-svc-$(printf '%s' "$ROOT" | md5sum | cut -c1-10)
  mkdir -p "$alt" && chmod 755 "$alt"
  rm -rf "$link" && ln -s "$alt" "$link"
  SVC_DIR=$alt
}

mark_started() { echo "$*" >>"$SVC_DIR/started"; }

# --- apt ---------------------------------------------------------------------------------------
APT_UPDATED=0
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
apt_install() {
  local missing=() p t
  for p in "$@"; do installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  t=$(now_ns)
  say "installing ${missing[*]} (log: $SVC_DIR/apt.log)"
  if [ "$APT_UPDATED" -eq 0 ]; then
    $SUDO apt-get update -q </dev/null >>"$SVC_DIR/apt.log" 2>&1 || { tail -n 20 "$SVC_DIR/apt.log" >&2; die "apt-get update failed"; }
    APT_UPDATED=1
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 "${missing[@]}" \
    </dev/null >>"$SVC_DIR/apt.log" 2>&1 || { tail -n 20 "$SVC_DIR/apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
  say "installed ${missing[*]} in $(ms_since "$t") ms"
}

# --- Dovecot -----------------------------------------------------------------------------------
DOVE=
dovecot_pid() {
  local f=$DOVE/run/master.pid
  [ -f "$f" ] && pid_alive "$(cat "$f")" && cat "$f"
}
imap_login_ok() {
  # LOGIN over a raw socket: is what listens on IMAP_PORT a Dovecot with our test user?
  local reply
  reply=$(exec 3<>"/dev/tcp/127.0.0.1/$IMAP_PORT" && printf 'a LOGIN casedesk@example.test casedesk-pw\r\nb LOGOUT\r\n' >&3 &&
    timeout 5 cat <&3) 2>/dev/null || return 1
  grep -q '^a OK' <<<"$reply"
}

start_dovecot() {
  if dovecot_pid >/dev/null && port_open "$IMAP_PORT"; then
    say "dovecot: already up (IMAP $IMAP_PORT, LMTP $LMTP_PORT)"
    return
  fi
  if port_open "$IMAP_PORT"; then
    imap_login_ok || die "port $IMAP_PORT is taken by something that is not the test Dovecot (set DOVECOT_IMAP_PORT)"
    say "dovecot: IMAP $IMAP_PORT already answers for casedesk@example.test (not started by this script)"
    return
  fi
  port_open "$LMTP_PORT" && die "port $LMTP_PORT is taken (set DOVECOT_LMTP_PORT)"
  command -v dovecot >/dev/null && installed dovecot-lmtpd && installed swaks ||
    apt_install dovecot-imapd dovecot-lmtpd swaks
  mkdir -p "$DOVE/run" "$DOVE/state" "$DOVE/mail"
  chmod 755 "$DOVE" "$DOVE/run" "$DOVE/state" "$DOVE/mail"
  chown nobody:nogroup "$DOVE/mail"
  rm -f "$DOVE/run/master.pid"
  sed -e "s#@SVC@#$SVC_DIR#g" -e "s#@IMAP_PORT@#$IMAP_PORT#g" -e "s#@LMTP_PORT@#$LMTP_PORT#g" \
    "$ROOT/scripts/dovecot/dovecot.conf.in" >"$DOVE/dovecot.conf"
  printf '%s\n' 'casedesk@example.test:{PLAIN}casedesk-pw::::::' 'coder@example.test:{PLAIN}coder-pw::::::' >"$DOVE/users"
  chmod 644 "$DOVE/users" "$DOVE/dovecot.conf"
  # Dovecot's master and log child keep the caller's stdio open: redirect, or `| tail` hangs forever.
  dovecot -c "$DOVE/dovecot.conf" </dev/null >>"$DOVE/stderr.log" 2>&1 9>&- ||
    { tail -n 20 "$DOVE/stderr.log" "$DOVE/dovecot.log" >&2 2>/dev/null; die "dovecot did not start"; }
  if ! wait_port "$IMAP_PORT" || ! wait_port "$LMTP_PORT"; then
    tail -n 20 "$DOVE/dovecot.log" >&2 2>/dev/null || true
    die "dovecot: ports $IMAP_PORT/$LMTP_PORT not open after 10 s"
  fi
  mark_started "dovecot $IMAP_PORT $LMTP_PORT"
  say "dovecot: started (IMAP 127.0.0.1:$IMAP_PORT, LMTP 127.0.0.1:$LMTP_PORT, state $DOVE)"
}

stop_dovecot() {
  local imap=$1 lmtp=$2 pid
  pid=$(dovecot_pid) || true
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  # The master exits ~1 s after TERM; a restart before the ports close hits "address in use".
  if ! wait_port_closed "$imap" || ! wait_port_closed "$lmtp"; then
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    pkill -KILL -P "${pid:-0}" 2>/dev/null || true
    wait_port_closed "$imap" 100 && wait_port_closed "$lmtp" 100 || say "dovecot: ports $imap/$lmtp still open"
  fi
  rm -f "$DOVE/run/master.pid"
  say "dovecot: stopped"
}

# --- Redis -------------------------------------------------------------------------------------
redis_up() { command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

start_redis() {
  command -v redis-cli >/dev/null || apt_install redis-tools
  if redis_up; then
    say "redis: already up on $REDIS_PORT"
    return
  fi
  port_open "$REDIS_PORT" && die "port $REDIS_PORT is open but does not answer PING"
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p "$SVC_DIR/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$SVC_DIR/redis/redis.pid" --logfile "$SVC_DIR/redis/redis.log" --dir "$SVC_DIR/redis" </dev/null 9>&-
  local i
  for ((i = 0; i < 500; i++)); do redis_up && break; sleep 0.02; done
  redis_up || { tail -n 20 "$SVC_DIR/redis/redis.log" >&2; die "redis did not answer PING within 10 s"; }
  mark_started "redis $REDIS_PORT"
  say "redis: started on 127.0.0.1:$REDIS_PORT (no persistence)"
}

stop_redis() {
  redis-cli -h 127.0.0.1 -p "$1" shutdown nosave >/dev/null 2>&1 || true
  wait_port_closed "$1" || say "redis: port $1 still open"
  say "redis: stopped"
}

# --- PostgreSQL --------------------------------------------------------------------------------
pg_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }
pg_sql() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAqc "$1" 2>/dev/null ||
  runuser -u postgres -- psql -p "$PG_PORT" -d postgres -tAqc "$1"; }

start_pg() {
  if port_open "$PG_PORT"; then
    say "postgresql: already up on $PG_PORT"
  else
    local ver fresh=0
    if [ -z "$(pg_version)" ]; then
      apt_install postgresql
      fresh=1
    fi
    ver=$(pg_version)
    [ -n "$ver" ] || die "postgresql installed but no cluster under /etc/postgresql"
    if [ "$fresh" -eq 1 ]; then
      # Tests connect as postgres over loopback without a password, as on the project's machines.
      sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "/etc/postgresql/$ver/main/pg_hba.conf"
    fi
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start </dev/null 9>&-
    wait_port "$PG_PORT" || die "postgresql $ver did not open port $PG_PORT"
    mark_started "postgresql $ver"
    say "postgresql: started cluster $ver/main"
  fi
  command -v psql >/dev/null || apt_install postgresql-client
  local i
  for ((i = 0; i < 100; i++)); do pg_sql 'select 1' >/dev/null 2>&1 && break; sleep 0.1; done
  if [ "$(pg_sql "select 1 from pg_database where datname = 'test'")" != 1 ]; then
    pg_sql 'create database test' >/dev/null || die "cannot create database test on 127.0.0.1:$PG_PORT"
    say "postgresql: created database test"
  fi
}

stop_pg() {
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$1" main stop </dev/null || true
  say "postgresql: stopped cluster $1/main"
}

# --- ClamAV (clamd) ----------------------------------------------------------------------------
# freshclam cannot reach ClamAV's mirrors from the project's machines, and clamd refuses to start
# without any database ("cli_loaddbdir: No supported database files found", exit 1). So this clamd
# reads a database folder of its own holding one custom body-signature file, casedesk-test.ndb,
# with one signature: the 68-byte EICAR test file at offset 0 (written here as hex, so no file in
# the repository trips a virus scanner). That single .ndb is the minimal set clamd accepts (no
# main/daily/bytecode .cvd is needed); it loads in well under a second and reports a match as
# `Eicar-Test-Signature.UNOFFICIAL` (ClamAV's suffix for databases it did not sign). It detects
# EICAR and nothing else, so it is for tests and local demos only: in production CLAMAV_URL points
# at a clamd whose database freshclam keeps current.
CLAMD=
CLAMD_EICAR_HEX=58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a
clamd_pid() {
  local f=$CLAMD/run/clamd.pid
  [ -f "$f" ] && pid_alive "$(cat "$f")" && cat "$f"
}
# clamd's PING over TCP (z-prefixed: NUL-terminated reply, connection closed after it).
clamd_ping() {
  local reply
  # stderr is silenced inside the substitution: a refused connection is an answer here, not an error.
  reply=$(exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$CLAMD_PORT" && printf 'zPING\0' >&3 && timeout 2 cat <&3 | tr -d '\0') || return 1
  [ "$reply" = PONG ]
}

write_clamd_conf() {
  local sock=$CLAMD/run/clamd.sock
  echo "# Written by scripts/services.sh (tests and local demo only; see the comment there)."
  echo "DatabaseDirectory $CLAMD/db"
  echo "TCPAddr 127.0.0.1"
  echo "TCPSocket $CLAMD_PORT"
  # A unix socket too, unless the path is too long for one (sun_path holds 107 bytes).
  [ ${#sock} -lt 100 ] && printf 'LocalSocket %s\nLocalSocketMode 666\n' "$sock"
  echo "PidFile $CLAMD/run/clamd.pid"
  echo "LogFile $CLAMD/run/clamd.log"
  echo "LogTime yes"
  echo "Foreground no"
  # Root-started clamd drops to Debian's clamav user; as any other user it stays that user.
  [ "$(id -u)" -eq 0 ] && id clamav >/dev/null 2>&1 && echo "User clamav"
  # INSTREAM must take the largest attachment (MAX_ATTACHMENT_BYTES, 15 MB by default) with room to spare.
  echo "StreamMaxLength 64M"
}

start_clamd() {
  if clamd_pid >/dev/null && clamd_ping; then
    say "clamd: already up (127.0.0.1:$CLAMD_PORT)"
    return
  fi
  if port_open "$CLAMD_PORT"; then
    clamd_ping || die "port $CLAMD_PORT is taken by something that does not answer clamd's PING (set CLAMD_PORT)"
    say "clamd: 127.0.0.1:$CLAMD_PORT already answers PING (not started by this script)"
    return
  fi
  installed clamav-daemon || apt_install clamav-daemon
  command -v clamd >/dev/null || die "clamav-daemon is installed but clamd is not on PATH"
  mkdir -p "$CLAMD/db" "$CLAMD/run"
  chmod 755 "$CLAMD" "$CLAMD/db" "$CLAMD/run"
  [ "$(id -u)" -eq 0 ] && id clamav >/dev/null 2>&1 && chown clamav:clamav "$CLAMD/run"
  rm -f "$CLAMD/run/clamd.pid" "$CLAMD/run/clamd.sock"
  printf 'Eicar-Test-Signature:0:0:%s\n' "$CLAMD_EICAR_HEX" >"$CLAMD/db/casedesk-test.ndb"
  write_clamd_conf >"$CLAMD/clamd.conf"
  chmod 644 "$CLAMD/db/casedesk-test.ndb" "$CLAMD/clamd.conf"
  # clamd loads its database, then detaches (Foreground no) and writes its pid file.
  clamd -c "$CLAMD/clamd.conf" </dev/null >>"$CLAMD/stderr.log" 2>&1 9>&- ||
    { tail -n 20 "$CLAMD/stderr.log" "$CLAMD/run/clamd.log" >&2 2>/dev/null; die "clamd did not start"; }
  local i
  for ((i = 0; i < 300; i++)); do clamd_ping && break; sleep 0.1; done
  clamd_ping || { tail -n 20 "$CLAMD/run/clamd.log" >&2 2>/dev/null; die "clamd did not answer PING on $CLAMD_PORT within 30 s"; }
  mark_started "clamd $CLAMD_PORT"
  say "clamd: started (127.0.0.1:$CLAMD_PORT$([ -S "$CLAMD/run/clamd.sock" ] && echo ", unix:$CLAMD/run/clamd.sock"), EICAR test signature only)"
}

stop_clamd() {
  local pid
  pid=$(clamd_pid) || true
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  if ! wait_port_closed "$1"; then
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    wait_port_closed "$1" 100 || say "clamd: port $1 still open"
  fi
  rm -f "$CLAMD/run/clamd.pid"
  say "clamd: stopped"
}

# --- the SMTP sink scripts/run-local.sh starts -------------------------------------------------
stop_sink() {
  local f=$SVC_DIR/smtp-sink.pid
  [ -f "$f" ] || return 0
  pid_alive "$(cat "$f")" && kill "$(cat "$f")" 2>/dev/null && say "smtp-sink: stopped"
  rm -f "$f"
}

# --- commands ----------------------------------------------------------------------------------
# Daemons are started with 9>&- so that they do not inherit (and hold) this lock.
lock() {
  exec 9>"$SVC_DIR/lock"
  flock -w 120 9 || die "another services.sh held $SVC_DIR/lock for 2 min"
}

live_leases() {
  local f n=0
  for f in "$SVC_DIR"/leases/*; do
    [ -e "$f" ] || continue
    if pid_alive "${f##*/}"; then n=$((n + 1)); else rm -f "$f"; fi
  done
  echo "$n"
}

# Forget entries of services that are no longer up (the machine was restarted, a daemon died).
prune_stale() {
  local f=$SVC_DIR/started line kept=()
  [ -f "$f" ] || { rm -f "$SVC_DIR/keep"; return 0; }
  while read -r line; do
    set -- $line
    case $1 in
      dovecot) port_open "$2" && kept+=("$line") ;;
      redis) port_open "$2" && kept+=("$line") ;;
      postgresql) port_open "$PG_PORT" && kept+=("$line") ;;
      clamd) port_open "$2" && kept+=("$line") ;;
    esac
  done <"$f"
  if [ ${#kept[@]} -eq 0 ]; then
    rm -f "$f" "$SVC_DIR/keep"
  else
    printf '%s\n' "${kept[@]}" >"$f"
  fi
}

cmd_start() {
  local t
  t=$(now_ns)
  prune_stale
  start_dovecot
  start_redis
  start_pg
  start_clamd
  if [ -n "${SERVICES_LEASE:-}" ]; then
    mkdir -p "$SVC_DIR/leases" && : >"$SVC_DIR/leases/$SERVICES_LEASE"
  else
    : >"$SVC_DIR/keep"
  fi
  say "all services up in $(ms_since "$t") ms"
}

cmd_stop() {
  local t line
  t=$(now_ns)
  stop_sink
  if [ -s "$SVC_DIR/started" ]; then
    # Newest first.
    tac "$SVC_DIR/started" | while read -r line; do
      set -- $line
      case $1 in
        dovecot) stop_dovecot "$2" "$3" ;;
        redis) stop_redis "$2" ;;
        postgresql) stop_pg "$2" ;;
        clamd) stop_clamd "$2" ;;
      esac
    done
  else
    say "nothing to stop (services.sh started nothing that is still recorded)"
  fi
  rm -f "$SVC_DIR/started" "$SVC_DIR/keep"
  rm -rf "$SVC_DIR/leases"
  say "stopped in $(ms_since "$t") ms"
}

cmd_release() {
  [ -n "${1:-}" ] || die "usage: services.sh release PID"
  rm -f "$SVC_DIR/leases/$1"
  local n
  n=$(live_leases)
  if [ -f "$SVC_DIR/keep" ]; then
    say "services kept running (started with a plain 'services.sh start'; stop them with 'services.sh stop')"
  elif [ "$n" -gt 0 ]; then
    say "services kept running for $n other test run(s)"
  else
    cmd_stop
  fi
}

cmd_status() {
  local ok=0 mine
  mine() { grep -q "^$1" "$SVC_DIR/started" 2>/dev/null && echo ' (started by services.sh)' || echo ''; }
  if port_open "$IMAP_PORT" && port_open "$LMTP_PORT"; then
    say "dovecot    up    IMAP 127.0.0.1:$IMAP_PORT LMTP 127.0.0.1:$LMTP_PORT$(mine dovecot)"
  else
    say "dovecot    down  (IMAP $IMAP_PORT, LMTP $LMTP_PORT)"; ok=3
  fi
  if redis_up; then say "redis      up    127.0.0.1:$REDIS_PORT$(mine redis)"; else say "redis      down  ($REDIS_PORT)"; ok=3; fi
  if port_open "$PG_PORT"; then say "postgresql up    127.0.0.1:$PG_PORT$(mine postgresql)"; else say "postgresql down  ($PG_PORT)"; ok=3; fi
  if clamd_ping; then
    say "clamd      up    127.0.0.1:$CLAMD_PORT$([ -S "$CLAMD/run/clamd.sock" ] && echo " unix:$CLAMD/run/clamd.sock")$(mine clamd)"
  else
    say "clamd      down  ($CLAMD_PORT)"; ok=3
  fi
  if [ -f "$SVC_DIR/smtp-sink.pid" ] && pid_alive "$(cat "$SVC_DIR/smtp-sink.pid")"; then
    say "smtp-sink  up    pid $(cat "$SVC_DIR/smtp-sink.pid")"
  fi
  say "state $SVC_DIR, $(live_leases) live lease(s)$([ -f "$SVC_DIR/keep" ] && echo ', kept')"
  return $ok
}

resolve_svc_dir
DOVE=$SVC_DIR/dovecot
CLAMD=$SVC_DIR/clamav
case "${1:-}" in
  start) lock; cmd_start ;;
  stop) lock; cmd_stop ;;
  release) lock; cmd_release "${2:-}" ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status|release PID" >&2; exit 2 ;;
esac
