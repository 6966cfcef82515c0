//! What changed in the generated public API between two schema releases,
//! as Markdown for release notes.
//!
//! `cargo run -p apple-device-management-codegen --example api_diff -- <old schema dir> <new schema dir>`
//!
//! Either argument may also be a listing file (`api/generated-api.txt`).

use std::path::Path;

use apple_device_management_codegen::model::Family;
use apple_device_management_codegen::{api, load};

fn listing(arg: &str) -> String {
    let path = Path::new(arg);
    if path.is_file() {
        return std::fs::read_to_string(path).unwrap_or_else(|e| fail(&format!("{arg}: {e}")));
    }
    match load::load(path) {
        Ok(schema) => api::listing(&schema, &Family::ALL),
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [old, new] = &args[..] else {
        fail("usage: api_diff <old schema dir or listing> <new schema dir or listing>");
    };
    print!("{}", api::diff(&listing(old), &listing(new)));
}
