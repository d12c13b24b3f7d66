#!/usr/bin/env bash
#
# services.sh - run the backing services a test run needs, on loopback only.
#
#   PostgreSQL     127.0.0.1:55432  (role/database "portal")
#   Redis          127.0.0.1:56379  (Celery broker db 0, cache db 1)
#   Elasticsearch  127.0.0.1:59200  (8.19.21, security on, user "elastic",
#                  with the portal's smartcn word-segmentation plugin)
#   Object store   127.0.0.1:59900  (s3proxy, S3 API on a filesystem backend,
#                                    private bucket "portal"; PORTAL_S3_PORT)
#
# Usage:
#   scripts/services.sh start    install what is missing, (re)start all three
#                                with empty data, wait until healthy, then
#                                print `export VAR=value` lines on stdout:
#                                    eval "$(scripts/services.sh start)"
#   scripts/services.sh stop     stop whatever this script started
#   scripts/services.sh status   one line per service
#   scripts/services.sh stop-elasticsearch / start-elasticsearch
#                                stop / restart only Elasticsearch, keeping
#                                its data (tests simulating an outage use it)
#   scripts/services.sh stop-object-store / start-object-store
#                                the same for the object store (s3proxy)
#
# A service is skipped entirely (not installed, not started) when its URL is
# already set in the environment to something other than what this script
# would print; the given value is echoed back instead:
#   DATABASE_URL       -> PostgreSQL
#   CELERY_BROKER_URL  -> Redis (CACHE_URL then passes through only if set)
#   ELASTICSEARCH_URL  -> Elasticsearch
#   OBJECT_STORE_URL   -> the object store (OBJECT_STORE_BUCKET and keys pass through)
# `start` also prints PORTAL_MANAGED_ELASTICSEARCH=1 when it runs
# Elasticsearch itself (0 when ELASTICSEARCH_URL is the user's own), and
# PORTAL_MANAGED_OBJECT_STORE likewise for the object store. `start` also
# installs nginx (the load balancer of the two-server test).
# A value equal to this script's own URL (e.g. after an earlier `eval` in the
# same shell) does not count as "external": the service is managed as usual.
#
# Elasticsearch's ports can be moved with PORTAL_ES_HTTP_PORT / PORTAL_ES_TRANSPORT_PORT
# (e.g. a second node beside the usual one, with its own PORTAL_SERVICES_DIR). Its
# analysis plugin scripts/es-plugin-smartcn is built (once, cached under the downloads
# dir) and installed before the node starts; PORTAL_ES_SMARTCN=0 leaves it out.
#
# Everything lives under ${PORTAL_SERVICES_DIR:-/var/tmp/portal-services}.
# Data directories are wiped on every start; the Elasticsearch install is
# kept and reused. On stdout, `start` and `start-elasticsearch` print only
# export lines and `status` its report; all logging goes to stderr.

set -euo pipefail
umask 022 # service users (postgres, portal-es) must be able to traverse dirs

# ---------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------

