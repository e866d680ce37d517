#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis servers for the tests, on loopback, in a
# folder of their own that is removed when they stop.
#
#   scripts/test-services.sh run COMMAND...  start both, run COMMAND with
#                                            STUDIO_DATABASE_URL and
#                                            STUDIO_BROKER_URL set, stop both
#   scripts/test-services.sh start [FOLDER]  start both, print the variables
#   scripts/test-services.sh stop FOLDER     stop both, remove FOLDER
#
# Debian's postgresql and redis-server packages are installed when missing
# (as root; anyone else is told the command). PostgreSQL refuses to run as
# root, so root runs it as the postgres account and Redis as redis. Each
# server listens on 127.0.0.1 only, on a free port, with a random password.
set -euo pipefail

die() {
    echo "test-services: $*" >&2
    exit 1
}

pg_bin() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return
        fi
    done
}

install_missing() {
    local packages=()
    [ -n "$(pg_bin)" ] || packages+=(postgresql)
    command -v redis-server >/dev/null || packages+=(redis-server)
    command -v redis-cli >/dev/null || packages+=(redis-tools)
    [ ${#packages[@]} -eq 0 ] && return
    if [ "$(id -u)" -ne 0 ]; then
        die "missing ${packages[*]}: sudo apt-get install ${packages[*]}"
    fi
    echo "test-services: installing ${packages[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${packages[@]}" >/dev/null
    [ -n "$(pg_bin)" ] || die "PostgreSQL is still missing after apt-get install"
}

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

password() {
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'
}

# Runs a command as the given account when this script runs as root.
as_user() {
    local user=$1
    shift
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$user" -- "$@"
    else
        "$@"
    fi
}

start() {
    local folder=$1
    install_missing
    local bin pg_user=postgres redis_user=redis
    bin=$(pg_bin)
    if [ "$(id -u)" -ne 0 ]; then
        pg_user=$(id -un)
        redis_user=$(id -un)
    fi
    id "$pg_user" >/dev/null 2>&1 || die "no $pg_user account to run PostgreSQL"
    id "$redis_user" >/dev/null 2>&1 || redis_user=$pg_user

    mkdir -p "$folder"
    chmod 711 "$folder"
    mkdir -p "$folder/postgres" "$folder/redis"
    chmod 700 "$folder/postgres" "$folder/redis"
    if [ "$(id -u)" -eq 0 ]; then
        chown "$pg_user" "$folder/postgres"
        chown "$redis_user" "$folder/redis"
    fi

    local pg_port pg_password redis_port redis_password
    pg_port=$(free_port)
    pg_password=$(password)
    echo "$pg_password" >"$folder/postgres/password"
    [ "$(id -u)" -ne 0 ] || chown "$pg_user" "$folder/postgres/password"
    as_user "$pg_user" "$bin/initdb" --pgdata="$folder/postgres/data" \
        --username=studio --pwfile="$folder/postgres/password" \
        --auth=scram-sha-256 --encoding=UTF8 --locale=C --no-sync \
        >"$folder/postgres/initdb.log" 2>&1 ||
        die "initdb failed: $(tail -5 "$folder/postgres/initdb.log")"
    rm "$folder/postgres/password"
    # Durability is worthless for a database that lives for one test run.
    as_user "$pg_user" "$bin/pg_ctl" --pgdata="$folder/postgres/data" \
        --log="$folder/postgres/server.log" --wait --timeout=60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$pg_port" \
        -o "-c unix_socket_directories=$folder/postgres" \
        -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null ||
        die "PostgreSQL did not start: $(tail -5 "$folder/postgres/server.log")"
    PGPASSWORD=$pg_password "$bin/createdb" --host=127.0.0.1 --port="$pg_port" \
        --username=studio studio

    redis_port=$(free_port)
    redis_password=$(password)
    cat >"$folder/redis/redis.conf" <<EOF
bind 127.0.0.1
port $redis_port
requirepass $redis_password
dir $folder/redis
save ""
appendonly no
daemonize yes
pidfile $folder/redis/redis.pid
logfile $folder/redis/redis.log
EOF
    [ "$(id -u)" -ne 0 ] || chown "$redis_user" "$folder/redis/redis.conf"
    as_user "$redis_user" redis-server "$folder/redis/redis.conf"
    local tries=0
    until REDISCLI_AUTH=$redis_password redis-cli -h 127.0.0.1 -p "$redis_port" \
        ping 2>/dev/null | grep -q PONG; do
        tries=$((tries + 1))
        [ $tries -lt 100 ] || die "Redis did not start: $(tail -5 "$folder/redis/redis.log")"
        sleep 0.1
    done

    cat >"$folder/env" <<EOF
export STUDIO_DATABASE_URL=postgres://studio:$pg_password@127.0.0.1:$pg_port/studio
export STUDIO_BROKER_URL=redis://:$redis_password@127.0.0.1:$redis_port/0
export STUDIO_TEST_SERVICES=$folder
EOF
    chmod 600 "$folder/env"
}

stop() {
    local folder=$1
    [ -d "$folder" ] || return 0
    local bin pg_user=postgres
    bin=$(pg_bin)
    [ "$(id -u)" -eq 0 ] || pg_user=$(id -un)
    if [ -f "$folder/postgres/data/postmaster.pid" ]; then
        as_user "$pg_user" "$bin/pg_ctl" --pgdata="$folder/postgres/data" \
            --mode=immediate --wait stop >/dev/null 2>&1 || true
    fi
    if [ -f "$folder/redis/redis.pid" ]; then
        kill "$(cat "$folder/redis/redis.pid")" 2>/dev/null || true
    fi
    rm -rf "$folder"
}

command=${1:-}
case "$command" in
run)
    shift
    [ $# -gt 0 ] || die "usage: $0 run COMMAND..."
    folder=$(mktemp -d "${TMPDIR:-/tmp}/studio-services.XXXXXX")
    trap 'stop "$folder"' EXIT
    trap 'exit 130' INT TERM
    start "$folder"
    # shellcheck disable=SC1091
    source "$folder/env"
    # Tests that need these servers fail, rather than skip, without them.
    export STUDIO_REQUIRE_SERVICES=1
    echo "test-services: PostgreSQL and Redis on 127.0.0.1 under $folder" >&2
    "$@"
    ;;
start)
    folder=${2:-$(mktemp -d "${TMPDIR:-/tmp}/studio-services.XXXXXX")}
    start "$folder"
    cat "$folder/env"
    echo "# stop with: $0 stop $folder"
    ;;
stop)
    [ -n "${2:-}" ] || die "usage: $0 stop FOLDER"
    stop "$2"
    ;;
*)
    die "usage: $0 run COMMAND... | start [FOLDER] | stop FOLDER"
    ;;
esac
