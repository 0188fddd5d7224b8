#!/bin/sh
# Runs each fuzz target for SECONDS (default 300), one after the other, from fresh seeds plus
# whatever corpus earlier runs left. Usage: fuzz/run.sh [SECONDS] [TARGET...]
# Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`). Logs go to fuzz/logs/<target>.log,
# crashes to fuzz/artifacts/<target>/. Findings do not stop the run of a target (-fork=1
# -ignore_crashes=1): every distinct failing input is kept.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-300}
[ $# -gt 0 ] && shift
targets=${*:-"log_parser manifest profile vector jsonrpc redact anonymize"}
sh "$root/fuzz/seed.sh"
mkdir -p "$root/fuzz/logs"
cd "$root"
for t in $targets; do
    echo "== $t: $secs s"
    # No sanitizer: the code under test is safe Rust (the sanitizer would halve the executions);
    # debug assertions on, so an overflow is a finding.
    cargo +nightly fuzz run --sanitizer none --debug-assertions "$t" "fuzz/corpus/$t" -- \
        -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -fork=1 -ignore_crashes=1 -print_final_stats=1 \
        > "fuzz/logs/$t.log" 2>&1 || true
    # The last status line: executions (#N), coverage, and oom/timeout/crash counts.
    grep -E '^#[0-9]+:' "fuzz/logs/$t.log" | tail -1 || true
done
echo "failing inputs: $(find fuzz/artifacts -type f 2>/dev/null | wc -l) (replay one: fuzz/target/*/release/<target> FILE, or cargo +nightly fuzz run -s none <target> FILE)"