STATE_DIR="${PORTAL_SERVICES_DIR:-/var/tmp/portal-services}"
case "$STATE_DIR" in
  /*) ;;
  *) STATE_DIR="$PWD/$STATE_DIR" ;; # config files below need absolute paths
esac
readonly STATE_DIR

readonly HOST=127.0.0.1

readonly PG_PORT=55432
readonly PG_ROLE=portal
readonly PG_PASSWORD=portal-test-pw
readonly PG_DB=portal
readonly PG_DIR="$STATE_DIR/pg"
readonly PG_DATA="$PG_DIR/data"
readonly PG_SOCKET_DIR="$PG_DIR/run"
readonly PG_LOG="$PG_DIR/postgres.log"
readonly PG_NEEDLE="-D $PG_DATA" # in the postmaster's command line

readonly REDIS_PORT=56379
readonly REDIS_DIR="$STATE_DIR/redis"
readonly REDIS_PIDFILE="$REDIS_DIR/redis.pid"
readonly REDIS_LOG="$REDIS_DIR/redis.log"
readonly REDIS_NEEDLE="redis-server $HOST:$REDIS_PORT" # its process title

readonly ES_VERSION=8.19.21
readonly ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"
readonly ES_HTTP_PORT=${PORTAL_ES_HTTP_PORT:-59200}
readonly ES_TRANSPORT_PORT=${PORTAL_ES_TRANSPORT_PORT:-59300}
readonly ES_PASSWORD=portal-test-es-pw
# Small heap; C1-only JIT roughly halves node start-up time (about 22 s ->
# 11 s on 2 cores) and is plenty for the tiny indices tests use.
# Tests want a fast start (C1 only); benchmarks set PORTAL_ES_JAVA_OPTS for a full JIT and more heap.
readonly ES_JAVA_OPTS_VALUE="${PORTAL_ES_JAVA_OPTS:--Xms512m -Xmx512m -XX:TieredStopAtLevel=1}"
readonly ES_CLI_JAVA_OPTS="-XX:TieredStopAtLevel=1" # launcher, keystore tool
readonly ES_CLUSTER=portal-test
readonly ES_SYSTEM_USER=portal-es # only used when running as root
readonly ES_DOWNLOADS="$STATE_DIR/downloads"
readonly ES_HOME="$STATE_DIR/elasticsearch-$ES_VERSION" # kept between runs
readonly ES_DIR="$STATE_DIR/es"                         # wiped on start
readonly ES_DATA="$ES_DIR/data"
readonly ES_LOGS="$ES_DIR/logs"
readonly ES_PIDFILE="$ES_DIR/run/elasticsearch.pid"
readonly ES_NEEDLE="-Des.path.home=$ES_HOME" # server and launcher JVMs
readonly ES_HEALTH_TIMEOUT=120 # seconds
readonly ES_STOP_TIMEOUT=30    # seconds before SIGKILL
readonly ES_SMARTCN="${PORTAL_ES_SMARTCN:-1}"
readonly ES_SMARTCN_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/es-plugin-smartcn"
readonly ES_SMARTCN_NAME=portal-analysis-smartcn

# Object store: s3proxy (a real S3 API server) on a filesystem backend. The
# jar-with-dependencies runs on the machine's Java 17.
readonly S3_VERSION=2.6.0
readonly S3_ARTIFACT="org.gaul:s3proxy:${S3_VERSION}:jar:jar-with-dependencies"
readonly S3_PORT="${PORTAL_S3_PORT:-59900}"
readonly S3_JAR="$STATE_DIR/s3proxy-$S3_VERSION.jar" # kept between runs
readonly S3_DIR="$STATE_DIR/s3"                      # wiped on start
readonly S3_DATA="$S3_DIR/data"
readonly S3_PIDFILE="$S3_DIR/s3proxy.pid"
readonly S3_LOG="$S3_DIR/s3proxy.log"
readonly S3_BUCKET=portal
readonly S3_ACCESS_KEY=portal-s3-key
readonly S3_SECRET_KEY=portal-s3-test-secret
readonly S3_NEEDLE="-Dportal.s3proxy=$S3_DIR" # in its java command line
readonly S3_HEALTH_TIMEOUT=60                  # seconds
readonly OUR_S3_URL="http://${HOST}:${S3_PORT}"

readonly OUR_DATABASE_URL="postgres://${PG_ROLE}:${PG_PASSWORD}@${HOST}:${PG_PORT}/${PG_DB}"
readonly OUR_BROKER_URL="redis://${HOST}:${REDIS_PORT}/0"
readonly OUR_CACHE_URL="rediscache://${HOST}:${REDIS_PORT}/1"
readonly OUR_ES_URL="http://elastic:${ES_PASSWORD}@${HOST}:${ES_HTTP_PORT}"

# OS users the services run as: dedicated users as root, yourself otherwise.
if [[ $EUID -eq 0 ]]; then
  PG_OS_USER=postgres
  ES_OS_USER=$ES_SYSTEM_USER
else
  PG_OS_USER=$(id -un)
  ES_OS_USER=$(id -un)
fi
readonly PG_OS_USER ES_OS_USER

APT_UPDATED=0   # apt-get update runs at most once per invocation
PG_BIN=""       # e.g. /usr/lib/postgresql/15/bin, set by find_pg_bin
ON_FAIL=""      # cleanup command run if a start fails half-way

# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

log() { printf '[services] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Milliseconds -> "12.3s".
fmt_ms() { printf '%d.%ds' $(($1 / 1000)) $((($1 % 1000) / 100)); }

# True if a process with this pid exists and is not a zombie (our daemons
# are reparented to PID 1, which in containers may reap exited children only
# now and then; kill -0 alone would see them "alive" for seconds).
pid_alive() {
  local stat
  [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null || return 1
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 0
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# First line of a pid file, or nothing.
read_pidfile() {
  local pid=""
  if [[ -r $1 ]]; then
    read -r pid <"$1" || true
  fi
  [[ $pid =~ ^[0-9]+$ ]] && echo "$pid"
  return 0
}

# Command line of a process, arguments joined by spaces. Reads /proc with
# bash builtins only: no procps needed, no process forked per pid.
CMDLINE=""
read_cmdline() {
  local -a parts=()
  CMDLINE=""
  mapfile -d '' parts 2>/dev/null <"/proc/$1/cmdline" || return 1
  CMDLINE="${parts[*]}"
}

# The pid in pid file $1 if that process is alive and its command line
# contains $2 (so a stale pid file whose pid was reused by some unrelated
# process never gets that process killed).
live_pid() {
  local pid
  pid=$(read_pidfile "$1")
  pid_alive "$pid" || return 0
  read_cmdline "$pid" || return 0
  if [[ $CMDLINE == *"$2"* ]]; then
    echo "$pid"
  fi
  return 0
}

# Pids whose command line contains the given fixed string; never lists this
# script itself.
find_pids() {
  local needle=$1 dir pid
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    read_cmdline "$pid" || continue
    if [[ $CMDLINE == *"$needle"* ]]; then
      echo "$pid"
    fi
  done
  return 0
}

# Send a signal, wait up to $3 seconds for the process to go, then SIGKILL.
kill_and_wait() {
  local pid=$1 sig=$2 timeout=$3 i
  pid_alive "$pid" || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 5; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.2
  done
  log "pid $pid still alive after ${timeout}s, sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 25; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.2
  done
  log "pid $pid did not exit even after SIGKILL"
}

# True if something accepts TCP connections on 127.0.0.1:$1 (pure bash).
port_busy() { (: <>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Run a command with root rights (directly, or through sudo).
as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# Run a command as a service's OS user from working directory $1 (the
# service user may not be allowed into the caller's working directory).
run_as_in() {
  local dir=$1 user=$2
  shift 2
  if [[ $EUID -eq 0 && $user != root ]]; then
    (cd "$dir" && runuser -u "$user" -- "$@")
  else
    (cd "$dir" && "$@")
  fi
}

# Same, from inside the state dir.
run_as() { run_as_in "$STATE_DIR" "$@"; }

# Close every file descriptor above 2 of the current (sub)shell.
close_fds() {
  local fd
  for fd in /proc/"$BASHPID"/fd/*; do
    fd=${fd##*/}
    if ((fd > 2)); then
      exec {fd}>&-
    fi
  done
}

