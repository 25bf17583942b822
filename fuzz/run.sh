#!/usr/bin/env bash
# `make fuzz`: run every cargo-fuzz target for a bounded time and fail on the first crash.
#
#   FUZZ_SECONDS    seconds per target (default 60)
#   FUZZ_TARGETS    targets to run, space separated (default: csdl import_json fields import_any)
#   FUZZ_SANITIZER  address (default) or none
#
# cargo-fuzz is installed from crates.io when `cargo fuzz --version` fails. The machine has only
# the stable toolchain: RUSTC_BOOTSTRAP=1 lets stable rustc accept the -Z flags cargo-fuzz passes
# (sanitizer coverage, -Zsanitizer=address).
#
# The kept seeds in fuzz/corpus/<target>/ are read, never written: libFuzzer writes the new inputs
# it finds to the first corpus directory, which is fuzz/target/corpus-work/<target>/ (ignored by
# git, kept between runs). fuzz/dict/<target>.dict, when present, is passed as -dict. Crashes go
# to fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
TARGETS="${FUZZ_TARGETS:-csdl import_json fields import_any}"
SANITIZER="${FUZZ_SANITIZER:-address}"
CARGO_FUZZ_VERSION=0.13.2
export RUSTC_BOOTSTRAP=1

if cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: $(cargo fuzz --version) already installed"
else
    echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION from crates.io (about a minute)"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

summary=()
for target in $TARGETS; do
    work="fuzz/target/corpus-work/$target"
    mkdir -p "$work" "fuzz/artifacts/$target"
    log="fuzz/target/$target.log"
    echo "fuzz: $target for ${SECONDS_PER_TARGET}s (sanitizer: $SANITIZER, seeds: fuzz/corpus/$target)"
    dict=()
    if [ -f "fuzz/dict/$target.dict" ]; then dict=(-dict="fuzz/dict/$target.dict"); fi
    start=$(date +%s)
    set +e
    cargo fuzz run --fuzz-dir fuzz --sanitizer "$SANITIZER" "$target" "$work" "fuzz/corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -print_final_stats=1 "${dict[@]}" 2>&1 | tee "$log" |
        grep -E --line-buffered '^(INFO: seed corpus|#[0-9]+ +(INITED|DONE)|Done [0-9]+ runs|stat::|==[0-9]+==|SUMMARY|thread .* panicked|Failing input|Reproduce with|.*cargo fuzz run)'
    status=${PIPESTATUS[0]}
    set -e
    elapsed=$(($(date +%s) - start))
    execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)
    fuzzed=$(grep -oE '^Done [0-9]+ runs in [0-9]+ second' "$log" | grep -oE '[0-9]+ second' | grep -oE '[0-9]+' | tail -1 || true)
    if [ "$status" -ne 0 ]; then
        echo "fuzz: $target FAILED (exit $status) after ${elapsed}s; full log: $log; crash inputs: fuzz/artifacts/$target/"
        echo "fuzz: reproduce with: RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz $target fuzz/artifacts/$target/<file>"
        exit 1
    fi
    summary+=("$(printf '%-12s %12s executions in %5ss of fuzzing (%ss wall, incl. build)' \
        "$target" "${execs:-?}" "${fuzzed:-?}" "$elapsed")")
done

echo "fuzz: no crash"
printf '  %s\n' "${summary[@]}"
