# Sourced by scripts: start_memcached starts a memcached on a free loopback
# port and sets MEMCACHED_PORT and MEMCACHED_PID; stop_memcached stops it.

# The pid the memcached listening on 127.0.0.1:$1 reports (stats), if any.
memcached_pid_on() {
  local line
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'stats\r\nquit\r\n' >&3
  while IFS= read -r -t 5 line <&3; do
    line=${line%$'\r'}
    if [[ $line == "STAT pid "* ]]; then
      exec 3<&-
      echo "${line#STAT pid }"
      return 0
    fi
  done
  exec 3<&-
  return 1
}

start_memcached() {
  local user_args=() port pid
  [[ $(id -u) -eq 0 ]] && user_args=(-u root)
  for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 30000))
    memcached -l 127.0.0.1 -p "$port" -U 0 "${user_args[@]}" &
    pid=$!
    for _ in $(seq 1 100); do
      # Ours, not another memcached that had the port first (ours then
      # fails to bind it and exits).
      if [[ $(memcached_pid_on "$port" 2>/dev/null) == "$pid" ]]; then
        MEMCACHED_PORT=$port
        MEMCACHED_PID=$pid
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  echo "could not start memcached" >&2
  return 1
}

stop_memcached() {
  if [[ -n "${MEMCACHED_PID:-}" ]]; then
    kill "$MEMCACHED_PID" 2>/dev/null || true
    wait "$MEMCACHED_PID" 2>/dev/null || true
    MEMCACHED_PID=""
  fi
}
