"""Python's plistlib (what Mac-admin tooling uses) against this crate's typed
decode, on the same bytes: every file benches/decode.rs writes to
target/bench-input/ (the four message shapes of issue 17 and the
1,000-app list), XML and binary; the JSON status report against Python's
json module (plistlib does not read JSON).

    cargo bench -p apple-device-management-harness --bench decode   # writes the inputs
    cargo build --release -p apple-device-management-harness --example typed_median
    python3 harness/benches/python_plistlib.py [rounds]

Python and the Rust timing binary (harness/examples/typed_median.rs) run in
turns, `rounds` times (3 by default), so that the machine's drift touches
both; each figure is a median of 30 runs after one warm-up. The ratio is
Python's median over the typed median of the same round. The last ratio is
Python's median over the Rust binary's token loop (every token read,
nothing built): the most any decode through the same tokenizers could
reach. Without the Rust binary only Python's times are printed."""
import json, pathlib, plistlib, statistics, subprocess, sys, time

repo = pathlib.Path(__file__).resolve().parent.parent.parent
root = repo / "target" / "bench-input"
rust = repo / "target" / "release" / "examples" / "typed_median"
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3


def python_times():
    out = {}
    for path in sorted(root.iterdir()):
        data = path.read_bytes()
        load = json.loads if path.suffix == ".json" else plistlib.loads
        load(data)
        times = []
        for _ in range(30):
            t = time.perf_counter()
            load(data)
            times.append(time.perf_counter() - t)
        out[path.name] = statistics.median(times) * 1e3
    return out


def rust_times():
    if not rust.exists():
        return {}
    lines = subprocess.run([str(rust)], check=True, capture_output=True, text=True).stdout.splitlines()
    out = {}
    for line in lines:
        name, *fields = line.split()
        out[name] = dict(f.split("=") for f in fields)
    return out


for r in range(1, rounds + 1):
    py, rs = python_times(), rust_times()
    print(f"round {r}")
    for name, ms in py.items():
        loader = "json.loads" if name.endswith(".json") else "plistlib.loads"
        if name in rs:
            lenient, strict = float(rs[name]["lenient_ms"]), float(rs[name]["strict_ms"])
            # The typed decode is the type's default mode (`from_plist`).
            typed = float(rs[name][rs[name]["default"] + "_ms"])
            tokens = float(rs[name]["tokens_ms"])
            print(
                f"  {name}: {loader} {ms:.2f} ms, typed {typed:.3f} ms, ratio {ms / typed:.1f}x; "
                f"strict/lenient {strict / lenient:.2f}; token loop {tokens:.3f} ms, "
                f"{loader} / token loop {ms / tokens:.1f}x"
            )
        else:
            print(f"  {name}: {loader} {ms:.2f} ms")
