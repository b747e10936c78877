#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite, on 127.0.0.1 and a free port, in a temp dir.
#   source scripts/postgres.sh; pg_throwaway_start; ...DATABASE_URL is exported...; pg_throwaway_stop
# Installs the Debian package when missing (as root or with passwordless sudo). initdb refuses to
# run as root, so as root the server runs as the package's unprivileged `postgres` user.
# fsync is off: the cluster lives for one test run and is deleted after it.

pg_throwaway_install() {
  local bindir
  bindir=$(pg_throwaway_bindir)
  [[ -n "$bindir" ]] && return 0
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "PostgreSQL is not installed; install it with: sudo apt-get install postgresql" >&2
      return 1
    fi
  fi
  echo "Installing PostgreSQL (Debian package postgresql)"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  [[ -n "$(pg_throwaway_bindir)" ]]
}

pg_throwaway_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -x "$dir/initdb" ]] && echo "$dir"
}

pg_throwaway_free_port() {
  .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_throwaway_start() {
  pg_throwaway_install || return 1
  local bindir password
  bindir=$(pg_throwaway_bindir)
  PG_THROWAWAY_DIR=$(.venv/bin/python -c 'import tempfile; print(tempfile.mkdtemp(prefix="pma-postgres-"))')
  PG_THROWAWAY_PORT=$(pg_throwaway_free_port)
  password=$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(16))')
  PG_THROWAWAY_AS=()
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
    chown postgres: "$PG_THROWAWAY_DIR"
    PG_THROWAWAY_AS=(runuser -u postgres --)
  fi
  PG_THROWAWAY_CTL="$bindir/pg_ctl"
  printf '%s\n' "$password" >"$PG_THROWAWAY_DIR/pwfile"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$PG_THROWAWAY_DIR/pwfile"
  "${PG_THROWAWAY_AS[@]}" "$bindir/initdb" -D "$PG_THROWAWAY_DIR/data" -U pma --pwfile="$PG_THROWAWAY_DIR/pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_THROWAWAY_DIR/initdb.log" 2>&1 \
    || { cat "$PG_THROWAWAY_DIR/initdb.log" >&2; return 1; }
  rm -f "$PG_THROWAWAY_DIR/pwfile"
  "${PG_THROWAWAY_AS[@]}" "$PG_THROWAWAY_CTL" -D "$PG_THROWAWAY_DIR/data" -l "$PG_THROWAWAY_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_THROWAWAY_PORT -c unix_socket_directories=$PG_THROWAWAY_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
    start >/dev/null || { cat "$PG_THROWAWAY_DIR/server.log" >&2; return 1; }
  export DATABASE_URL="postgres://pma:$password@127.0.0.1:$PG_THROWAWAY_PORT/pma"
  echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') is running on 127.0.0.1:$PG_THROWAWAY_PORT (data in $PG_THROWAWAY_DIR)"
}

pg_throwaway_stop() {
  [[ -n "${PG_THROWAWAY_DIR:-}" && -d "$PG_THROWAWAY_DIR" ]] || return 0
  "${PG_THROWAWAY_AS[@]}" "$PG_THROWAWAY_CTL" -D "$PG_THROWAWAY_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_THROWAWAY_DIR"
  unset PG_THROWAWAY_DIR DATABASE_URL
}
