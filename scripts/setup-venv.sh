#!/usr/bin/env bash
# Creates .venv with the pinned AWS emulator (moto server) and botocore, whose AWS API
# models check the synth output. Does nothing when the pinned versions are there.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION=5.2.5
BOTO_VERSION=1.44.8

if .venv/bin/python - "$MOTO_VERSION" "$BOTO_VERSION" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
sys.exit(0 if version("moto") == sys.argv[1] and version("botocore") == sys.argv[2] else 1)
PY
then
    exit 0
fi
echo "==> installing moto $MOTO_VERSION and botocore $BOTO_VERSION into .venv"
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check \
    "moto[server]==$MOTO_VERSION" "boto3==$BOTO_VERSION" "botocore==$BOTO_VERSION"
