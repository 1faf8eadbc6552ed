# Sourced by scripts/test and scripts/bench after scripts/lib/moto.sh: puts a TLS terminator
# (scripts/tls_front.py) in front of moto, with a certificate for localhost that a test CA made
# here and now signed, so a function's first request pays a handshake and checks its trust store
# as against DynamoDB. Exports, for the functions under test (everything else keeps moto's plain
# endpoint): ROSTER_TLS_ENDPOINT (https://localhost:<port>, DynamoDB's stand-in),
# ROSTER_TLS_SES_ENDPOINT (https://127.0.0.1:<another port>: SES is another host on AWS, so a
# function pays a second handshake there, and the other name keeps rustls from resuming the
# first one's session) and ROSTER_TLS_TEST_CA (the CA's certificate). Stops the terminator with
# moto. Needs $root, $venv, $moto_pid.

tls_dir="$root/target/tls-front"
rm -rf "$tls_dir"
"$venv/bin/python" "$root/scripts/tls_front.py" certs "$tls_dir"
# What a build that reads the platform's store is given (scripts/lib/ablation.sh), where the
# machine has Debian's bundle.
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
  cat /etc/ssl/certs/ca-certificates.crt "$tls_dir/ca.pem" >"$tls_dir/system-and-test-ca.pem"
fi

moto_port="${AWS_ENDPOINT_URL##*:}"
free_port() { "$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
tls_port="$(free_port)"
tls_ses_port="$(free_port)"
"$venv/bin/python" "$root/scripts/tls_front.py" serve 127.0.0.1 "$tls_port,$tls_ses_port" "$moto_port" \
  "$tls_dir/server.pem" "$tls_dir/server.key" >"$root/target/tls_front.log" 2>&1 &
tls_pid=$!
trap 'kill "$tls_pid" "$moto_pid" 2>/dev/null || true; wait "$tls_pid" "$moto_pid" 2>/dev/null || true' EXIT
tls_ready=false
tls_deadline=$((SECONDS + 30))
while ((SECONDS < tls_deadline)); do
  if "$venv/bin/python" -c "import ssl, urllib.request; urllib.request.urlopen('https://localhost:$tls_port/moto-api/data.json', timeout=1, context=ssl.create_default_context(cafile='$tls_dir/ca.pem'))" 2>/dev/null; then
    tls_ready=true
    break
  fi
  sleep 0.2
done
if [[ "$tls_ready" != true ]]; then
  echo "the TLS front did not answer on localhost:$tls_port within 30 s; its log:" >&2
  cat "$root/target/tls_front.log" >&2
  exit 1
fi
echo "TLS front on localhost:$tls_port and 127.0.0.1:$tls_ses_port → moto (log: target/tls_front.log)" >&2
export ROSTER_TLS_ENDPOINT="https://localhost:$tls_port"
export ROSTER_TLS_SES_ENDPOINT="https://127.0.0.1:$tls_ses_port"
export ROSTER_TLS_TEST_CA="$tls_dir/ca.pem"