# Like run_as_in, for commands that leave a daemon behind: stdin is
# /dev/null and no descriptor above 2 is passed on. Otherwise the daemon
# would keep e.g. the pipe of `eval "$(services.sh start)"` open, and the
# caller's command substitution would never finish.
spawn_as_in() {
  (
    close_fds
    run_as_in "$@" </dev/null
  )
}

# True if the environment variable named $1 holds a URL that is not ours,
# i.e. the user brings their own service.
is_external() {
  local value=${!1:-}
  [[ -n $value && $value != "$2" ]]
}

# ---------------------------------------------------------------------------
# Installing packages
# ---------------------------------------------------------------------------

# apt-get install the given packages. apt-get update runs once at most. The
# Debian packages must not start their own services (their default Redis /
# PostgreSQL cluster would just waste resources): a policy-rc.d that forbids
# starting services is put in place for the install if none exists yet.
apt_install() {
  local policy=/usr/sbin/policy-rc.d guard=0 rc=0
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install by hand: $*"
  if ((APT_UPDATED == 0)); then
    log "apt-get update"
    as_root apt-get update -qq >&2 || die "apt-get update failed"
    APT_UPDATED=1
  fi
  if [[ ! -e $policy ]]; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy"
    guard=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "$@" >&2 || rc=$?
  if ((guard)); then
    as_root rm -f "$policy"
  fi
  ((rc == 0)) || die "apt-get install $* failed (exit $rc)"
}

