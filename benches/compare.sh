#!/bin/sh
# tally against Hugo on the same 10,000 minutes pages (about 700 words each), built
# side by side: runs alternate, each side's median of 3 is printed with the ratio.
# Not run in CI. Installs Debian's hugo when it is missing (needs apt-get and root).
#
#   benches/compare.sh [PAGES]
#
# TALLY=/path/to/tally uses that binary instead of building target/release/tally;
# WORK=DIR puts the sites there (default: a folder under /dev/shm, a tmpfs, if present).
set -eu
pages=${1:-10000}
repo=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v hugo >/dev/null 2>&1; then
    apt-get install -y hugo >/dev/null
fi
if [ -z "${TALLY:-}" ]; then
    (cd "$repo" && cargo build --release --no-default-features --quiet)
    TALLY="$repo/target/release/tally"
fi
base=/tmp
[ -d /dev/shm ] && base=/dev/shm
work=${WORK:-$(mktemp -d "$base/tally-compare.XXXXXX")}
trap 'rm -rf "$work"' EXIT

# The pages, written by the pages bench; the Hugo site gets the same Markdown files.
(cd "$repo" && cargo bench --no-default-features --quiet --bench pages -- --generate "$work/tally" "$pages")
mkdir -p "$work/hugo/content" "$work/hugo/layouts/_default"
cp -r "$work/tally/content/minutes" "$work/hugo/content/minutes"
cat > "$work/hugo/config.toml" <<'TOML'
baseURL = "https://bench.example/"
title = "Benchmark Network"
disableKinds = ["taxonomy", "term", "RSS"]
buildFuture = true
TOML
cat > "$work/hugo/layouts/_default/baseof.html" <<'HTML'
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><nav><a href="{{ "/" | relURL }}">{{ site.Title }}</a></nav><main>{{ block "main" . }}{{ end }}</main></body></html>
HTML
cat > "$work/hugo/layouts/_default/single.html" <<'HTML'
{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>{{ .Content }}{{ end }}
HTML
cat > "$work/hugo/layouts/_default/list.html" <<'HTML'
{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
HTML

# Seconds (wall) one command takes; what it prints goes to $work/said.
seconds() {
    start=$(date +%s.%N)
    "$@" >"$work/said" 2>&1
    end=$(date +%s.%N)
    awk "BEGIN { print $end - $start }"
}
# Seconds of the search index stage in the last `tally build --timings`.
index_seconds() {
    awk '/^ *search index / { print $3 / 1000 }' "$work/said"
}
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }

# tally's time without its search index (Hugo makes none): the build less the index stage.
t1= t2= t3= n1= n2= n3= h1= h2= h3=
for i in 1 2 3; do
    rm -rf "$work/tally-out" "$work/hugo-out"
    t=$(seconds "$TALLY" build "$work/tally" --out "$work/tally-out" --timings)
    n=$(awk "BEGIN { print $t - $(index_seconds) }")
    h=$(seconds hugo --source "$work/hugo" --destination "$work/hugo-out" --quiet)
    eval "t$i=$t n$i=$n h$i=$h"
done
tally=$(median "$t1" "$t2" "$t3")
bare=$(median "$n1" "$n2" "$n3")
hugo=$(median "$h1" "$h2" "$h3")
echo "pages: $pages minutes pages; $(hugo version | cut -d' ' -f1-2)"
printf 'tally build:                 %.2f s (runs %.2f %.2f %.2f)\n' "$tally" "$t1" "$t2" "$t3"
printf 'tally build less its index:  %.2f s (runs %.2f %.2f %.2f)\n' "$bare" "$n1" "$n2" "$n3"
printf 'hugo (no search index):      %.2f s (runs %.2f %.2f %.2f)\n' "$hugo" "$h1" "$h2" "$h3"
printf 'ratio: tally takes %.2f x Hugo'"'"'s time with its search index, %.2f x without (target: at most 0.2 x)\n' \
    "$(awk "BEGIN { print $tally / $hugo }")" "$(awk "BEGIN { print $bare / $hugo }")"
echo "machine load: $(cat /proc/loadavg)"
