#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests and the benchmark: never the machine's own, only
# on 127.0.0.1, data in a directory of its own. Uses Debian's server binaries
# (scripts/setup.sh --postgres installs them). initdb refuses to run as root, so as root the
# cluster runs as the `postgres` user.
#
#   scripts/pg-cluster.sh start DIR     create (if new) and start; prints the admin URL
#   scripts/pg-cluster.sh stop DIR      stop at once (like a crash; fine for test data)
#   scripts/pg-cluster.sh restart DIR   stop and start again on the same port
#   scripts/pg-cluster.sh url DIR       print the admin URL
set -euo pipefail

command=${1:?usage: pg-cluster.sh start|stop|restart|url DIR}
dir=${2:?usage: pg-cluster.sh start|stop|restart|url DIR}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
  echo "pg-cluster: PostgreSQL server binaries not found (run scripts/setup.sh --postgres)" >&2
  exit 1
fi

# Runs a server binary as the cluster's owner.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() { echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"; }

start() {
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    mkdir -p "$dir"
    # The owner must reach the directory: a 0700 temp dir of root's would stop it.
    chmod 0755 "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # A free port, chosen by the kernel.
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})' >"$dir/port"
  fi
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 \
    -o "-p $(cat "$dir/port") -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300" \
    start >/dev/null || { tail -n 20 "$dir/log" >&2; exit 1; }
  url
}

stop() {
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
  fi
}

case "$command" in
  start) start ;;
  stop) stop ;;
  restart) stop; start >/dev/null; url ;;
  url) url ;;
  *) echo "pg-cluster: unknown command $command" >&2; exit 2 ;;
esac