# Newest /usr/lib/postgresql/<version>/bin that has initdb; sets PG_BIN.
find_pg_bin() {
  local f best=""
  for f in /usr/lib/postgresql/*/bin/initdb; do
    if [[ -x $f ]]; then
      best=$(printf '%s\n%s\n' "$best" "${f%/initdb}" | sed '/^$/d' | sort -V | tail -n 1)
    fi
  done
  PG_BIN=$best
  [[ -n $PG_BIN ]]
}

# Install, in one apt-get run, every package the managed services lack.
install_missing() {
  local want_pg=$1 want_redis=$2 want_es=$3
  local -a pkgs=()
  if ((want_pg)) && ! find_pg_bin; then
    pkgs+=(postgresql)
  fi
  if ((want_redis)); then
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
      pkgs+=(redis-server)
    fi
  fi
  if ((want_es)); then
    command -v curl >/dev/null 2>&1 || pkgs+=(curl)
    command -v java >/dev/null 2>&1 || pkgs+=(default-jre-headless)
    if [[ ! -f $ES_HOME/.portal-installed ]]; then
      command -v unzip >/dev/null 2>&1 || pkgs+=(unzip)
      command -v mvn >/dev/null 2>&1 || pkgs+=(maven)
    fi
    if [[ $ES_SMARTCN != 0 ]]; then # the plugin is compiled: a JDK, and maven for its jars
      command -v javac >/dev/null 2>&1 || pkgs+=(default-jdk-headless)
      if ! command -v mvn >/dev/null 2>&1 && [[ ! ${pkgs[*]} == *maven* ]]; then
        pkgs+=(maven)
      fi
    fi
  fi
  if ((${#pkgs[@]})); then
    apt_install "${pkgs[@]}"
  fi
  if ((want_pg)); then
    find_pg_bin || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  fi
}

# Download (through Maven, so ~/.m2 caches it) and unpack Elasticsearch once.
install_es() {
  local zip="$ES_DOWNLOADS/elasticsearch-$ES_VERSION.zip"
  local unpack="$STATE_DIR/.es-unpack"
  if [[ -f $ES_HOME/.portal-installed ]]; then
    log "elasticsearch: reusing install in $ES_HOME"
    return 0
  fi
  log "elasticsearch: installing $ES_VERSION into $ES_HOME"
  mkdir -p "$ES_DOWNLOADS"
  if [[ ! -s $zip ]]; then
    # Run from the downloads dir so no pom.xml nearby is picked up.
    if ! (cd "$ES_DOWNLOADS" && mvn -q -B dependency:copy \
      -Dartifact="$ES_ARTIFACT" -DoutputDirectory="$ES_DOWNLOADS") >"$ES_DOWNLOADS/mvn.log" 2>&1; then
      cat "$ES_DOWNLOADS/mvn.log" >&2
      die "maven could not fetch $ES_ARTIFACT"
    fi
  fi
  [[ -s $zip ]] || die "maven did not produce $zip"
  rm -rf "$unpack" "$ES_HOME"
  mkdir -p "$unpack"
  unzip -q "$zip" -d "$unpack" || die "could not unzip $zip"
  mv "$unpack/elasticsearch-$ES_VERSION" "$ES_HOME"
  rm -rf "$unpack"
  rm -f "$zip" # ~/.m2 keeps a copy, no need for a second one
  touch "$ES_HOME/.portal-installed"
}

# The system user Elasticsearch runs as (it refuses to run as root).
ensure_es_user() {
  [[ $EUID -eq 0 ]] || return 0
  if ! id "$ES_SYSTEM_USER" >/dev/null 2>&1; then
    log "creating system user $ES_SYSTEM_USER"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_SYSTEM_USER"
  fi
}

# ES_JAVA_HOME for the system JDK, derived from the java on PATH.
java_home() {
  local java
  java=$(readlink -f "$(command -v java)") || die "java not found"
  dirname "$(dirname "$java")"
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------

pg_pid() { live_pid "$PG_DATA/postmaster.pid" "$PG_NEEDLE"; }

pg_ready() {
  [[ -n $PG_BIN ]] || find_pg_bin || return 1
  "$PG_BIN/pg_isready" -q -h "$HOST" -p "$PG_PORT" -t 2
}

start_pg() {
  local t0
  t0=$(now_ms)
  log "postgresql: initdb in $PG_DATA ($PG_BIN)"
  rm -rf "$PG_DIR"
  mkdir -p "$PG_DATA" "$PG_SOCKET_DIR"
  if [[ $EUID -eq 0 ]]; then
    chown -R "$PG_OS_USER:" "$PG_DIR"
  fi
  chmod 700 "$PG_DATA"
  # No trust anywhere: peer on the unix socket (used below to create the
  # role), SCRAM password over TCP (what DATABASE_URL uses).
  run_as "$PG_OS_USER" "$PG_BIN/initdb" -D "$PG_DATA" -E UTF8 --locale=C \
    --auth-local=peer --auth-host=scram-sha-256 --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
    {
      cat "$PG_DIR/initdb.log" >&2
      die "initdb failed"
    }
  cat >>"$PG_DATA/postgresql.conf" <<EOF

# --- added by scripts/services.sh: loopback only, tuned for throwaway tests
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  log "postgresql: starting on $HOST:$PG_PORT"
  if ! spawn_as_in "$STATE_DIR" "$PG_OS_USER" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" \
    -w -t 60 start >&2; then
    tail -n 30 "$PG_LOG" >&2 || true
    die "postgresql did not start"
  fi
  # SUPERUSER so pytest-django can create test_portal (and extensions).
  run_as "$PG_OS_USER" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" \
    -p "$PG_PORT" -d postgres \
    -c "CREATE ROLE $PG_ROLE LOGIN SUPERUSER PASSWORD '$PG_PASSWORD'" \
    -c "CREATE DATABASE $PG_DB OWNER $PG_ROLE" >&2 ||
    die "postgresql: could not create role/database"
  # Health: a real password login over TCP with the URL we hand out.
  PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -tA -c 'SELECT 1' "$OUR_DATABASE_URL" >/dev/null ||
    die "postgresql: cannot log in with $OUR_DATABASE_URL"
  log "postgresql: healthy after $(fmt_ms $(($(now_ms) - t0)))"
}

stop_pg() {
  local pid
  pid=$(pg_pid)
  if [[ -n $pid ]]; then
    log "postgresql: stopping (pid $pid)"
    if [[ -n $PG_BIN ]] || find_pg_bin; then
      run_as "$PG_OS_USER" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >&2 || true
    fi
    kill_and_wait "$pid" INT 30 # no-op if pg_ctl already stopped it
  fi
  # Leftovers whose pid file is gone (e.g. the state dir was deleted).
  for pid in $(find_pids "$PG_NEEDLE"); do
    log "postgresql: stopping stray postmaster (pid $pid)"
    kill_and_wait "$pid" INT 30
  done
  rm -f "$PG_DATA/postmaster.pid"
}

# ---------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------

redis_ping() {
  [[ $(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

start_redis() {
  local t0 i
  t0=$(now_ms)
  rm -rf "$REDIS_DIR"
  mkdir -p "$REDIS_DIR/data"
  log "redis: starting on $HOST:$REDIS_PORT"
  spawn_as_in "$STATE_DIR" "$(id -un)" redis-server --bind "$HOST" --port "$REDIS_PORT" \
    --save '' --appendonly no --daemonize yes --pidfile "$REDIS_PIDFILE" \
    --logfile "$REDIS_LOG" --dir "$REDIS_DIR/data" >&2 || die "redis-server failed to start"
  for ((i = 0; i < 100; i++)); do
    if redis_ping; then
      log "redis: healthy after $(fmt_ms $(($(now_ms) - t0)))"
      return 0
    fi
    sleep 0.1
  done
  tail -n 30 "$REDIS_LOG" >&2 || true
  die "redis did not answer PING within 10s"
}

stop_redis() {
  local pid
  pid=$(live_pid "$REDIS_PIDFILE" "$REDIS_NEEDLE")
  if [[ -n $pid ]]; then
    log "redis: stopping (pid $pid)"
    if command -v redis-cli >/dev/null 2>&1; then
      redis-cli -h "$HOST" -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    fi
    kill_and_wait "$pid" TERM 10 # no-op if the shutdown already worked
  fi
  for pid in $(find_pids "$REDIS_NEEDLE"); do
    log "redis: stopping stray server (pid $pid)"
    kill_and_wait "$pid" TERM 10
  done
  rm -f "$REDIS_PIDFILE"
}

# ---------------------------------------------------------------------------
# Elasticsearch
# ---------------------------------------------------------------------------

es_health() {
  curl -s --max-time 10 -u "elastic:$ES_PASSWORD" \
    "http://$HOST:$ES_HTTP_PORT/_cluster/health?wait_for_status=yellow&timeout=5s" 2>/dev/null
}

es_fail() {
  local f
  log "elasticsearch: $1; tail of the logs:"
  for f in "$ES_LOGS/startup.log" "$ES_LOGS/$ES_CLUSTER.log"; do
    if [[ -s $f ]]; then
      log "--- $f"
      tail -n 40 "$f" >&2
    fi
  done
  die "elasticsearch did not become healthy"
}

# config/elasticsearch.yml (rewritten on every start; it is tiny).
write_es_config() {
  cat >"$ES_HOME/config/elasticsearch.yml" <<EOF
# Written by scripts/services.sh - throwaway single node for tests.
cluster.name: $ES_CLUSTER
node.name: $ES_CLUSTER-1
discovery.type: single-node
network.host: $HOST
http.port: $ES_HTTP_PORT
transport.port: $ES_TRANSPORT_PORT
path.data: $ES_DATA
path.logs: $ES_LOGS
xpack.security.enabled: true
xpack.security.http.ssl.enabled: false
xpack.security.transport.ssl.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
xpack.ml.enabled: false
EOF
  # This integ-test distribution ships only apm, transport-netty4,
  # x-pack-core and x-pack-security. xpack.ml.enabled is registered by
  # x-pack-core, so it is accepted; ingest.geoip.downloader.enabled belongs
  # to the ingest-geoip module, which is missing, and Elasticsearch dies on
  # it ("unknown setting"), so it is only written if that module is there.
  if [[ -d $ES_HOME/modules/ingest-geoip ]]; then
    echo "ingest.geoip.downloader.enabled: false" >>"$ES_HOME/config/elasticsearch.yml"
  fi
}

# The elastic user's password comes from bootstrap.password in the keystore
# (used while the security index does not exist, i.e. on every fresh start).
# The keystore is only rebuilt when the password changes.
write_es_keystore() {
  local jh=$1 stamp="$ES_HOME/config/.portal-keystore-stamp" want
  want=$(printf '%s' "$ES_PASSWORD" | sha256sum | cut -d' ' -f1)
  if [[ -f $ES_HOME/config/elasticsearch.keystore && -f $stamp && $(<"$stamp") == "$want" ]]; then
    return 0
  fi
  log "elasticsearch: creating keystore with bootstrap.password"
  rm -f "$ES_HOME/config/elasticsearch.keystore"
  run_as "$ES_OS_USER" env ES_JAVA_HOME="$jh" CLI_JAVA_OPTS="$ES_CLI_JAVA_OPTS" \
    "$ES_HOME/bin/elasticsearch-keystore" create >&2 ||
    die "elasticsearch-keystore create failed"
  printf '%s\n' "$ES_PASSWORD" |
    run_as "$ES_OS_USER" env ES_JAVA_HOME="$jh" CLI_JAVA_OPTS="$ES_CLI_JAVA_OPTS" \
      "$ES_HOME/bin/elasticsearch-keystore" add -x bootstrap.password >&2 ||
    die "elasticsearch-keystore add failed"
  echo "$want" >"$stamp"
}

# Build (cached: build.sh reuses a zip of the same sources and versions) and install the
# smartcn analysis plugin into $ES_HOME unless that very zip is installed already.
install_es_smartcn() {
  local jh=$1 zip stamp="$ES_HOME/plugins/$ES_SMARTCN_NAME/.portal-zip" t0
  if [[ $ES_SMARTCN == 0 ]]; then
    if [[ -d $ES_HOME/plugins/$ES_SMARTCN_NAME ]]; then
      log "elasticsearch: removing $ES_SMARTCN_NAME (PORTAL_ES_SMARTCN=0)"
      rm -rf "${ES_HOME:?}/plugins/$ES_SMARTCN_NAME"
    fi
    return 0
  fi
  t0=$(now_ms)
  zip=$("$ES_SMARTCN_SRC/build.sh" "$ES_HOME" "$ES_DOWNLOADS/plugins") ||
    die "could not build the smartcn plugin"
  if [[ -f $stamp && $(<"$stamp") == "${zip##*/}" ]]; then
    return 0
  fi
  log "elasticsearch: installing ${zip##*/}"
  rm -rf "${ES_HOME:?}/plugins/$ES_SMARTCN_NAME"
  env -u JAVA_HOME ES_JAVA_HOME="$jh" CLI_JAVA_OPTS="$ES_CLI_JAVA_OPTS" \
    "$ES_HOME/bin/elasticsearch-plugin" install --batch "file://$zip" >&2 ||
    die "elasticsearch-plugin install $zip failed"
  echo "${zip##*/}" >"$stamp"
  log "elasticsearch: smartcn plugin ready after $(fmt_ms $(($(now_ms) - t0)))"
}

