#!/usr/bin/env bash
# `make mutants`: mutation testing of the core (crate wizard-core) with cargo-mutants. Each mutant
# is a small deliberate bug (a function returning a default, `==` turned into `!=`, a match arm
# deleted, …); a mutant the tests do not notice is "missed" and points at a behaviour no test pins.
#
#   MUTANTS_FILES   core files to mutate, space separated globs (default: every file of the core),
#                   e.g. MUTANTS_FILES="core/src/auth.rs core/src/jwt.rs"
#   MUTANTS_JOBS    parallel build/test jobs (default 1: this is a shared 2-core machine)
#   MUTANTS_FROM    worktree (default): test the working tree as it is; or a git revision (HEAD,
#                   a commit): that commit only, stable while other files are being edited
#   MUTANTS_IN_PLACE=1  mutate the real source tree instead of a copy (only with nobody else
#                   editing; cargo-mutants restores each file after each mutant and on Ctrl-C)
#   MUTANTS_WORK    where the copy lives (default /tmp/mutants-work; its target/ is kept between
#                   runs, so only the first run builds the dependencies)
#   MUTANTS_TESTS   only these test targets, for a quick pass, e.g. MUTANTS_TESTS="--lib --test auth"
#                   (default: every test of wizard-core). A mutant missed by a quick pass may be
#                   caught by another test: confirm with a full run, MUTANTS_ARGS="--re <name>".
#   MUTANTS_ARGS    anything else for cargo mutants, e.g. MUTANTS_ARGS="--re check_audience"
#
# The default copies the tree to $MUTANTS_WORK/main beside a link $MUTANTS_WORK/shared to the
# shared fixtures (the tests read ../shared/fixtures from the workspace root; FIXTURES_DIR is set
# too), and runs there: the real tree is never touched. The report goes to mutants.out/ in this
# repository (ignored by git; the previous one is kept as mutants.out.old/). Everything runs under
# `nice -n 19`. Equivalent mutants (no test can tell them apart) are excluded, each with its reason, in
# .cargo/mutants.toml. Exit status is cargo-mutants': 0 when every viable mutant was caught, 2 when some
# were missed, 3 on timeouts. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"

CARGO_MUTANTS_VERSION=27.1.0 # builds with rustc 1.88+ (checked on 1.95)
JOBS="${MUTANTS_JOBS:-1}"
FROM="${MUTANTS_FROM:-worktree}"
WORK="${MUTANTS_WORK:-/tmp/mutants-work}"
SHARED="$(cd "$REPO/.." && pwd)/shared"

if cargo mutants --version >/dev/null 2>&1; then
    echo "mutants: $(cargo mutants --version) already installed"
else
    echo "mutants: installing cargo-mutants $CARGO_MUTANTS_VERSION from crates.io (several minutes)"
    nice -n 19 cargo install cargo-mutants --version "$CARGO_MUTANTS_VERSION" --locked
fi

if [ "${MUTANTS_IN_PLACE:-0}" = 1 ]; then JOBS=1; fi
args=(--package wizard-core --output "$REPO" --colors never)
for f in ${MUTANTS_FILES:-}; do args+=(--file "$f"); done
for t in ${MUTANTS_TESTS:-}; do args+=("--cargo-arg=$t"); done
# shellcheck disable=SC2206 # word splitting wanted
args+=(${MUTANTS_ARGS:-})
if [ -d "$SHARED/fixtures" ]; then export FIXTURES_DIR="$SHARED/fixtures"; fi

if [ "${MUTANTS_IN_PLACE:-0}" = 1 ]; then
    [ -n "${MUTANTS_FILES:-}" ] ||
        echo "mutants: warning: mutating every core file in place; other edits to them will clash"
    dir="$REPO"
    args+=(--in-place)
else
    dir="$WORK/main"
    mkdir -p "$dir"
    # Start from a clean copy but keep its target/ (incremental builds between runs).
    find "$dir" -mindepth 1 -maxdepth 1 ! -name target -exec rm -rf {} +
    if [ "$FROM" != worktree ]; then
        git -C "$REPO" archive "$FROM" | tar -x -C "$dir"
    else
        tar -C "$REPO" -c \
            --exclude=./target --exclude=./.git --exclude=node_modules --exclude=./dist \
            --exclude='./mutants.out*' --exclude=./fuzz/target --exclude=./fuzz/artifacts \
            --exclude=./bench-results --exclude=./e2e/test-results --exclude=./e2e/report . |
            tar -x -C "$dir"
    fi
    # Fresh mtimes: `git archive` stamps files with the commit's time, older than the kept target/'s
    # last (mutated) build, so cargo would take the restored sources as unchanged and test a stale
    # mutant.
    find "$dir" -path "$dir/target" -prune -o -type f -exec touch {} +
    if [ -d "$SHARED" ]; then ln -sfn "$SHARED" "$WORK/shared"; fi
    # No debug info in the copy's builds: each mutant relinks every test binary, and that is most
    # of its time (the real tree's target/ is not touched, so no one else rebuilds).
    export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-0}"
    # The copy is ours alone: with one job, mutate it in place and reuse its target/.
    if [ "$JOBS" = 1 ]; then args+=(--in-place); else args+=(--jobs "$JOBS"); fi
    echo "mutants: testing a copy of the $FROM tree in $dir"
fi

start=$(date +%s)
set +e
(cd "$dir" && nice -n 19 cargo mutants "${args[@]}")
status=$?
set -e
elapsed=$(($(date +%s) - start))

out="$REPO/mutants.out"
count() { if [ -f "$out/$1.txt" ]; then grep -c . "$out/$1.txt" || true; else echo 0; fi; }
caught=$(count caught)
missed=$(count missed)
timeout=$(count timeout)
unviable=$(count unviable)
viable=$((caught + missed + timeout))
echo
echo "mutants: $((elapsed / 60)) min $((elapsed % 60)) s with --jobs $JOBS"
if [ "$viable" -gt 0 ]; then
    echo "mutants: score $caught / $viable viable caught ($((100 * caught / viable)) %)," \
        "$missed missed, $timeout timeouts, $unviable unviable"
    printf '%-36s %7s %7s %9s %9s\n' file caught missed timeouts unviable
    cat "$out"/{caught,missed,timeout,unviable}.txt 2>/dev/null | cut -d: -f1 | sort -u |
        while read -r file; do
            n() { grep -c "^$file:" "$out/$1.txt" 2>/dev/null || true; }
            printf '%-36s %7s %7s %9s %9s\n' "$file" "$(n caught)" "$(n missed)" "$(n timeout)" "$(n unviable)"
        done
fi
if [ "$missed" -gt 0 ] || [ "$timeout" -gt 0 ]; then
    echo "mutants: surviving mutants:"
    cat "$out"/missed.txt "$out"/timeout.txt 2>/dev/null | sed 's/^/  /'
fi
echo "mutants: full report in mutants.out/ (outcomes.json, missed.txt, diff/, log/)"
exit "$status"
