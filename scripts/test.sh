#!/usr/bin/env bash
# The full test suite, from a fresh machine: installs what the tests need into a project
# venv (botocore, for checking synth output against the AWS API models), then runs
# formatting and lint checks, validates both examples' synth output, and runs every test
# (unit, integration, snapshot, trybuild, doc).
set -euo pipefail
cd "$(dirname "$0")/.."

BOTOCORE_VERSION=1.40.76
VENV=.venv

if ! "$VENV/bin/python" -c "import botocore" >/dev/null 2>&1; then
    echo "==> installing botocore $BOTOCORE_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "botocore==$BOTOCORE_VERSION"
fi

VALIDATE=../shared/tools/validate-requests
[ -f "$VALIDATE" ] || VALIDATE=scripts/validate-requests

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> synth output checked against the AWS API models"
for example in visitor_book fintech; do
    out="target/synth/$example"
    rm -rf "$out"
    cargo run --quiet --locked --example "$example" -- synth --out "$out"
    "$VENV/bin/python" "$VALIDATE" "$out"
done

echo "==> cargo test"
cargo test --workspace --locked