# $1 = 1: start with empty data (normal start); 0: keep the data (restart).
start_es() {
  local wipe=$1 t0 t_launch jh pid out
  t0=$(now_ms)
  install_es
  ensure_es_user
  jh=$(java_home)
  if ((wipe)); then
    rm -rf "$ES_DIR"
  fi
  mkdir -p "$ES_DATA" "$ES_LOGS" "$(dirname "$ES_PIDFILE")"
  write_es_config
  install_es_smartcn "$jh"
  if [[ $EUID -eq 0 ]]; then
    chown -R "$ES_OS_USER:" "$ES_HOME" "$ES_DIR"
  fi
  write_es_keystore "$jh"
  t_launch=$(now_ms)
  log "elasticsearch: starting on $HOST:$ES_HTTP_PORT as $ES_OS_USER (ES_JAVA_HOME=$jh)"
  # -d returns once the node has started (or failed to); its console output
  # (a copy of the log, plus fatal errors) goes to startup.log. The working
  # dir is the logs dir because jvm.options writes gc.log relative to it.
  if ! spawn_as_in "$ES_LOGS" "$ES_OS_USER" timeout "$ES_HEALTH_TIMEOUT" \
    env -u JAVA_HOME ES_JAVA_HOME="$jh" \
    ES_JAVA_OPTS="$ES_JAVA_OPTS_VALUE" CLI_JAVA_OPTS="$ES_CLI_JAVA_OPTS" \
    "$ES_HOME/bin/elasticsearch" -d -p "$ES_PIDFILE" >"$ES_LOGS/startup.log" 2>&1; then
    es_fail "bin/elasticsearch -d failed"
  fi
  while (($(now_ms) - t_launch < ES_HEALTH_TIMEOUT * 1000)); do
    pid=$(read_pidfile "$ES_PIDFILE")
    if [[ -n $pid ]] && ! pid_alive "$pid"; then
      es_fail "process $pid exited"
    fi
    out=$(es_health || true)
    if [[ $out =~ \"status\":\"(green|yellow)\" ]]; then
      log "elasticsearch: healthy (${BASH_REMATCH[1]}) after $(fmt_ms $(($(now_ms) - t0)))" \
        "(node start-up $(fmt_ms $(($(now_ms) - t_launch))))"
      return 0
    fi
    sleep 1
  done
  es_fail "no green/yellow cluster health within ${ES_HEALTH_TIMEOUT}s (last answer: ${out:-none})"
}

stop_es() {
  local pid
  pid=$(live_pid "$ES_PIDFILE" "$ES_NEEDLE")
  if [[ -n $pid ]]; then
    log "elasticsearch: stopping (pid $pid)"
    kill_and_wait "$pid" TERM "$ES_STOP_TIMEOUT"
  fi
  # Leftovers (server or launcher JVMs) without a pid file.
  for pid in $(find_pids "$ES_NEEDLE"); do
    log "elasticsearch: stopping stray process (pid $pid)"
    kill_and_wait "$pid" TERM "$ES_STOP_TIMEOUT"
  done
  rm -f "$ES_PIDFILE"
}

# ---------------------------------------------------------------------------
# Object store (s3proxy) and the load balancer's package (nginx)
# ---------------------------------------------------------------------------

# Java, Maven (only to fetch the jar once) and nginx, in one apt-get run.
install_object_store_packages() {
  local want_s3=$1
  local -a pkgs=()
  command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || pkgs+=(nginx)
  if ((want_s3)); then
    command -v curl >/dev/null 2>&1 || pkgs+=(curl)
    command -v java >/dev/null 2>&1 || pkgs+=(default-jre-headless)
    [[ -s $S3_JAR ]] || command -v mvn >/dev/null 2>&1 || pkgs+=(maven)
  fi
  if ((${#pkgs[@]})); then
    apt_install "${pkgs[@]}"
  fi
}

# Fetch the jar through Maven (so ~/.m2 caches it) by its coordinates, once.
install_s3() {
  local out="$STATE_DIR/.s3-download"
  [[ -s $S3_JAR ]] && return 0
  log "object store: fetching s3proxy $S3_VERSION"
  rm -rf "$out"
  mkdir -p "$out"
  if ! (cd "$out" && mvn -q -B dependency:copy \
    -Dartifact="$S3_ARTIFACT" -DoutputDirectory="$out") >"$out/mvn.log" 2>&1; then
    cat "$out/mvn.log" >&2
    die "maven could not fetch $S3_ARTIFACT"
  fi
  mv "$out/s3proxy-$S3_VERSION-jar-with-dependencies.jar" "$S3_JAR" ||
    die "maven did not produce the s3proxy jar"
  rm -rf "$out"
}

s3_up() {
  local code
  code=$(curl -s -o /dev/null --max-time 3 -w '%{http_code}' "$OUR_S3_URL/" 2>/dev/null || true)
  [[ $code =~ ^[1-5][0-9][0-9]$ ]] # any HTTP answer (403 for anonymous) means it serves
}

# $1 = 1: start with an empty bucket (normal start); 0: keep the data (restart).
start_s3() {
  local wipe=$1 t0 pid
  t0=$(now_ms)
  install_s3
  if ((wipe)); then
    rm -rf "$S3_DIR"
  fi
  # The filesystem backend keeps each bucket as a directory: the bucket exists from the
  # start, private (every request must be signed with the key below).
  mkdir -p "$S3_DATA/$S3_BUCKET"
  printf '%s\n' \
    "s3proxy.endpoint=$OUR_S3_URL" \
    "s3proxy.authorization=aws-v2-or-v4" \
    "s3proxy.identity=$S3_ACCESS_KEY" \
    "s3proxy.credential=$S3_SECRET_KEY" \
    "jclouds.provider=filesystem" \
    "jclouds.filesystem.basedir=$S3_DATA" >"$S3_DIR/s3proxy.conf"
  log "object store: starting s3proxy $S3_VERSION on $OUR_S3_URL"
  (
    close_fds
    cd "$S3_DIR" && exec java -Xms64m -Xmx256m -XX:TieredStopAtLevel=1 "$S3_NEEDLE" \
      -jar "$S3_JAR" --properties "$S3_DIR/s3proxy.conf" </dev/null >"$S3_LOG" 2>&1
  ) &
  pid=$!
  echo "$pid" >"$S3_PIDFILE"
  while (($(now_ms) - t0 < S3_HEALTH_TIMEOUT * 1000)); do
    if ! pid_alive "$pid"; then
      tail -n 30 "$S3_LOG" >&2 || true
      die "object store: s3proxy exited"
    fi
    if s3_up; then
      log "object store: healthy after $(fmt_ms $(($(now_ms) - t0)))"
      return 0
    fi
    sleep 0.2
  done
  tail -n 30 "$S3_LOG" >&2 || true
  die "object store: no answer within ${S3_HEALTH_TIMEOUT}s"
}

stop_s3() {
  local pid
  pid=$(live_pid "$S3_PIDFILE" "$S3_NEEDLE")
  if [[ -n $pid ]]; then
    log "object store: stopping (pid $pid)"
    kill_and_wait "$pid" TERM 10
  fi
  for pid in $(find_pids "$S3_NEEDLE"); do
    log "object store: stopping stray process (pid $pid)"
    kill_and_wait "$pid" TERM 10
  done
  rm -f "$S3_PIDFILE"
}

# The object store's export lines (ours, or the user's own passed through).
emit_s3() {
  local var
  if (($1)); then
    emit OBJECT_STORE_URL "$OUR_S3_URL"
    emit OBJECT_STORE_BUCKET "$S3_BUCKET"
    emit OBJECT_STORE_ACCESS_KEY "$S3_ACCESS_KEY"
    emit OBJECT_STORE_SECRET_KEY "$S3_SECRET_KEY"
    emit PORTAL_MANAGED_OBJECT_STORE 1
  else
    emit OBJECT_STORE_URL "$OBJECT_STORE_URL"
    for var in OBJECT_STORE_BUCKET OBJECT_STORE_ACCESS_KEY OBJECT_STORE_SECRET_KEY; do
      if [[ -n ${!var:-} ]]; then emit "$var" "${!var}"; fi
    done
    emit PORTAL_MANAGED_OBJECT_STORE 0
  fi
}

# Restart only the object store, keeping its files (after a fault test stopped it).
cmd_start_s3() {
  exec 3>&1 1>&2
  mkdir -p "$STATE_DIR"
  ON_FAIL=stop_s3
  trap 'on_exit' EXIT
  stop_s3
  require_free_port "$S3_PORT" "object store" OBJECT_STORE_URL
  install_object_store_packages 1
  start_s3 0
  ON_FAIL=""
  emit_s3 1
}

# ---------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------

WANT_PG=1 WANT_REDIS=1 WANT_ES=1 WANT_S3=1 # what this `start` manages (cmd_start narrows it)
stop_managed() {
  if ((WANT_S3)); then stop_s3; fi
  if ((WANT_ES)); then stop_es; fi
  if ((WANT_REDIS)); then stop_redis; fi
  if ((WANT_PG)); then stop_pg; fi
}

stop_all() {
  stop_s3
  stop_es
  stop_redis
  stop_pg
}

# After stopping our own leftovers, a busy port belongs to someone else.
require_free_port() {
  if port_busy "$1"; then
    die "port $HOST:$1 ($2) is in use by a process this script did not start; free it, or set $3 to use your own service"
  fi
}

# Emit one export line on fd 3 (the real stdout), quoted for eval.
emit() { printf 'export %s=%q\n' "$1" "$2" >&3; }

cmd_start() {
  local want_pg=1 want_redis=1 want_es=1 t0
  t0=$(now_ms)
  # Only the export lines go to the real stdout; everything else to stderr.
  exec 3>&1 1>&2
  is_external DATABASE_URL "$OUR_DATABASE_URL" && want_pg=0
  is_external CELERY_BROKER_URL "$OUR_BROKER_URL" && want_redis=0
  is_external ELASTICSEARCH_URL "$OUR_ES_URL" && want_es=0
  local want_s3=1
  is_external OBJECT_STORE_URL "$OUR_S3_URL" && want_s3=0

  mkdir -p "$STATE_DIR"
  chmod 755 "$STATE_DIR"
  WANT_PG=$want_pg WANT_REDIS=$want_redis WANT_ES=$want_es WANT_S3=$want_s3
  ON_FAIL=stop_managed
  trap 'on_exit' EXIT

  # A previous run may still be up (stale pid files or busy ports). Only the services
  # managed in this run: Redis's stray-process sweep matches any redis-server on its port,
  # which would be the user's own one when CELERY_BROKER_URL points to it.
  stop_managed
  if ((want_pg)); then
    require_free_port "$PG_PORT" postgresql DATABASE_URL
  fi
  if ((want_redis)); then
    require_free_port "$REDIS_PORT" redis CELERY_BROKER_URL
  fi
  if ((want_es)); then
    require_free_port "$ES_HTTP_PORT" elasticsearch ELASTICSEARCH_URL
    require_free_port "$ES_TRANSPORT_PORT" elasticsearch ELASTICSEARCH_URL
  fi

  if ((want_s3)); then
    require_free_port "$S3_PORT" "object store" OBJECT_STORE_URL
  fi

  install_missing "$want_pg" "$want_redis" "$want_es"
  install_object_store_packages "$want_s3"
  if [[ $EUID -eq 0 ]] && id nobody >/dev/null 2>&1 &&
    ! runuser -u nobody -- test -x "$STATE_DIR" 2>/dev/null; then
    die "$STATE_DIR is not reachable by other users (set PORTAL_SERVICES_DIR elsewhere)"
  fi

  if ((want_pg)); then start_pg; else log "postgresql: skipped, DATABASE_URL is set"; fi
  if ((want_redis)); then start_redis; else log "redis: skipped, CELERY_BROKER_URL is set"; fi
  if ((want_es)); then start_es 1; else log "elasticsearch: skipped, ELASTICSEARCH_URL is set"; fi
  if ((want_s3)); then start_s3 1; else log "object store: skipped, OBJECT_STORE_URL is set"; fi
  ON_FAIL=""
  log "all services up after $(fmt_ms $(($(now_ms) - t0)))"

  if ((want_pg)); then emit DATABASE_URL "$OUR_DATABASE_URL"; else emit DATABASE_URL "$DATABASE_URL"; fi
  if ((want_redis)); then
    emit CELERY_BROKER_URL "$OUR_BROKER_URL"
    if is_external CACHE_URL "$OUR_CACHE_URL"; then
      emit CACHE_URL "$CACHE_URL"
    else
      emit CACHE_URL "$OUR_CACHE_URL"
    fi
  else
    emit CELERY_BROKER_URL "$CELERY_BROKER_URL"
    if [[ -n ${CACHE_URL:-} ]]; then emit CACHE_URL "$CACHE_URL"; fi
  fi
  if ((want_es)); then
    emit ELASTICSEARCH_URL "$OUR_ES_URL"
    emit PORTAL_MANAGED_ELASTICSEARCH 1
  else
    emit ELASTICSEARCH_URL "$ELASTICSEARCH_URL"
    emit PORTAL_MANAGED_ELASTICSEARCH 0
  fi
  emit_s3 "$want_s3"
}

# Restart only Elasticsearch, keeping its data (e.g. after a test stopped
# it to simulate an outage). Prints the same ES export lines as `start`.
cmd_start_es() {
  exec 3>&1 1>&2
  mkdir -p "$STATE_DIR"
  ON_FAIL=stop_es
  trap 'on_exit' EXIT
  stop_es
  require_free_port "$ES_HTTP_PORT" elasticsearch ELASTICSEARCH_URL
  require_free_port "$ES_TRANSPORT_PORT" elasticsearch ELASTICSEARCH_URL
  install_missing 0 0 1
  start_es 0
  ON_FAIL=""
  emit ELASTICSEARCH_URL "$OUR_ES_URL"
  emit PORTAL_MANAGED_ELASTICSEARCH 1
}

# A failed start leaves nothing running behind (the caller got no URLs).
on_exit() {
  local rc=$? cleanup=$ON_FAIL
  ON_FAIL=""
  if [[ -n $cleanup ]] && ((rc != 0)); then
    log "start failed (exit $rc); stopping what was started"
    "$cleanup" || true
  fi
  return "$rc"
}

cmd_stop() {
  stop_all
  log "stopped"
}

# "stopped", or a note about leftover processes that have no pid file
# (the next start or stop cleans those up).
stopped_state() {
  local pids
  pids=$(find_pids "$1" | tr '\n' ' ')
  if [[ -n $pids ]]; then
    echo "stopped, but stray process(es) without pid file: ${pids% } (run stop)"
  else
    echo stopped
  fi
}

cmd_status() {
  local pid state
  # PostgreSQL
  pid=$(pg_pid)
  if [[ -n $pid ]]; then
    state="running (pid $pid, $HOST:$PG_PORT, $(pg_ready && echo ready || echo 'not ready'))"
  else
    state=$(stopped_state "$PG_NEEDLE")
  fi
  is_external DATABASE_URL "$OUR_DATABASE_URL" && state+=" [DATABASE_URL points elsewhere]"
  echo "postgresql:    $state"
  # Redis
  pid=$(live_pid "$REDIS_PIDFILE" "$REDIS_NEEDLE")
  if [[ -n $pid ]]; then
    state="running (pid $pid, $HOST:$REDIS_PORT, $(redis_ping && echo PONG || echo 'no PONG'))"
  else
    state=$(stopped_state "$REDIS_NEEDLE")
  fi
  is_external CELERY_BROKER_URL "$OUR_BROKER_URL" && state+=" [CELERY_BROKER_URL points elsewhere]"
  echo "redis:         $state"
  # Elasticsearch
  pid=$(live_pid "$ES_PIDFILE" "$ES_NEEDLE")
  if [[ -n $pid ]]; then
    local health
    health=$(es_health || true)
    if [[ $health =~ \"status\":\"([a-z]+)\" ]]; then
      health=${BASH_REMATCH[1]}
    else
      health="no answer"
    fi
    state="running (pid $pid, $HOST:$ES_HTTP_PORT, $health)"
  else
    state=$(stopped_state "$ES_NEEDLE")
  fi
  is_external ELASTICSEARCH_URL "$OUR_ES_URL" && state+=" [ELASTICSEARCH_URL points elsewhere]"
  echo "elasticsearch: $state"
  # Object store
  pid=$(live_pid "$S3_PIDFILE" "$S3_NEEDLE")
  if [[ -n $pid ]]; then
    state="running (pid $pid, $OUR_S3_URL, $(s3_up && echo answering || echo 'no answer'))"
  else
    state=$(stopped_state "$S3_NEEDLE")
  fi
  is_external OBJECT_STORE_URL "$OUR_S3_URL" && state+=" [OBJECT_STORE_URL points elsewhere]"
  echo "object store:  $state"
}

usage() {
  sed -n '3,/^$/s/^# \{0,1\}//p' "$0" >&2
}

main() {
  case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    start-elasticsearch) cmd_start_es ;;
    stop-elasticsearch) stop_es ;;
    start-object-store) cmd_start_s3 ;;
    stop-object-store) stop_s3 ;;
    -h | --help | help) usage ;;
    *)
      usage
      exit 2
      ;;
  esac
}

main "$@"
