#!/usr/bin/env bash
# Uses the packages that scripts/package.sh built the way a crates.io user
# would: unpacked into an empty directory outside the repository, with no
# DEVICE_MANAGEMENT_SCHEMA and no submodule, a small downstream crate
# (scripts/downstream/) is built and run against them with default features
# and with `full`, and the main crate's docs are built as docs.rs builds
# them (all features, --cfg docsrs, warnings denied).
#
# The codegen crate is not on crates.io yet, so the downstream crate points
# both names at the unpacked packages with [patch.crates-io]: exactly the
# files a registry would serve, resolved through the registry dependency
# declared in the packaged Cargo.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
unset DEVICE_MANAGEMENT_SCHEMA

main_crate="$(ls target/package/apple-device-management-[0-9]*.crate)"
codegen_crate="$(ls target/package/apple-device-management-codegen-[0-9]*.crate)"
cli_crate="$(ls target/package/apple-device-management-cli-[0-9]*.crate)"
version="$(basename "$main_crate" .crate | sed 's/^apple-device-management-//')"

work="$(mktemp -d /tmp/adm-registry-user.XXXXXX)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$main_crate" -C "$work"
tar -xzf "$codegen_crate" -C "$work"
tar -xzf "$cli_crate" -C "$work"
cp -r scripts/downstream "$work/downstream"
cat >> "$work/downstream/Cargo.toml" <<TOML

[dependencies]
apple-device-management = "=$version"

[patch.crates-io]
apple-device-management = { path = "../apple-device-management-$version" }
apple-device-management-codegen = { path = "../apple-device-management-codegen-$version" }
TOML
if [ -d "$work/apple-device-management-$version/schema/device-management" ]; then
  echo "error: the package holds a submodule checkout; it must carry only schema/vendored" >&2
  exit 1
fi

# One target directory for both feature sets, so that the dependencies are
# compiled once; inside the repository's target/ so that CI cleans it.
export CARGO_TARGET_DIR="$root/target/registry-user"
cd "$work/downstream"
echo "-- downstream crate, default features"
cargo run --quiet
echo "-- downstream crate, features = [\"full\"]"
cargo run --quiet --features full

echo "-- the command-line tool, installed with cargo install from its package"
patches=(--config "patch.crates-io.apple-device-management.path=\"$work/apple-device-management-$version\""
  --config "patch.crates-io.apple-device-management-codegen.path=\"$work/apple-device-management-codegen-$version\"")
# --debug: reuse the debug build of the library made just above.
cargo install --quiet --debug --path "$work/apple-device-management-cli-$version" --root "$work/bin" "${patches[@]}"
"$work/bin/bin/apple-dm" keys macOS 15.1 --family declarations --json > /dev/null
"$work/bin/bin/apple-dm" explain InstallApplication.ManifestURL > /dev/null

echo "-- docs as docs.rs builds them (all features, --cfg docsrs)"
cd "$work/apple-device-management-$version"
# docs.rs uses a nightly toolchain for `feature(doc_cfg)`; RUSTC_BOOTSTRAP
# lets this machine's stable rustdoc do the same.
RUSTC_BOOTSTRAP=1 RUSTDOCFLAGS="--cfg docsrs -D warnings" cargo doc --quiet --no-deps --all-features \
  --config "patch.crates-io.apple-device-management-codegen.path=\"$work/apple-device-management-codegen-$version\""
ls "$CARGO_TARGET_DIR/doc/apple_device_management/index.html" > /dev/null
echo "package check passed: $(basename "$main_crate") builds from the registry files alone"
