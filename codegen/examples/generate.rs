//! Runs the generator outside cargo's build, to read or diff its output.
//!
//! `cargo run -p apple-device-management-codegen --example generate -- <schema dir> <out dir>`
//!
//! Prints the files written and how long loading and generating took.

use std::time::Instant;

fn main() {
    let mut args = std::env::args_os().skip(1);
    let (Some(schema), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: generate <schema dir> <out dir>");
        std::process::exit(2);
    };
    let start = Instant::now();
    match apple_device_management_codegen::generate(schema.as_ref(), out.as_ref()) {
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
