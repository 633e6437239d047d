#!/usr/bin/env bash
# Remakes the example site's two releases and the published copy of the first one.
#
# Release 2026.47 is the example without its two November assembly minutes; 2026.48 adds
# them, so /releases/ shows what changed. The copy of 2026.47 as it was published (its
# `build --archive` zip) is kept in tests/fixtures/releases/, where a test checks that
# `tally verify` identifies it. A release records the built output, so run this again
# after any change to the example site's sources or the theme, and commit the results.
set -euo pipefail
cd "$(dirname "$0")/.."
# TALLY names a tally binary to use instead of a fresh release build.
if [ -z "${TALLY:-}" ]; then
  cargo build --release --quiet
  TALLY="$PWD/target/release/tally"
fi
tally="$(realpath "$TALLY")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
site="$work/site"
mkdir -p "$site"
git ls-files -z tally.toml tally.lock content data templates static themes \
  | xargs -0 cp --parents -t "$site"
november=(content/minutes/2026-11-02-north-ward-assembly.md
          content/minutes/2026-11-23-care-circle-assembly.md)
mkdir -p "$work/held"
for m in "${november[@]}"; do mv "$site/$m" "$work/held/"; done
"$tally" release "$site" --version 2026.47 \
  --note "First public release: balance sheets, minutes and manuals through October"
"$tally" build "$site" --archive --out "$work/first"
for m in "${november[@]}"; do mv "$work/held/$(basename "$m")" "$site/$m"; done
"$tally" release "$site" --version 2026.48 \
  --note "November minutes: the North Ward and Care Circle assemblies"
rm -rf releases releases.toml
cp "$site/releases.toml" releases.toml
cp -r "$site/releases" releases
mkdir -p tests/fixtures/releases
cp "$work/first/releases/2026.47.zip" tests/fixtures/releases/2026.47.zip
echo "example releases remade: releases.toml, releases/, tests/fixtures/releases/2026.47.zip"
