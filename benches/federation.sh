#!/bin/sh
# The federation at scale: generates MEMBERS (default 200) member sites of ROWS (default
# 5,000) ledger rows each, seals and builds them, then times `tally fetch` (folder
# sources) and `tally build` of the federation with /usr/bin/time -v (wall time, peak
# memory). Run from the repository: `sh benches/federation.sh [MEMBERS] [ROWS]`.
# TALLY_BENCH_DIR=DIR keeps the generated sites in DIR, and reuses them when DIR
# already holds them (to time the fetch and build again alone).
set -eu
members=${1:-200}
rows=${2:-5000}
cargo build --release --no-default-features --quiet
tally="$PWD/target/release/tally"
if [ -n "${TALLY_BENCH_DIR:-}" ]; then
    dir=$TALLY_BENCH_DIR
    mkdir -p "$dir"
else
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
fi
if [ ! -d "$dir/federation" ]; then
    python3 benches/federation_sites.py "$dir" "$members" "$rows"
    started=$(date +%s)
    for site in "$dir"/m*; do
        "$tally" seal --yes "$site" >/dev/null
        "$tally" build --quiet "$site"
    done
    echo "built $members member sites of $rows rows in $(( $(date +%s) - started )) s"
fi
rm -rf "$dir/federation/data/members"
measure() {
    /usr/bin/time -v "$@" 2>"$dir/time.txt" >/dev/null
    wall=$(grep 'Elapsed (wall clock)' "$dir/time.txt" | sed 's/.*: //')
    peak=$(grep 'Maximum resident' "$dir/time.txt" | sed 's/.*: //')
    echo "$*: wall $wall, peak memory $(( peak / 1024 )) MB"
}
measure "$tally" fetch "$dir/federation"
echo "fetched copies: $(du -sh "$dir/federation/data/members" | cut -f1)"
measure "$tally" fetch "$dir/federation"
measure "$tally" build --quiet "$dir/federation"
"$tally" build --timings --quiet "$dir/federation" 2>&1 | grep -i -E "federation|load|render|total" || true
echo "output: $(du -sh "$dir/federation/public" | cut -f1)"
