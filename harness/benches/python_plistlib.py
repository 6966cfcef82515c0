"""Times Python's plistlib (what Mac-admin tooling uses) on the same bytes
as benches/decode.rs. Run `cargo bench -p apple-device-management-harness --bench decode` first
(it writes target/bench-input/), then `python3 harness/benches/python_plistlib.py`."""
import pathlib, plistlib, statistics, time

root = pathlib.Path(__file__).resolve().parent.parent.parent / "target" / "bench-input"
for name in ["managed_application_list_1000.xml", "managed_application_list_1000.bplist"]:
    data = (root / name).read_bytes()
    plistlib.loads(data)
    times = []
    for _ in range(30):
        t = time.perf_counter()
        plistlib.loads(data)
        times.append(time.perf_counter() - t)
    print(f"{name}: plistlib.loads median {statistics.median(times) * 1e3:.2f} ms over 30 runs")
