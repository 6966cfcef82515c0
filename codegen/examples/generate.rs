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
    let schema_dir: &std::path::Path = schema.as_ref();
    let schema = match apple_device_management_codegen::load::load(schema_dir) {
        Ok(schema) => schema,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let loaded = start.elapsed();
    let (provenance, refused) = apple_device_management_codegen::Provenance::detect(&schema);
    let (files, mut warnings) = apple_device_management_codegen::render_with_warnings(&schema, &provenance, &families);
    warnings.splice(0..0, refused);
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let rendered = start.elapsed();
    let mut written = 0;
    for (rel, contents) in &files {
        match apple_device_management_codegen::write::write_if_changed(&std::path::Path::new(&out).join(rel), contents)
        {
            Ok(changed) => written += usize::from(changed),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        }
    }
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{} schema files -> {} generated files ({written} changed) in {:.0} ms (load {:.0} ms, IR + emit + format {:.0} ms, write {:.0} ms)",
        schema.files.len(),
        files.len(),
        ms(start.elapsed()),
        ms(loaded),
        ms(rendered - loaded),
        ms(start.elapsed() - rendered),
    );
}
