# Sourced by scripts/test and scripts/bench: starts moto (scripts/moto_server.py) on a free
# loopback port, stops it when the calling script exits, and points everything AWS-shaped at it
# with dummy credentials, never a real account. Needs $root and $venv (scripts/tools installs it).

port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
moto_log="$root/target/moto.log"
mkdir -p "$root/target"
"$venv/bin/python" "$root/scripts/moto_server.py" 127.0.0.1 "$port" >"$moto_log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true' EXIT
# Up to 30 s (moto's first start imports a lot); a moto that never answers stops the run here,
# not as a hundred confusing test failures later.
moto_ready=false
moto_deadline=$((SECONDS + 30))
while ((SECONDS < moto_deadline)); do
  if "$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/data.json', timeout=1)" 2>/dev/null; then
    moto_ready=true
    break
  fi
  if ! kill -0 "$moto_pid" 2>/dev/null; then
    echo "moto did not start; its log:" >&2
    cat "$moto_log" >&2
    exit 1
  fi
  sleep 0.2
done
if [[ "$moto_ready" != true ]]; then
  echo "moto did not answer on 127.0.0.1:$port within 30 s; its log:" >&2
  cat "$moto_log" >&2
  exit 1
fi
echo "moto on 127.0.0.1:$port (log: target/moto.log)" >&2

export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN
