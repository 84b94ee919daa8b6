#!/usr/bin/env bash
# Instructions per iteration of each benchmark of benches/stack.rs, counted with callgrind
# (valgrind): a figure that, unlike wall time, does not drift with the machine's load.
#
#   bash scripts/bench-instructions.sh [BENCH_BINARY]
#
# Without an argument it builds the bench (`cargo bench --no-run`) and uses that binary.
# To compare two commits, build each one's bench binary, copy it away, and run this on both.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is needed (apt install valgrind)" >&2; exit 1; }
bin=${1:-}
if [ -z "$bin" ]; then
    bin=$(cargo bench --locked --bench stack --no-run --message-format=json 2>/dev/null |
        python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "stack":
        print(m["executable"])')
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() { # NAME BENCH_FILTER FUNCTION_REGEX
    valgrind --tool=callgrind --callgrind-out-file="$out/$1" "$bin" --bench "$2" --profile-time 5 \
        >/dev/null 2>&1
    printf '%-34s %s\n' "$1" "$(python3 scripts/callgrind_per_call.py "$out/$1" "$3")"
}
count visitor-book 'visitor_book' 'stack::pipeline'
for n in 10 100 1000; do
    count "pipeline, $n services" "generated/build\+validate\+plan\+synth/$n\$" 'stack::pipeline'
done
count "1000 services: validate" 'stages/1000-services/validate$' 'synth::validate'
count "1000 services: plan" 'stages/1000-services/plan$' 'plan_synth'
count "1000 services: plan as text" 'stages/1000-services/plan-text$' 'render_text'
count "1000 services: synth files" 'stages/1000-services/synth-files$' 'Synth.*::files'
