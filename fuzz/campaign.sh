#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600), two at a time (one per
# core), seeding empty corpora from ../shared/fixtures/real, and prints each
# target's executions and result. Needs cargo-fuzz (`cargo install cargo-fuzz
# --locked`); works on stable with RUSTC_BOOTSTRAP=1.
#
#   bash fuzz/campaign.sh [SECONDS] [TARGET...]
#
# NO_BUILD=1 runs the targets as last built, without `cargo fuzz build`
# (which rebuilds everything after any change to the crate or the
# generator). CODEGEN_UNITS (default 16) is passed to `cargo fuzz build`:
# with cargo-fuzz's default of one unit, rustc held the whole crate in one
# LLVM module and reached 22.9 GiB resident, nearly all of the machine's
# 23.5 GiB, after 31 minutes (2026-12-04); with 16 it peaked at 16.7 GiB.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(any_command any_response checkin profile declaration_json plist_decoders validate)
fi
fixtures="$(cd ../.. && pwd)/shared/fixtures/real"
export DEVICE_MANAGEMENT_SCHEMA="${DEVICE_MANAGEMENT_SCHEMA:-$(cd ../.. && pwd)/shared/apple-device-management}"
export RUSTC_BOOTSTRAP=1
mkdir -p logs
if [ -z "${NO_BUILD:-}" ]; then
    cargo fuzz build --codegen-units "${CODEGEN_UNITS:-16}"
fi
bin=target/x86_64-unknown-linux-gnu/release

run() {
    local t="$1"
    mkdir -p "corpus/$t"
    if [ -z "$(ls -A "corpus/$t")" ] && [ -d "$fixtures" ]; then
        find "$fixtures" -type f ! -name '*.md' -exec cp {} "corpus/$t/" \;
    fi
    # -timeout: an input taking over 10 s counts as a hang.
    mkdir -p "artifacts/$t"
    "$bin/$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 -artifact_prefix="artifacts/$t/" \
        "corpus/$t" >"logs/$t.log" 2>&1 && status=ok || status="FAILED (see fuzz/logs/$t.log and fuzz/artifacts/$t)"
    local execs
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' || echo "?")
    echo "$t: $execs executions in ${seconds}s: $status"
}

# Two at a time: one per core.
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    run "${targets[i]}" &
    if ((i + 1 < ${#targets[@]})); then
        run "${targets[i + 1]}" &
    fi
    wait
done
