//! Issue 17: the decoding of every whole message is compiled once, in the
//! library, not in each crate that calls `from_plist`. That holds only
//! while the generator marks every message type with the override that
//! does it (`__document!`, or `document` in `__record_serde!`); a type that
//! loses its mark still decodes, but its decoder is compiled again in every
//! user's crate. These tests count the marks against the types that need
//! them, in the code generated from the pinned schema.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use apple_device_management_codegen::model::Family;
use apple_device_management_codegen::{Provenance, load, render};

fn schema_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    apple_device_management_codegen::locate::locate_from_env(&root).unwrap_or_else(|e| panic!("{e}")).dir
}

/// The generated modules (not `mod.rs`) under one family directory, with
/// all whitespace removed (prettyplease wraps long macro calls).
fn modules<'a>(files: &'a BTreeMap<PathBuf, String>, dir: &str) -> Vec<(&'a Path, String)> {
    files
        .iter()
        .filter(|(p, _)| p.starts_with(dir) && p.file_name().is_some_and(|n| n != "mod.rs"))
        .map(|(p, text)| (p.as_path(), text.split_whitespace().collect()))
        .collect()
}

/// The `__record_serde!` call starting at `from` in `text`, if any.
fn record_serde_call<'a>(text: &'a str, from: &str) -> Option<&'a str> {
    let top = &text[text.find(from)?..];
    Some(&top[..top.find(");").unwrap_or(top.len())])
}

fn rendered() -> BTreeMap<PathBuf, String> {
    let schema = load::load(&schema_dir()).unwrap_or_else(|e| panic!("{e}"));
    render(&schema, &Provenance { release: "r".into(), commit: "c".into() }, &Family::ALL)
}

#[test]
fn every_message_type_is_decoded_by_a_function_compiled_in_the_library() {
    let files = rendered();

    // Commands: every request, and every reply body it names.
    let commands = modules(&files, "commands");
    assert!(commands.len() >= 60, "{} command modules", commands.len());
    let mut replies = 0;
    for (path, text) in &commands {
        let requests = text.matches("implcrate::Requestfor").count();
        assert_eq!(requests, 1, "{}: one request", path.display());
        assert_eq!(text.matches("crate::__document!(command);").count(), requests, "{}", path.display());
        // `type Response = XResponse;` names a generated reply body, which
        // must decode its `CommandResponse` here; `EmptyResponse` does so in
        // the runtime.
        let own_reply = text.contains("typeResponse=") && !text.contains("typeResponse=crate::EmptyResponse;");
        assert_eq!(
            text.matches("crate::__document!(reply);").count(),
            usize::from(own_reply),
            "{}: a reply body without its document decoder, or one too many",
            path.display()
        );
        replies += usize::from(own_reply);
    }
    assert!(replies >= 30, "{replies} reply bodies");

    // Declarations: every payload, through `Declaration<T>`.
    let declarations = modules(&files, "declarative/declarations");
    let mut payloads = 0;
    for (path, text) in &declarations {
        let n = text.matches("implcrate::declarative::DeclarationPayloadfor").count();
        assert_eq!(text.matches("crate::__document!(declaration);").count(), n, "{}", path.display());
        payloads += n;
    }
    assert!(payloads >= 30, "{payloads} declaration payloads");

    // Check-in messages and error bodies: each file is one message, tagged.
    for dir in ["checkin", "errors"] {
        let found = modules(&files, dir);
        assert!(!found.is_empty(), "{dir}");
        for (path, text) in &found {
            let call = record_serde_call(text, "crate::__record_serde!(").unwrap_or_default();
            assert!(call.ends_with(",document"), "{}: its message type `{call}` is not a document", path.display());
        }
    }

    // A whole profile, the status report and the other protocol documents,
    // and every `other/` file's top type.
    let all = modules(&files, "");
    let documents = |name: &str| {
        let start = format!("crate::__record_serde!({name},");
        all.iter().filter(|(_, t)| record_serde_call(t, &start).is_some_and(|call| call.ends_with(",document"))).count()
    };
    for name in ["Profile", "StatusReport", "DeclarationItemsResponse", "Esso", "MachineInfo", "ManifestUrl"] {
        assert_eq!(documents(name), 1, "{name} is not decoded as a document");
    }
}
