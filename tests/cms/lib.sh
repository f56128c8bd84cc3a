# Shared helpers for the CMS test servers (sourced, not run).

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# True while a process exists and is not a zombie (PID 1 here reaps lazily; cms-servers.md W6).
alive() {
  local pid=$1 state
  [ -r "/proc/$pid/stat" ] || return 1
  state=$(sed -E 's/^[0-9]+ \(.*\) (.) .*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != "Z" ] && [ "$state" != "X" ]
}

# Every live process of a process group.
group_members() {
  local pgid=$1 f
  for f in /proc/[0-9]*/stat; do
    # Field 5 is the process group; the command name may contain spaces, so cut after ')'.
    local rest pid
    rest=$(sed -E 's/^[0-9]+ \(.*\) //' "$f" 2>/dev/null) || continue
    pid=${f#/proc/}; pid=${pid%/stat}
    set -- $rest
    [ "${3:-}" = "$pgid" ] && [ "$1" != "Z" ] && echo "$pid"
  done
}

# Stops a whole process group (servers are started with setsid, so forked
# workers are in it too; cms-servers.md W5): TERM, then KILL after 5 s.
stop_group() {
  local pgid=$1 i
  [ -n "$pgid" ] || return 0
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for i in $(seq 50); do
    [ -z "$(group_members "$pgid")" ] && return 0
    sleep 0.1
  done
  kill -KILL -- "-$pgid" 2>/dev/null || true
}

# Waits until a URL answers with one of the given statuses (default 200).
wait_http() {
  local url=$1 secs=$2 want=${3:-200} code i
  for i in $(seq $((secs * 4))); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
    [[ " $want " == *" $code "* ]] && return 0
    sleep 0.25
  done
  echo "no answer from $url within ${secs}s (last status $code)" >&2
  return 1
}

json_get() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$1"; }
