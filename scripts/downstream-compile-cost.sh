#!/usr/bin/env bash
# What decoding costs a user's own crate to compile (issue 17): a small
# binary that calls `from_plist::<Profile>`, `decode_response` and decodes an
# `AnyDeclaration`, built against this checkout with `full`. The dependency
# and the user's crate are built cold first (what this crate costs, once);
# then the user's crate is rebuilt after a one-line change (what it costs on
# every build of the user's own code), in debug and in release. Wall-clock
# seconds are printed for each.
# Run from the repository root:
#
#   DEVICE_MANAGEMENT_SCHEMA=../shared/apple-device-management scripts/downstream-compile-cost.sh
#
# Uses its own target directory under target/ (about 3 GB), removed at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/target/compile-cost"
rm -rf "$work"
mkdir -p "$work/src"
cat > "$work/Cargo.toml" <<EOF
[package]
name = "compile-cost"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
apple-device-management = { path = "$root", features = ["full"] }
EOF
write_main() {
    cat > "$work/src/main.rs" <<EOF
use apple_device_management::declarative::AnyDeclaration;
use apple_device_management::profiles::Profile;
use apple_device_management::{DecodeMode, from_json, from_plist};

fn main() {
    let bytes = std::fs::read(std::env::args().nth(1).unwrap_or_default()).unwrap_or_default();
    let profile = from_plist::<Profile>(&bytes).map(|p| p.payload_content.len());
    let reply = apple_device_management::commands::decode_response("DeviceInformation", &bytes, DecodeMode::Lenient)
        .map(|r| r.status);
    let declaration = from_json::<AnyDeclaration>(&bytes).map(|d| d.tag().to_owned());
    println!("$1 {profile:?} {reply:?} {declaration:?}");
}
EOF
}
time_build() { # profile label
    local start end
    start=$(date +%s.%N)
    cargo build --quiet --manifest-path "$work/Cargo.toml" $1
    end=$(date +%s.%N)
    printf '%s: %.1f s\n' "$2" "$(echo "$end - $start" | bc)"
}
for profile in "" "--release"; do
    name=${profile:-"--debug"}
    write_main "first"
    # The dependency, cold (and the user's crate once): timed apart.
    time_build "$profile" "library and user crate ${name#--}, cold"
    touch "$work/src/main.rs"
    write_main "second"
    time_build "$profile" "user crate ${name#--}, rebuild after a one-line change"
done
rm -rf "$work"
