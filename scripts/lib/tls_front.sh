# Sourced by scripts/bench after scripts/lib/moto.sh: puts a TLS terminator (scripts/tls_front.py)
# in front of moto, with a certificate for localhost signed by a test CA made here and now, so a
# function's first request pays a handshake as it does against DynamoDB. Exports
# ROSTER_BENCH_TLS_ENDPOINT (https://localhost:<port>, for the functions alone: the benchmark's
# own set-up keeps moto's plain endpoint) and ROSTER_BENCH_TEST_CA (the CA's certificate, the one
# root a function needs to trust besides its own). Needs $root, $venv, $moto_pid.

tls_dir="$root/target/bench-tls"
rm -rf "$tls_dir" && mkdir -p "$tls_dir"
# RSA 2048 as AWS's endpoints use (Amazon RSA 2048 intermediates); valid two days.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Roster benchmark test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$tls_dir/ca.key" -out "$tls_dir/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout "$tls_dir/server.key" -out "$tls_dir/server.csr" 2>/dev/null
printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
  "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >"$tls_dir/server.ext"
openssl x509 -req -in "$tls_dir/server.csr" -CA "$tls_dir/ca.pem" -CAkey "$tls_dir/ca.key" \
  -CAcreateserial -days 2 -extfile "$tls_dir/server.ext" -out "$tls_dir/server.pem" 2>/dev/null

# What a build that reads the platform's store is given (scripts/lib/ablation.sh).
cat /etc/ssl/certs/ca-certificates.crt "$tls_dir/ca.pem" >"$tls_dir/system-and-test-ca.pem"

moto_port="${AWS_ENDPOINT_URL##*:}"
tls_port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$venv/bin/python" "$root/scripts/tls_front.py" 127.0.0.1 "$tls_port" "$moto_port" \
  "$tls_dir/server.pem" "$tls_dir/server.key" >"$root/target/tls_front.log" 2>&1 &
tls_pid=$!
trap 'kill "$tls_pid" "$moto_pid" 2>/dev/null || true; wait "$tls_pid" "$moto_pid" 2>/dev/null || true' EXIT
tls_ready=false
for _ in $(seq 1 50); do
  if "$venv/bin/python" -c "import ssl, urllib.request; urllib.request.urlopen('https://localhost:$tls_port/moto-api/data.json', timeout=1, context=ssl.create_default_context(cafile='$tls_dir/ca.pem'))" 2>/dev/null; then
    tls_ready=true
    break
  fi
  sleep 0.2
done
if [[ "$tls_ready" != true ]]; then
  echo "the TLS front did not answer on localhost:$tls_port; its log:" >&2
  cat "$root/target/tls_front.log" >&2
  exit 1
fi
echo "TLS front on localhost:$tls_port → moto (log: target/tls_front.log)" >&2
export ROSTER_BENCH_TLS_ENDPOINT="https://localhost:$tls_port"
export ROSTER_BENCH_TEST_CA="$tls_dir/ca.pem"
