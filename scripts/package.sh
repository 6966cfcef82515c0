#!/usr/bin/env bash
# Builds the two .crate files exactly as `cargo publish` would upload them,
# with Apple's schema vendored into apple-device-management's package.
#
#   scripts/package.sh [SCHEMA_DIR]
#
# SCHEMA_DIR holds Apple's schema at the commit the submodule
# schema/device-management pins (default: the submodule itself). Its commit
# is checked against the pin: from its own git repository when it is one,
# else from the UPSTREAM.md it carries. The YAML the generator reads, Apple's
# LICENSE.txt and an UPSTREAM.md naming the commit are copied to
# schema/vendored/ (ignored by git, never committed), which the package's
# `include` list picks up and build.rs finds when no submodule is there.
#
# Prints each .crate with its size and file count, and fails when the main
# crate is over crates.io's 10 MiB limit. The .crate files land in
# target/package/.
set -euo pipefail
cd "$(dirname "$0")/.."

src="${1:-schema/device-management}"
pinned="$(git ls-tree HEAD schema/device-management | awk '{print $3}')"
if [ -z "$pinned" ]; then
  echo "error: schema/device-management is not a submodule gitlink in HEAD" >&2
  exit 1
fi
if [ ! -d "$src/mdm" ]; then
  echo "error: $src does not hold Apple's schema (no mdm/ folder); run 'git submodule update --init schema/device-management' or pass a checkout of the pinned commit" >&2
  exit 1
fi

# The commit and release name of the source.
commit="" release=""
if [ "$(git -C "$src" rev-parse --show-toplevel 2>/dev/null || true)" = "$(cd "$src" && pwd -P)" ]; then
  commit="$(git -C "$src" rev-parse HEAD)"
  release="$(git -C "$src" describe --tags --exact-match 2>/dev/null || git -C "$src" describe --all --always)"
elif [ -f "$src/UPSTREAM.md" ]; then
  commit="$(grep -oE '\b[0-9a-f]{40}\b' "$src/UPSTREAM.md" | head -n1 || true)"
  release="$(grep -oE '"[^" ]+"' "$src/UPSTREAM.md" | head -n1 | tr -d '"' || true)"
fi
if [ "$commit" != "$pinned" ]; then
  echo "error: $src is at commit '${commit:-unknown}', but the submodule pins $pinned; vendor the pinned commit" >&2
  exit 1
fi

rm -rf schema/vendored
mkdir -p schema/vendored
for family in mdm declarative other; do
  if [ -d "$src/$family" ]; then
    (cd "$src" && find "$family" -name '*.yaml' -print0) | while IFS= read -r -d '' f; do
      mkdir -p "schema/vendored/$(dirname "$f")"
      cp "$src/$f" "schema/vendored/$f"
    done
  fi
done
cp "$src/LICENSE.txt" schema/vendored/LICENSE.txt
cat > schema/vendored/UPSTREAM.md <<MD
# Upstream of this schema copy
- repository: https://github.com/apple/device-management (MIT licence, see LICENSE.txt)
- commit $pinned "${release:-unknown}"
- vendored by scripts/package.sh at packaging time: the YAML files of mdm/,
  declarative/ and other/ (what the generator reads), unchanged
MD

rm -f target/package/apple-device-management-*.crate
# --no-verify: scripts/check-package.sh builds the unpacked packages as a
# registry user would (both feature sets, a downstream crate, docs.rs).
cargo package --quiet --no-verify --allow-dirty \
  -p apple-device-management-codegen -p apple-device-management -p apple-device-management-cli

limit=$((10 * 1024 * 1024))
for crate in target/package/apple-device-management-codegen-*.crate target/package/apple-device-management-[0-9]*.crate \
  target/package/apple-device-management-cli-*.crate; do
  size=$(stat -c %s "$crate")
  files=$(tar -tzf "$crate" | grep -vc '/$')
  yaml=$(tar -tzf "$crate" | grep -c '\.yaml$' || true)
  awk -v c="$crate" -v s="$size" -v f="$files" -v y="$yaml" \
    'BEGIN { printf "%s: %d bytes (%.2f MiB), %d files (%d schema YAML)\n", c, s, s / 1048576, f, y }'
  if [ "$size" -ge "$limit" ]; then
    echo "error: $crate is over crates.io's 10 MiB limit" >&2
    exit 1
  fi
done
