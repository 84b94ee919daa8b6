#!/usr/bin/env bash
# The full test suite, from a fresh machine: installs what the tests need into a project
# venv (the moto AWS emulator, and botocore for checking synth output against the AWS API
# models), then runs formatting and lint checks, validates both examples' synth output,
# runs the main job (apply/plan/destroy of visitor-book on moto), and runs every test
# (unit, integration against moto, snapshot, trybuild, doc).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
bash scripts/setup-venv.sh

VALIDATE=../shared/tools/validate-requests
[ -f "$VALIDATE" ] || VALIDATE=scripts/validate-requests

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> synth output checked against the AWS API models"
for example in visitor_book fintech fintech_hardened; do
    out="target/synth/$example"
    rm -rf "$out"
    cargo run --quiet --locked --example "$example" -- synth --out "$out"
    "$VENV/bin/python" "$VALIDATE" "$out"
done
out=target/synth/two_stacks_network
rm -rf "$out"
cargo run --quiet --locked --example two_stacks -- network synth --out "$out"
"$VENV/bin/python" "$VALIDATE" "$out"

echo "==> the main job (scripts/demo.sh)"
bash scripts/demo.sh

echo "==> cargo test"
cargo test --workspace --locked
