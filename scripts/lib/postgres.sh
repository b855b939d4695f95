# A throwaway PostgreSQL cluster for one run of scripts/test or bench/run; sourced, not run.
#
#   postgres_start DIR [SETTING...]   initdb in DIR/postgres, start it on a free loopback port with
#                                     these extra `-c` settings; sets POSTGRES_URL
#   postgres_stop                     stops it (call from the caller's EXIT trap)
# Durability is pointless for a cluster that lives for one run: fsync and friends are off.

postgres_data=""
postgres_run_as=()
postgres_ctl=""

# Prints the first TCP port on 127.0.0.1, from $1 upwards, that nothing answers on.
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
  done
  echo "$port"
}

postgres_start() {
  local work=$1
  shift
  local pg_bin settings=() setting
  pg_bin=$(find /usr/lib/postgresql -maxdepth 3 -path '*/bin/initdb' -printf '%h\n' 2>/dev/null | sort -V | tail -n 1)
  if [[ -z $pg_bin || ! -x $pg_bin/pg_ctl ]]; then
    echo "PostgreSQL is needed: apt-get install -y postgresql" >&2
    return 1
  fi
  postgres_ctl=$pg_bin/pg_ctl
  postgres_data=$work/postgres
  mkdir -p "$postgres_data"
  if [[ $(id -u) -eq 0 ]]; then
    # PostgreSQL refuses to run as root.
    chown postgres: "$work" "$postgres_data"
    chmod 755 "$work"
    postgres_run_as=(runuser -u postgres --)
  fi
  local port
  port=$(free_port 55432)
  "${postgres_run_as[@]}" "$pg_bin/initdb" -D "$postgres_data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; echo "initdb failed" >&2; return 1; }
  for setting in listen_addresses=127.0.0.1 fsync=off synchronous_commit=off full_page_writes=off "$@"; do
    settings+=(-c "$setting")
  done
  "${postgres_run_as[@]}" "$postgres_ctl" start -D "$postgres_data" -w -t 60 -s -l "$postgres_data/server.log" \
    -o "-p $port -k $postgres_data ${settings[*]}" ||
    { cat "$postgres_data/server.log" >&2; echo "PostgreSQL did not start" >&2; return 1; }
  POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on port $port"
}

postgres_stop() {
  if [[ -n $postgres_data ]]; then
    "${postgres_run_as[@]}" "$postgres_ctl" stop -D "$postgres_data" -m immediate -s >/dev/null 2>&1 || true
    postgres_data=""
  fi
}
