#!/usr/bin/env bash
# The main job: the visitor-book example planned and applied against a local moto server
# this script starts, planned again (no changes), then destroyed. The server stops at the
# end, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-venv.sh
cargo build --quiet --locked --example visitor_book
example=target/debug/examples/visitor_book

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p target/demo
MOTO_IAM_LOAD_MANAGED_POLICIES=true MOTO_ECS_SERVICE_RUNNING=2 \
    .venv/bin/moto_server -H 127.0.0.1 -p "$port" >target/demo/moto.log 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.2
done
echo "==> moto server on 127.0.0.1:$port"

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
# The stack expects an ACM certificate to exist already (a real one is issued for a domain
# you own; on moto, one is requested here).
certificate=$(.venv/bin/python scripts/moto_seed.py "$AWS_ENDPOINT_URL" | sed -n 's/^CERTIFICATE_ARN=//p')
export VISITOR_BOOK_CERTIFICATE_ARN="$certificate"

state=target/demo/visitor-book.state.json
rm -f "$state"
echo "==> apply"
"$example" --state "$state" apply --yes --poll-seconds 1
echo "==> plan again (expecting no changes)"
"$example" --state "$state" plan --detailed-exitcode
echo "==> destroy"
"$example" --state "$state" destroy --yes --quiet --poll-seconds 1
