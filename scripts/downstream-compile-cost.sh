#!/usr/bin/env bash
# What decoding costs a user's own crate to compile (issue 17): a small
# binary that calls `from_plist::<Profile>`, `decode_response` and decodes an
# `AnyDeclaration`, built against this checkout with `full`. The dependency
# and the user's crate are built cold first (what this crate costs, once);
# then the user's crate is rebuilt after a one-line change (what it costs on
# every build of the user's own code), in debug and in release. Wall-clock
# seconds are printed for each. A third configuration is debug with this
# crate's debug info cut to line tables (what the README's "Performance"
# section suggests: `[profile.dev.package.apple-device-management] debug =
# "line-tables-only"`): a debug rebuild is mostly linking the debug info.
# A fourth, split-debuginfo, keeps full debug info but leaves it in the
# object files' `.dwo` companions, out of the link (`[profile.dev]
# split-debuginfo = "unpacked"`, Linux).
# For each debug rebuild the link alone is timed too (the linker command
# rustc prints, run again on the objects it kept).
# Run from the repository root:
#
#   DEVICE_MANAGEMENT_SCHEMA=../shared/apple-device-management scripts/downstream-compile-cost.sh [debug|release|line-tables|split-debuginfo]...
#
# With no argument, all four.
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
seconds() { # command...
    local start end
    start=$(date +%s.%N)
    "$@"
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
line_tables=(--config 'profile.dev.package.apple-device-management.debug="line-tables-only"')
split_debuginfo=(--config 'profile.dev.split-debuginfo="unpacked"')
for config in "${@:-debug release line-tables split-debuginfo}"; do
    for name in $config; do
        case $name in
            debug) flags=() ;;
            release) flags=(--release) ;;
            line-tables) flags=("${line_tables[@]}") ;;
            split-debuginfo) flags=("${split_debuginfo[@]}") ;;
            *) echo "unknown configuration $name (debug, release, line-tables, split-debuginfo)" >&2; exit 2 ;;
        esac
        export CARGO_TARGET_DIR="$work/target-$name"
        write_main "first"
        # The dependency, cold (and the user's crate once): timed apart.
        printf '%s: library and user crate, cold: %.1f s\n' "$name" \
            "$(seconds cargo build --quiet --manifest-path "$work/Cargo.toml" "${flags[@]}")"
        write_main "second"
        printf '%s: user crate, rebuild after a one-line change: %.1f s\n' "$name" \
            "$(seconds cargo build --quiet --manifest-path "$work/Cargo.toml" "${flags[@]}")"
        if [ "$name" != release ]; then
            # The same rebuild, keeping the objects, then its link alone.
            write_main "third"
            (cd "$work" && cargo rustc --quiet "${flags[@]}" -- --print link-args -C save-temps >"$work/link-args")
            printf '%s: of which linking: %.1f s (binary %s MB)\n' "$name" \
                "$(cd "$work" && seconds bash -c "$(cat "$work/link-args")")" \
                "$(( $(stat -c %s "$CARGO_TARGET_DIR/debug/compile-cost") / 1000000 ))"
        fi
        rm -rf "$CARGO_TARGET_DIR"
    done
done
rm -rf "$work"
