//! `apple-dm`: Apple's device-management schema on the command line, for
//! admins who do not write Rust.
//!
//! Exit codes: 0 when all is well, 1 when validation found errors, 2 for
//! a usage error or an input that cannot be read. Every command takes
//! `--json`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use apple_device_management::availability::{self, Family, KeyEntry, OsEntry, Presence, SchemaFile};
use apple_device_management::report;
use apple_device_management::validate::{self, DocumentKind, Report, Severity};
use apple_device_management::{Channel, Enrollment, KeyPath, OsVersion, Platform, Target};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{Value as Json, json};

#[derive(Parser)]
#[command(
    name = "apple-dm",
    version,
    about = "Apple's device-management schema on the command line",
    long_about = "Validate profiles, declarations, status reports, check-ins and commands against Apple's \
                  device-management schema for an OS version; list and compare supported keys; explain a key; \
                  convert plists; make Jamf package manifests.\n\nExit codes: 0 ok, 1 errors found, 2 usage \
                  error or unreadable input."
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Check files against the schema for a target device. The kind of each
    /// file (profile, declaration, status report, check-in, command, reply)
    /// and its format (XML, binary, JSON, CMS-signed) are detected.
    Validate {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The device: PLATFORM:VERSION, then comma-separated flags:
        /// supervised, ade, user-enrollment, local, user-channel,
        /// shared-ipad, user-approved. Example: macOS:15.1,supervised
        #[arg(long, short)]
        target: String,
        /// Validate as this kind instead of detecting it.
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// For a command reply: the RequestType of the command it answers.
        #[arg(long)]
        request_type: Option<String>,
        /// Treat warnings as errors (exit 1).
        #[arg(long)]
        deny_warnings: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List what an OS version supports: items and keys, with what they need.
    Keys {
        /// iOS, macOS, tvOS, visionOS or watchOS.
        platform: String,
        /// The OS version, e.g. 15.1.
        version: String,
        /// Only these families (repeat the flag); all by default.
        #[arg(long, value_enum)]
        family: Vec<FamilyArg>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// What was introduced, deprecated or removed between two versions.
    Changes {
        /// iOS, macOS, tvOS, visionOS or watchOS.
        platform: String,
        /// From this version (excluded).
        from: String,
        /// To this version (included).
        to: String,
        /// Only these families (repeat the flag); all by default.
        #[arg(long, value_enum)]
        family: Vec<FamilyArg>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Explain a command, payload type, declaration, status item or one of
    /// their keys: NAME or NAME.KEY.PATH, e.g. com.apple.applicationaccess.allowCamera
    /// or InstallApplication.Attributes.Removable.
    Explain {
        /// The name, with an optional key path.
        name: String,
        /// The schema directory to read descriptions from (default: the one
        /// this tool was built from, or $DEVICE_MANAGEMENT_SCHEMA).
        #[arg(long)]
        schema: Option<PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Convert a plist or JSON document between XML, binary and JSON.
    Convert {
        /// The input file (XML, binary, JSON or CMS-signed plist).
        file: PathBuf,
        /// The output format.
        #[arg(long, value_enum)]
        to: FormatArg,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Print a JSON summary (with --output) instead of nothing.
        #[arg(long)]
        json: bool,
    },
    /// The Jamf deploy-package manifest of a flat package (.pkg).
    PkgManifest {
        /// The package.
        pkg: PathBuf,
        /// The https URL the package will be served from.
        #[arg(long)]
        url: String,
        /// The digest to put in the manifest.
        #[arg(long, value_enum, default_value = "sha256")]
        hash: HashArg,
        /// Accept a package without a signature (Macs refuse them).
        #[arg(long)]
        allow_unsigned: bool,
        /// Use this pkg-ref's id and version as bundleId/bundleVersion
        /// (default: the product's).
        #[arg(long, value_name = "ID")]
        pkg_ref: Option<String>,
        /// A root certificate (PEM or DER) the signer's chain must lead to;
        /// repeatable. Without one, the chain's trust is not judged.
        #[arg(long, value_name = "FILE")]
        root: Vec<PathBuf>,
        /// Print JSON (the manifest as Jamf's API takes it).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum KindArg {
    Command,
    Reply,
    Checkin,
    Profile,
    Payload,
    Declaration,
    StatusReport,
}

#[derive(Clone, Copy, ValueEnum)]
enum FamilyArg {
    Commands,
    Checkin,
    Profiles,
    Declarations,
    Status,
}

impl FamilyArg {
    fn family(self) -> Family {
        match self {
            FamilyArg::Commands => Family::Commands,
            FamilyArg::Checkin => Family::Checkin,
            FamilyArg::Profiles => Family::Profiles,
            FamilyArg::Declarations => Family::Declarations,
            FamilyArg::Status => Family::Status,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Xml,
    Binary,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum HashArg {
    Md5,
    Sha256,
}

/// A failure that is not a finding: bad usage or unreadable input (exit 2).
struct Fatal(String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Fatal {
        Fatal(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(Fatal(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Runs a command; `Ok(false)` when it found errors.
fn run(cmd: Cmd) -> Result<bool, Fatal> {
    match cmd {
        Cmd::Validate { files, target, kind, request_type, deny_warnings, json } => {
            let target = parse_target(&target)?;
            validate_files(&files, &target, kind, request_type.as_deref(), deny_warnings, json)
        }
        Cmd::Keys { platform, version, family, json } => {
            let (platform, version) = (parse_platform(&platform)?, parse_version(&version)?);
            keys(platform, version, &families(&family), json);
            Ok(true)
        }
        Cmd::Changes { platform, from, to, family, json } => {
            let platform = parse_platform(&platform)?;
            let (from, to) = (parse_version(&from)?, parse_version(&to)?);
            if from >= to {
                return Err(Fatal(format!("FROM ({from}) must be older than TO ({to})")));
            }
            changes(platform, from, to, &families(&family), json);
            Ok(true)
        }
        Cmd::Explain { name, schema, json } => explain(&name, schema.as_deref(), json).map(|()| true),
        Cmd::Convert { file, to, output, json } => convert(&file, to, output.as_deref(), json).map(|()| true),
        Cmd::PkgManifest { pkg, url, hash, allow_unsigned, pkg_ref, root, json } => {
            pkg_manifest(&pkg, &url, hash, allow_unsigned, pkg_ref, &root, json).map(|()| true)
        }
    }
}

fn parse_platform(text: &str) -> Result<Platform, Fatal> {
    text.parse().map_err(|e| Fatal(format!("{e}: use iOS, macOS, tvOS, visionOS or watchOS")))
}

fn parse_version(text: &str) -> Result<OsVersion, Fatal> {
    text.parse().map_err(|e| Fatal(format!("{e}: a version is like 15.1 or 17.4.1")))
}

const TARGET_FLAGS: &str = "supervised, ade, user-enrollment, local, user-channel, shared-ipad, user-approved";

/// `macOS:15.1,supervised,user-channel`.
fn parse_target(text: &str) -> Result<Target, Fatal> {
    let mut parts = text.split(',').map(str::trim);
    let head = parts.next().unwrap_or_default();
    let Some((platform, version)) = head.split_once(':') else {
        return Err(Fatal(format!("--target `{text}`: write PLATFORM:VERSION[,FLAG...], e.g. macOS:15.1,supervised")));
    };
    let mut target = Target::new(parse_platform(platform)?, parse_version(version)?);
    for flag in parts {
        target = match flag {
            "supervised" => target.supervised(true),
            "ade" | "automated" => target.with_enrollment(Enrollment::Automated),
            "user-enrollment" => target.with_enrollment(Enrollment::User),
            "local" => target.with_enrollment(Enrollment::Local),
            "user-channel" => target.with_channel(Channel::User),
            "shared-ipad" => target.shared_ipad(true),
            "user-approved" => target.user_approved_mdm(true),
            other => return Err(Fatal(format!("--target: unknown flag `{other}`; the flags are: {TARGET_FLAGS}"))),
        };
    }
    Ok(target)
}

fn families(args: &[FamilyArg]) -> Vec<Family> {
    if args.is_empty() { report::FAMILIES.to_vec() } else { args.iter().map(|f| f.family()).collect() }
}

/// A document read from a file, and how it was wrapped.
struct Document {
    value: plist::Value,
    format: &'static str,
    /// `signed by ...` when the file was a CMS-signed message.
    signature: Option<String>,
}

fn read_document(path: &Path) -> Result<Document, Fatal> {
    let bytes = std::fs::read(path).map_err(|e| Fatal(format!("{}: {e}", path.display())))?;
    let (bytes, signature) = if bytes.first() == Some(&0x30) {
        // A DER/BER SEQUENCE: a signed profile.
        let signed = apple_device_management::signed::unwrap(&bytes)
            .map_err(|e| Fatal(format!("{}: looks signed (CMS) but {e}", path.display())))?;
        let who: Vec<String> = signed
            .signers
            .iter()
            .map(|s| format!("{} ({:?})", s.common_name.as_deref().unwrap_or(&s.subject), s.verification))
            .collect();
        let text =
            if who.is_empty() { "signed, no signer".to_owned() } else { format!("signed by {}", who.join(", ")) };
        (signed.content, Some(text))
    } else {
        (bytes, None)
    };
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).map(|i| bytes[i]);
    let (value, format) = if matches!(start, Some(b'{' | b'[')) {
        (apple_device_management::from_json::<plist::Value>(&bytes), "JSON")
    } else if bytes.starts_with(b"bplist") {
        (apple_device_management::from_plist::<plist::Value>(&bytes), "binary plist")
    } else {
        (apple_device_management::from_plist::<plist::Value>(&bytes), "XML plist")
    };
    let value = value.map_err(|e| Fatal(format!("{}: not a readable {format}: {e}", path.display())))?;
    Ok(Document { value, format, signature })
}

fn validate_files(
    files: &[PathBuf],
    target: &Target,
    kind: Option<KindArg>,
    request_type: Option<&str>,
    deny_warnings: bool,
    json: bool,
) -> Result<bool, Fatal> {
    let mut ok = true;
    let mut out = Vec::new();
    for path in files {
        let doc = read_document(path)?;
        let (kind_name, report) = match kind {
            Some(KindArg::Reply) => {
                ("command response".to_owned(), validate::command_response(&doc.value, request_type, target))
            }
            Some(k) => {
                let k = match k {
                    KindArg::Command => DocumentKind::Command,
                    KindArg::Checkin => DocumentKind::Checkin,
                    KindArg::Profile => DocumentKind::Profile,
                    KindArg::Payload => DocumentKind::Payload,
                    KindArg::Declaration => DocumentKind::Declaration,
                    KindArg::StatusReport => DocumentKind::StatusReport,
                    KindArg::Reply => unreachable!("handled above"),
                };
                (k.to_string(), validate::as_kind(&doc.value, k, target))
            }
            None => match DocumentKind::detect(&doc.value) {
                Some(DocumentKind::CommandResponse) => {
                    ("command response".to_owned(), validate::command_response(&doc.value, request_type, target))
                }
                Some(k) => (k.to_string(), validate::as_kind(&doc.value, k, target)),
                None => ("unknown".to_owned(), validate::document(&doc.value, target)),
            },
        };
        let passed = report.is_ok() && !(deny_warnings && report.warnings().next().is_some());
        ok &= passed;
        if json {
            out.push(report_json(path, &kind_name, &doc, target, &report, passed));
        } else {
            print_report(path, &kind_name, &doc, &report);
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&Json::Array(out)).unwrap_or_default());
    }
    Ok(ok)
}

fn print_report(path: &Path, kind: &str, doc: &Document, report: &Report) {
    let (errors, warnings) = (report.errors().count(), report.warnings().count());
    let signed = doc.signature.as_deref().map(|s| format!(", {s}")).unwrap_or_default();
    println!("{}: {kind} ({}{signed}): {errors} errors, {warnings} warnings", path.display(), doc.format);
    for issue in &report.issues {
        println!("  {issue}");
    }
}

fn target_text(t: &Target) -> String {
    let mut s = format!("{}:{}", t.platform, t.version);
    let flags = [
        (t.supervised, "supervised"),
        (t.enrollment == Enrollment::Automated, "ade"),
        (t.enrollment == Enrollment::User, "user-enrollment"),
        (t.enrollment == Enrollment::Local, "local"),
        (t.channel == Channel::User, "user-channel"),
        (t.shared_ipad, "shared-ipad"),
        (t.user_approved_mdm, "user-approved"),
    ];
    for (on, name) in flags {
        if on {
            s.push(',');
            s.push_str(name);
        }
    }
    s
}

fn report_json(path: &Path, kind: &str, doc: &Document, target: &Target, report: &Report, passed: bool) -> Json {
    let issues: Vec<Json> = report
        .issues
        .iter()
        .map(|i| {
            json!({
                "path": i.path.to_string(),
                "severity": match i.severity { Severity::Error => "error", _ => "warning" },
                "problem": i.problem.to_string(),
            })
        })
        .collect();
    json!({
        "file": path.display().to_string(),
        "kind": kind,
        "format": doc.format,
        "signature": doc.signature,
        "target": target_text(target),
        "ok": passed,
        "errors": report.errors().count(),
        "warnings": report.warnings().count(),
        "issues": issues,
    })
}

fn keys(platform: Platform, version: OsVersion, families: &[Family], json: bool) {
    if !json {
        print!("{}", report::supported_markdown_for(families, platform, version));
        return;
    }
    let rows: Vec<Json> = report::supported(families, platform, version)
        .into_iter()
        .map(|r| {
            json!({
                "family": report::family_title(r.family),
                "name": r.name,
                "key": r.key,
                "since": r.since.to_string(),
                "needs": r.needs,
            })
        })
        .collect();
    let newest = availability::newest_version(platform).map(|v| v.to_string());
    let doc = json!({
        "platform": platform.to_string(),
        "version": version.to_string(),
        "schema_release": apple_device_management::SCHEMA_RELEASE,
        "schema_newest_version": newest,
        "newer_than_schema": availability::newest_version(platform).is_some_and(|n| version > n),
        "rows": rows,
    });
    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
}

fn changes(platform: Platform, from: OsVersion, to: OsVersion, families: &[Family], json: bool) {
    if !json {
        print!("{}", report::changes_markdown_for(families, platform, from, to));
        return;
    }
    let rows: Vec<Json> = report::changes(families, platform, from, to)
        .into_iter()
        .map(|r| {
            json!({
                "change": format!("{:?}", r.kind).to_lowercase(),
                "family": report::family_title(r.family),
                "name": r.name,
                "key": r.key,
                "version": r.version.to_string(),
            })
        })
        .collect();
    let doc = json!({
        "platform": platform.to_string(),
        "from": from.to_string(),
        "to": to.to_string(),
        "newer_than_schema": availability::newest_version(platform).is_some_and(|n| to > n),
        "rows": rows,
    });
    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
}

/// Finds the schema file whose name is the longest prefix of `query`
/// (names contain dots), and the key path after it.
fn find_item(query: &str) -> Option<(&'static SchemaFile, Family, Option<String>)> {
    let mut best: Option<(&'static SchemaFile, Family, Option<String>)> = None;
    for family in Family::ALL {
        for file in availability::files(family) {
            let rest = if query == file.name {
                None
            } else if let Some(rest) = query.strip_prefix(file.name).and_then(|r| r.strip_prefix('.')) {
                Some(rest.to_owned())
            } else {
                continue;
            };
            if best.as_ref().is_none_or(|(b, _, _)| file.name.len() > b.name.len()) {
                best = Some((file, family, rest));
            }
        }
    }
    best
}

fn availability_lines(os: &[u16; 5], on: impl Fn(Platform) -> &'static OsEntry) -> Vec<(String, String)> {
    Platform::ALL
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let text = if os[i] == 0 { "not listed".to_owned() } else { describe(on(*p)) };
            (p.to_string(), text)
        })
        .collect()
}

fn describe(e: &OsEntry) -> String {
    let Some(intro) = e.introduced else { return "not available (n/a)".to_owned() };
    let mut parts = vec![if intro == OsVersion::default() { "all versions".to_owned() } else { format!("{intro}+") }];
    if let Some(d) = e.deprecated {
        parts.push(format!("deprecated {d}"));
    }
    if let Some(r) = e.removed {
        parts.push(format!("removed {r}"));
    }
    for (on, text) in
        [(e.supervised, "supervised"), (e.requires_dep, "ADE"), (e.user_approved_mdm, "user-approved MDM")]
    {
        if on {
            parts.push(text.to_owned());
        }
    }
    if let Some(m) = e.user_enrollment {
        parts.push(format!("user enrollment: {m:?}").to_lowercase());
    }
    if let Some(m) = e.shared_ipad {
        parts.push(format!("shared iPad: {}", format!("{m:?}").to_lowercase()));
    }
    if !e.allowed_enrollments.is_empty() {
        parts.push(format!("enrollments: {}", e.allowed_enrollments.join("/")));
    }
    if !e.allowed_scopes.is_empty() {
        parts.push(format!("scopes: {}", e.allowed_scopes.join("/")));
    }
    parts.join(", ")
}

fn explain(query: &str, schema: Option<&Path>, json: bool) -> Result<(), Fatal> {
    let Some((file, family, rest)) = find_item(query) else {
        return Err(Fatal(format!(
            "`{query}` names no command, check-in message, payload type, declaration or status item in schema release {}",
            apple_device_management::SCHEMA_RELEASE
        )));
    };
    // The key, in the request keys or else the response keys.
    let key: Option<(&'static KeyEntry, bool)> = match &rest {
        None => None,
        Some(path) => {
            let kp = KeyPath::parse(path);
            let found =
                file.request.find(&kp).map(|k| (k, false)).or_else(|| file.response.find(&kp).map(|k| (k, true)));
            Some(found.ok_or_else(|| Fatal(format!("`{}` has no key `{path}`", file.name)))?)
        }
    };
    let description = description(file.path, rest.as_deref(), key.is_some_and(|(_, r)| r), schema);
    let mut doc = json!({
        "name": file.name,
        "title": file.title,
        "family": report::family_title(family),
        "schema_file": file.path,
        "availability": availability_lines(&file.os, |p| file.on(p))
            .into_iter()
            .map(|(p, t)| (p, Json::from(t)))
            .collect::<serde_json::Map<_, _>>(),
    });
    if let Some((k, response)) = key {
        let obj = doc.as_object_mut().expect("an object");
        obj.insert("key".into(), json!(rest));
        obj.insert("side".into(), json!(if response { "response" } else { "request" }));
        obj.insert("type".into(), json!(k.kind.to_string()));
        obj.insert("presence".into(), json!(if k.presence == Presence::Required { "required" } else { "optional" }));
        obj.insert("allowed_values".into(), json!(k.rangelist.iter().map(ToString::to_string).collect::<Vec<_>>()));
        obj.insert("range".into(), json!(k.range.map(|b| [b.min, b.max])));
        obj.insert("default".into(), json!(k.default.map(|d| d.to_string())));
        obj.insert("format".into(), json!(k.format));
        let avail: serde_json::Map<String, Json> =
            availability_lines(&k.os, |p| k.on(p)).into_iter().map(|(p, t)| (p, Json::from(t))).collect();
        obj.insert("availability".into(), Json::Object(avail));
    }
    doc.as_object_mut().expect("an object").insert("description".into(), json!(description));
    if json {
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return Ok(());
    }
    let mut out = String::new();
    let _ = writeln!(out, "{} ({}; {})", query, report::family_title(family), file.path);
    let _ = writeln!(out, "  {}", file.title);
    for field in ["side", "type", "presence", "format"] {
        if let Some(v) = doc.get(field).and_then(Json::as_str) {
            let _ = writeln!(out, "  {field}: {v}");
        }
    }
    for field in ["allowed_values", "range", "default"] {
        if let Some(v) = doc.get(field).filter(|v| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty())) {
            let text = match v {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            let _ = writeln!(out, "  {}: {text}", field.replace('_', " "));
        }
    }
    let _ = writeln!(out, "  availability:");
    if let Some(a) = doc.get("availability").and_then(Json::as_object) {
        for (p, t) in a {
            let _ = writeln!(out, "    {p}: {}", t.as_str().unwrap_or_default());
        }
    }
    match doc.get("description").and_then(Json::as_str) {
        Some(d) => {
            let _ = writeln!(out, "\n{d}");
        }
        None => {
            let _ = writeln!(out, "\n(no description: the schema's YAML was not found; pass --schema DIR)");
        }
    }
    print!("{out}");
    Ok(())
}

/// The schema's prose for a file or one of its keys, read from the YAML.
fn description(rel: &str, key: Option<&str>, response: bool, schema: Option<&Path>) -> Option<String> {
    use apple_device_management_codegen::model::{Family as CodegenFamily, Key};
    // --schema, else $DEVICE_MANAGEMENT_SCHEMA, else the schema this tool
    // was built from: the first that has the file.
    let candidates = [
        schema.map(Path::to_path_buf),
        std::env::var_os("DEVICE_MANAGEMENT_SCHEMA").map(PathBuf::from),
        Some(PathBuf::from(apple_device_management::SCHEMA_DIR)),
    ];
    let source = candidates.into_iter().flatten().find_map(|root| std::fs::read_to_string(root.join(rel)).ok())?;
    let family = CodegenFamily::of_path(rel)?;
    let file = apple_device_management_codegen::load::parse_file(rel, family, &source).ok()?;
    let Some(path) = key else { return file.description.clone() };
    let mut level: &[Key] = if response { &file.response_keys } else { &file.payload_keys };
    let mut found: Option<&Key> = None;
    for segment in KeyPath::parse(path).segments() {
        let Some(name) = segment.as_key() else { continue };
        // Array elements and ANY values may be skipped in the path.
        let mut here = level;
        let k = loop {
            if let Some(k) = here.iter().find(|k| k.name == name) {
                break Some(k);
            }
            match here {
                [only] if !only.subkey_list().is_empty() => here = only.subkey_list(),
                _ => break None,
            }
        }?;
        found = Some(k);
        level = k.subkey_list();
    }
    found.and_then(|k| k.content.clone())
}

fn convert(path: &Path, to: FormatArg, output: Option<&Path>, json: bool) -> Result<(), Fatal> {
    let doc = read_document(path)?;
    let bytes = match to {
        FormatArg::Xml => {
            let mut out = apple_device_management::to_plist_xml(&doc.value)?.into_bytes();
            out.push(b'\n');
            out
        }
        FormatArg::Binary => apple_device_management::to_plist_binary(&doc.value)?,
        FormatArg::Json => {
            let mut text = serde_json::to_string_pretty(&apple_device_management::plist_to_json(&doc.value)?)?;
            text.push('\n');
            text.into_bytes()
        }
    };
    match output {
        Some(out) => {
            std::fs::write(out, &bytes).map_err(|e| Fatal(format!("{}: {e}", out.display())))?;
            if json {
                let summary = json!({"input": path.display().to_string(), "from": doc.format,
                    "output": out.display().to_string(), "bytes": bytes.len(), "signature": doc.signature});
                println!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
            }
        }
        None if matches!(to, FormatArg::Binary) && !json => {
            return Err(Fatal("binary output needs --output FILE".to_owned()));
        }
        None => {
            use std::io::Write as _;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(())
}

fn pkg_manifest(
    pkg: &Path,
    url: &str,
    hash: HashArg,
    allow_unsigned: bool,
    pkg_ref: Option<String>,
    roots: &[PathBuf],
    json: bool,
) -> Result<(), Fatal> {
    use apple_device_management::jamf::pkg::{BundleId, ManifestOptions, SignatureCheck, Trust};
    use apple_device_management::jamf::{self, HashType};
    let hash = match hash {
        HashArg::Md5 => HashType::Md5,
        HashArg::Sha256 => HashType::Sha256,
    };
    let mut options = ManifestOptions::new(hash);
    options.allow_unsigned = allow_unsigned;
    if let Some(id) = pkg_ref {
        options.bundle_id = BundleId::PkgRef(id);
    }
    for root in roots {
        let bytes = std::fs::read(root).map_err(|e| Fatal(format!("{}: {e}", root.display())))?;
        options = options.root(&bytes);
    }
    let (manifest, info) = jamf::pkg::manifest_from_pkg_with(pkg, url, &options)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&manifest)?);
    } else {
        println!("{manifest:#?}");
    }
    // What was checked of the signature, on stderr (stdout is the manifest).
    match &info.signature {
        None => eprintln!("signature: none"),
        Some(s) => {
            let check = match &s.check {
                SignatureCheck::Verified => "verified".to_owned(),
                SignatureCheck::Failed(r) => format!("FAILED ({r})"),
                SignatureCheck::NotChecked(r) => format!("not checked ({r})"),
                _ => "unknown".to_owned(),
            };
            let signer = s.chain.first().and_then(|c| c.common_name.clone()).unwrap_or_else(|| "?".into());
            let trust = match &s.trust {
                Trust::NoRoots => "not judged (no --root given)".to_owned(),
                Trust::Trusted(root) => format!("leads to {root}"),
                Trust::Untrusted(r) => format!("untrusted: {r}"),
                _ => "unknown".to_owned(),
            };
            eprintln!(
                "signature: {check}; signer {signer} (Team ID {}; Developer ID Installer: {}); chain {}; trust {trust}; \
                 notarization cannot be checked off a Mac",
                s.team_id.as_deref().unwrap_or("?"),
                if s.developer_id_installer { "yes" } else { "no" },
                if s.chain_linked { "links" } else { "does not link" },
            );
        }
    }
    Ok(())
}
