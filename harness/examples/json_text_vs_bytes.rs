//! serde_json reading the JSON status report as bytes (`from_slice`, which
//! checks every string as UTF-8) against reading it as text checked once
//! (`from_str` after `str::from_utf8`), what `from_json` does; with
//! `from_json` itself and the untyped `serde_json::Value` beside them.
//!
//! ```text
//! cargo bench -p apple-device-management-harness --bench decode --no-run   # then run it once: writes the inputs
//! cargo build --release -p apple-device-management-harness --example json_text_vs_bytes
//! cd harness && ../target/release/examples/json_text_vs_bytes
//! ```
//!
//! The four decodes alternate run by run (400 runs, one warm-up) and each
//! figure is a median, so the machine's drift touches all four alike.

use std::hint::black_box;
use std::time::Instant;

use apple_device_management::declarative::protocol::StatusReport;
use apple_device_management_harness::median;

const RUNS: usize = 400;

/// Milliseconds `f` takes once.
fn ms(f: &dyn Fn()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let path = "../target/bench-input/status_report_2000_apps.json";
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e} (run the decode bench once first)"));
    let decodes: [(&str, &dyn Fn()); 4] = [
        ("from_slice", &|| {
            black_box(serde_json::from_slice::<StatusReport>(black_box(&bytes)).unwrap());
        }),
        ("from_str", &|| {
            let text = std::str::from_utf8(black_box(&bytes)).unwrap();
            black_box(serde_json::from_str::<StatusReport>(text).unwrap());
        }),
        ("from_json", &|| {
            black_box(apple_device_management::from_json::<StatusReport>(black_box(&bytes)).unwrap());
        }),
        ("Value", &|| {
            black_box(serde_json::from_slice::<serde_json::Value>(black_box(&bytes)).unwrap());
        }),
    ];
    let mut times = vec![Vec::with_capacity(RUNS); decodes.len()];
    for (_, f) in &decodes {
        f();
    }
    for _ in 0..RUNS {
        for (i, (_, f)) in decodes.iter().enumerate() {
            times[i].push(ms(f));
        }
    }
    let m: Vec<f64> = times.into_iter().map(median).collect();
    for ((name, _), t) in decodes.iter().zip(&m) {
        print!("{name} {t:.3} ms; ");
    }
    println!(
        "from_str/from_slice {:.2}, from_slice/Value {:.2}, from_json/Value {:.2}",
        m[1] / m[0],
        m[0] / m[3],
        m[2] / m[3]
    );
}
