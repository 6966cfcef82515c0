//! Runs the generator outside cargo's build, to read or diff its output.
//!
//! `cargo run -p apple-device-management-codegen --example generate -- <schema dir> <out dir> [family ...]`
//!
//! Families are the cargo feature names (`commands checkin errors` is what a
//! default build generates); all by default. Prints the files written and
//! how long loading and generating took.

use std::time::Instant;

fn main() {
    let mut args = std::env::args_os().skip(1);
    let (Some(schema), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: generate <schema dir> <out dir>");
        std::process::exit(2);
    };
    let start = Instant::now();
    use apple_device_management_codegen::{family_out, model::Family};
    let wanted: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
    let families: Vec<Family> = Family::ALL
        .into_iter()
        .filter(|f| wanted.is_empty() || wanted.iter().any(|w| *w == family_out(*f).feature))
        .collect();
    match apple_device_management_codegen::generate(schema.as_ref(), out.as_ref(), &families) {
        Ok(summary) => println!(
            "{} schema files -> {} generated files ({} changed) in {:.0} ms",
            summary.schema_files,
            summary.generated,
            summary.written,
            start.elapsed().as_secs_f64() * 1000.0
        ),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
