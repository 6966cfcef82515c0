//! Hostile input: clear errors, no panic, no stack overflow, no unbounded
//! memory. Everything here runs in well under a second.

use apple_device_management::commands::InstallApplicationResponse;
use apple_device_management::{CommandResponse, DeviationKind, Error, from_json, from_plist, from_plist_strict};

type Reply = CommandResponse<InstallApplicationResponse>;

fn xml(body: &str) -> Vec<u8> {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"1.0\">{body}</plist>").into_bytes()
}

fn reply_with(value: &str) -> Vec<u8> {
    xml(&format!("<dict><key>Status</key><string>Acknowledged</string><key>Deep</key>{value}</dict>"))
}

const DEPTH: usize = 100_000;

fn assert_too_deep(err: Error) {
    assert!(
        err.to_string().contains("nesting deeper than 128 levels") || err.to_string().contains("recursion limit"),
        "{err}"
    );
}

#[test]
fn deeply_nested_xml_arrays_and_dictionaries() {
    let arrays = format!("{}{}", "<array>".repeat(DEPTH), "</array>".repeat(DEPTH));
    assert_too_deep(from_plist::<Reply>(&reply_with(&arrays)).unwrap_err());
    let dicts = format!("{}<true/>{}", "<dict><key>k</key>".repeat(DEPTH), "</dict>".repeat(DEPTH));
    assert_too_deep(from_plist::<Reply>(&reply_with(&dicts)).unwrap_err());
    // At the root, into an untyped value.
    assert_too_deep(from_plist::<plist::Value>(&xml(&arrays)).unwrap_err());
    // Nesting within the limit is fine.
    let ok = format!("{}{}", "<array>".repeat(100), "</array>".repeat(100));
    assert!(from_plist::<Reply>(&reply_with(&ok)).is_ok());
}

/// A binary plist of `depth` nested one-element arrays, written by hand
/// (building it as a `plist::Value` would itself recurse too deep).
fn nested_binary(depth: usize) -> Vec<u8> {
    let mut out = b"bplist00".to_vec();
    let mut offsets = Vec::with_capacity(depth + 1);
    for i in 0..depth {
        offsets.push(out.len() as u32);
        out.push(0xA1); // array, one element
        out.extend_from_slice(&(i as u32 + 1).to_be_bytes());
    }
    offsets.push(out.len() as u32);
    out.push(0xA0); // the empty innermost array
    let table = out.len() as u64;
    for o in &offsets {
        out.extend_from_slice(&o.to_be_bytes());
    }
    out.extend_from_slice(&[0; 6]);
    out.push(4); // offset int size
    out.push(4); // object ref size
    out.extend_from_slice(&(offsets.len() as u64).to_be_bytes());
    out.extend_from_slice(&0u64.to_be_bytes()); // top object
    out.extend_from_slice(&table.to_be_bytes());
    out
}

#[test]
fn deeply_nested_binary_and_json() {
    let bin = nested_binary(DEPTH);
    let err = from_plist::<plist::Value>(&bin).unwrap_err();
    assert!(matches!(err, Error::Plist { .. }), "{err}");
    // The writer above is right: a shallow one decodes.
    assert!(from_plist::<plist::Value>(&nested_binary(10)).is_ok());

    let json = format!("{{\"Status\":\"Acknowledged\",\"Deep\":{}{}}}", "[".repeat(DEPTH), "]".repeat(DEPTH));
    let err = from_json::<Reply>(json.as_bytes()).unwrap_err();
    assert!(matches!(err, Error::Json { .. }), "{err}");
    assert_too_deep(err);
}

#[test]
fn binary_offsets_outside_the_file_or_in_a_loop() {
    // An array whose element is itself.
    let mut looped = nested_binary(1);
    // object 0: A1 00000001 -> make it point at object 0.
    looped[9..13].copy_from_slice(&0u32.to_be_bytes());
    assert!(matches!(from_plist::<plist::Value>(&looped).unwrap_err(), Error::Plist { .. }));
    // An offset table entry far past the end.
    let mut outside = nested_binary(1);
    let table = outside.len() - 32 - 8;
    outside[table..table + 4].copy_from_slice(&0x7fff_fff0u32.to_be_bytes());
    assert!(matches!(from_plist::<plist::Value>(&outside).unwrap_err(), Error::Plist { .. }));
    // A trailer claiming more objects than the file holds.
    let mut lying = nested_binary(1);
    let n = lying.len() - 24;
    lying[n..n + 8].copy_from_slice(&u64::MAX.to_be_bytes());
    assert!(matches!(from_plist::<Reply>(&lying).unwrap_err(), Error::Plist { .. }));
}

#[test]
fn entity_expansion_and_external_entities_are_refused() {
    let laughs = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><plist version="1.0"><dict><key>Status</key><string>&lol2;</string></dict></plist>"#;
    let err = from_plist::<Reply>(laughs).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid plist at (root): the document declares XML entities (<!ENTITY ...>) in its DOCTYPE, which plists \
         never use; refused (no entity is ever expanded)"
    );
    let external = br#"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><plist version="1.0"><dict><key>Status</key><string>&xxe;</string></dict></plist>"#;
    assert!(from_plist::<Reply>(external).unwrap_err().to_string().contains("declares XML entities"));
}

/// Found by the `declaration_json` fuzz target: a binary plist whose string
/// holds the text `<!ENTITY` was refused as if it declared XML entities.
#[test]
fn entity_text_in_a_binary_or_openstep_plist_is_only_text() {
    let mut d = plist::Dictionary::new();
    d.insert("Status".into(), "Acknowledged".into());
    d.insert("Identifier".into(), "<!ENTITY lol \"lol\"> and <plist".into());
    let mut bin = Vec::new();
    plist::Value::Dictionary(d).to_writer_binary(&mut bin).unwrap();
    let r: Reply = from_plist(&bin).unwrap();
    assert_eq!(r.body.as_ref().unwrap().identifier.as_deref(), Some("<!ENTITY lol \"lol\"> and <plist"));
    let openstep = br#"{ Status = Acknowledged; Identifier = "<!ENTITY x>"; }"#;
    let r: Reply = from_plist(openstep).unwrap();
    assert_eq!(r.body.as_ref().unwrap().identifier.as_deref(), Some("<!ENTITY x>"));
    // In XML the same text is escaped, and the document is accepted.
    let escaped = xml(
        "<dict><key>Status</key><string>Acknowledged</string><key>Identifier</key><string>&lt;!ENTITY x&gt;</string></dict>",
    );
    let r: Reply = from_plist(&escaped).unwrap();
    assert_eq!(r.body.as_ref().unwrap().identifier.as_deref(), Some("<!ENTITY x>"));
    // A byte-order mark and leading blanks do not hide a prolog.
    let laughs =
        "\u{feff}\n <?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY a \"b\">]><plist version=\"1.0\"><dict/></plist>";
    assert!(from_plist::<Reply>(laughs.as_bytes()).unwrap_err().to_string().contains("declares XML entities"));
}

#[test]
fn a_ten_megabyte_string() {
    let big = "x".repeat(10 << 20);
    let bytes = xml(&format!(
        "<dict><key>Status</key><string>Acknowledged</string><key>Identifier</key><string>{big}</string></dict>"
    ));
    let r: Reply = from_plist(&bytes).unwrap();
    assert_eq!(r.body.as_ref().unwrap().identifier.as_ref().map(String::len), Some(10 << 20));
}

#[test]
fn invalid_utf8() {
    let mut bytes = xml("<dict><key>Status</key><string>").to_vec();
    bytes.truncate(bytes.len() - "</plist>".len());
    bytes.extend_from_slice(&[0xff, 0xfe, 0x80]);
    bytes.extend_from_slice(b"</string></dict></plist>");
    assert!(matches!(from_plist::<Reply>(&bytes).unwrap_err(), Error::Plist { .. }));
    assert!(matches!(from_json::<Reply>(b"{\"Status\":\"\xff\"}").unwrap_err(), Error::Json { .. }));
}

#[test]
fn duplicate_keys_last_one_wins() {
    let bytes = xml("<dict><key>Status</key><string>Error</string><key>Status</key><string>Acknowledged</string>\
         <key>Other</key><integer>1</integer><key>Other</key><integer>2</integer></dict>");
    let r: Reply = from_plist(&bytes).unwrap();
    assert!(r.is_acknowledged());
    assert_eq!(r.body.as_ref().unwrap().extra.get("Other"), Some(&plist::Value::Integer(2.into())));
}

/// Found by the `profile` fuzz target (2026-12-04): a known key given twice,
/// first with a value of the wrong kind (kept raw in `extra`) and then with
/// a typed one, was encoded twice, and the re-decoded document differed.
/// The last value wins in every order, for `Option` and required fields,
/// and the other kept keys keep their order.
#[cfg(feature = "profiles")]
#[test]
fn a_duplicate_key_after_a_value_of_the_wrong_kind() {
    use apple_device_management::profiles::Profile;
    use apple_device_management::{deviations, to_plist_binary, to_plist_xml};
    let profile = |description: &str, identifier: &str| {
        xml(&format!(
            "<dict><key>PayloadContent</key><array/><key>PayloadType</key><string>Configuration</string>\
             <key>PayloadIdentifier</key>{identifier}<key>Unknown1</key><integer>1</integer>\
             <key>PayloadUUID</key><string>u</string><key>PayloadVersion</key><integer>1</integer>\
             <key>PayloadDescription</key>{description}<key>Unknown2</key><integer>2</integer></dict>"
        ))
    };
    let (wrong, right) = ("<false/>", "<string>typed</string>");
    let (wrong_id, right_id) = ("<array><true/></array>", "<string>p</string>");
    let round_trip = |p: &Profile| {
        let xml = to_plist_xml(p).unwrap();
        let again: Profile = from_plist(xml.as_bytes()).unwrap();
        assert_eq!(to_plist_xml(&again).unwrap(), xml);
        let binary: Profile = from_plist(&to_plist_binary(p).unwrap()).unwrap();
        assert_eq!(to_plist_xml(&binary).unwrap(), xml);
        xml
    };
    let keys = |p: &Profile| p.extra.keys().cloned().collect::<Vec<_>>();

    // Wrong, then typed: the typed values win and nothing is kept raw.
    let p: Profile = from_plist(&profile(
        &format!("{wrong}<key>PayloadDescription</key>{right}"),
        &format!("{wrong_id}<key>PayloadIdentifier</key>{right_id}"),
    ))
    .unwrap();
    assert_eq!(p.payload_description.as_deref(), Some("typed"));
    assert_eq!(p.payload_identifier, "p");
    assert_eq!(keys(&p), ["Unknown1", "Unknown2"]);
    assert!(deviations(&p).is_empty(), "{:?}", deviations(&p));
    let xml = round_trip(&p);
    assert_eq!(xml.matches("<key>PayloadDescription</key>").count(), 1);
    assert_eq!(xml.matches("<key>PayloadIdentifier</key>").count(), 1);
    assert!(from_plist_strict::<Profile>(xml.as_bytes()).is_ok());

    // Typed, then wrong: the wrong values win, kept raw, and are listed.
    let p: Profile = from_plist(&profile(
        &format!("{right}<key>PayloadDescription</key>{wrong}"),
        &format!("{right_id}<key>PayloadIdentifier</key>{wrong_id}"),
    ))
    .unwrap();
    assert_eq!(p.payload_description, None);
    assert_eq!(p.extra.get("PayloadDescription"), Some(&plist::Value::Boolean(false)));
    assert_eq!(keys(&p), ["PayloadIdentifier", "Unknown1", "PayloadDescription", "Unknown2"]);
    let mut paths: Vec<String> = deviations(&p).iter().map(|d| d.path.to_string()).collect();
    paths.sort();
    assert_eq!(paths, ["PayloadDescription", "PayloadIdentifier"]);
    let xml = round_trip(&p);
    assert_eq!(xml.matches("<key>PayloadDescription</key>").count(), 1);
    assert_eq!(xml.matches("<key>PayloadIdentifier</key>").count(), 1);
    assert!(!xml.contains("typed"));

    // Wrong twice: the second value is kept, and where its culprit is.
    let p: Profile =
        from_plist(&profile(right, &format!("{wrong_id}<key>PayloadIdentifier</key><integer>3</integer>"))).unwrap();
    assert_eq!(p.extra.get("PayloadIdentifier"), Some(&plist::Value::Integer(3.into())));
    let d = deviations(&p);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].path.to_string(), "PayloadIdentifier");
    round_trip(&p);
}

/// Found by the `checkin` fuzz target (2026-12-04): a `MessageType` this
/// version does not know, then `Authenticate` in the same dictionary. The
/// message was kept whole as unrecognized, holding the second value (the
/// last one wins), so that it was encoded as an `Authenticate` it had not
/// been decoded as. A repeated tag must agree, whichever type it picks.
#[cfg(all(feature = "checkin", feature = "commands", feature = "profiles"))]
#[test]
fn a_repeated_tag_must_agree_when_no_type_takes_it() {
    use apple_device_management::checkin::AnyCheckin;
    use apple_device_management::commands::AnyRequest;
    use apple_device_management::profiles::AnyPayload;
    use apple_device_management::{Command, from_plist_lenient};
    let dict = |entries: &str| xml(&format!("<dict><key>UDID</key><string>u</string>{entries}</dict>"));
    let entry = |key: &str, value: &str| format!("<key>{key}</key>{value}");
    let s = |v: &str| format!("<string>{v}</string>");

    for (first, second) in [
        (s("Nope"), s("Authenticate")),
        (s("Authenticate"), s("Nope")),
        (s("Nope"), s("Other")),
        ("<integer>1</integer>".to_owned(), s("Authenticate")),
        (s("Nope"), "<true/>".to_owned()),
        // A request type this version knows, then another: the second is
        // checked as the tag (it was kept as an unknown key, and written
        // as a second RequestType).
        (s("RestartDevice"), s("ShutDownDevice")),
    ] {
        let bytes = dict(&format!("{}{}", entry("MessageType", &first), entry("MessageType", &second)));
        let err = from_plist_lenient::<AnyCheckin>(&bytes).unwrap_err().to_string();
        assert!(err.contains("MessageType"), "{first} {second}: {err}");
        let err = from_plist_lenient::<Command<AnyRequest>>(&xml(&format!(
            "<dict><key>CommandUUID</key><string>c</string><key>Command</key><dict>{}{}</dict></dict>",
            entry("RequestType", &first),
            entry("RequestType", &second)
        )))
        .unwrap_err()
        .to_string();
        assert!(err.contains("RequestType"), "{first} {second}: {err}");
    }
    // A shared PayloadType (six files), then another.
    let err = from_plist_lenient::<AnyPayload>(&dict(&format!(
        "{}{}",
        entry("PayloadType", &s("com.apple.MCX")),
        entry("PayloadType", &s("com.apple.wifi.managed"))
    )))
    .unwrap_err()
    .to_string();
    assert!(err.contains("PayloadType") && err.contains("com.apple.wifi.managed"), "{err}");

    // The same value twice is one tag.
    let same = dict(&format!("{}{}", entry("MessageType", &s("Nope")), entry("MessageType", &s("Nope"))));
    let AnyCheckin::Unrecognized(d) = from_plist_lenient::<AnyCheckin>(&same).unwrap() else { panic!() };
    assert_eq!(d.get("MessageType"), Some(&plist::Value::String("Nope".into())));
    assert_eq!(d.len(), 2);
    let restart = entry("RequestType", &s("RestartDevice"));
    let c = from_plist_lenient::<Command<AnyRequest>>(&xml(&format!(
        "<dict><key>CommandUUID</key><string>c</string><key>Command</key><dict>{restart}{restart}</dict></dict>"
    )))
    .unwrap();
    let AnyRequest::RestartDevice(r) = &c.command else { panic!("{:?}", c.command) };
    assert!(r.extra.is_empty(), "{r:?}");
    let again = apple_device_management::to_plist_xml(&c).unwrap();
    assert_eq!(again.matches("<key>RequestType</key>").count(), 1, "{again}");
}

/// Found by the `declaration_json` fuzz target (2026-12-04): a JSON number
/// read, written in its shortest form and read again must be the same
/// number (serde_json's `float_roundtrip`).
#[test]
fn json_reals_read_back_as_the_same_number() {
    use apple_device_management::to_json;
    let big = "4".repeat(92);
    let bytes = format!("{{\"Status\":\"Acknowledged\",\"Big\":{big},\"Third\":0.30000000000000004}}");
    let r: Reply = from_json(bytes.as_bytes()).unwrap();
    let extra = &r.body.as_ref().unwrap().extra;
    assert_eq!(extra.get("Big"), Some(&plist::Value::Real(big.parse::<f64>().unwrap())));
    assert_eq!(extra.get("Third"), Some(&plist::Value::Real(0.30000000000000004)));
    let json = to_json(&r).unwrap();
    let again: Reply = from_json(json.as_bytes()).unwrap();
    assert_eq!(to_json(&again).unwrap(), json);
    assert_eq!(again, r);
}

#[test]
fn integers_beyond_i64_and_u64() {
    // Beyond u64 (and below i64::MIN): not a plist integer at all.
    for n in ["99999999999999999999999", "-99999999999999999999999"] {
        let bytes = xml(&format!(
            "<dict><key>Status</key><string>Acknowledged</string><key>x</key><integer>{n}</integer></dict>"
        ));
        let err = from_plist::<Reply>(&bytes).unwrap_err();
        assert!(err.to_string().contains("invalid integer string"), "{err}");
    }
    // u64::MAX where the schema wants an i64: kept raw (lenient), an error strictly.
    let bytes = xml("<dict><key>Status</key><string>Acknowledged</string><key>ErrorChain</key><array><dict>\
         <key>ErrorCode</key><integer>18446744073709551615</integer></dict></array></dict>");
    let r: Reply = from_plist(&bytes).unwrap();
    let item = &r.error_chain.as_ref().unwrap()[0];
    assert_eq!(item.error_code, None);
    assert_eq!(item.extra.get("ErrorCode"), Some(&plist::Value::Integer(u64::MAX.into())));
    let err = from_plist_strict::<Reply>(&bytes).unwrap_err();
    let Error::Deviation(d) = &err else { panic!("{err:?}") };
    assert_eq!(d.path, apple_device_management::KeyPath::parse("ErrorChain[0].ErrorCode"));
    assert_eq!(d.kind, DeviationKind::OutOfRange { value: u64::MAX.to_string() });
    assert_eq!(
        err.to_string(),
        "ErrorChain[0].ErrorCode: the integer 18446744073709551615 is out of range (the schema's integers are signed 64-bit)"
    );
}

#[test]
fn dates_out_of_range() {
    for d in ["99999-01-01T00:00:00Z", "2024-13-45T00:00:00Z", "not a date"] {
        let bytes =
            xml(&format!("<dict><key>Status</key><string>Acknowledged</string><key>d</key><date>{d}</date></dict>"));
        let err = from_plist::<Reply>(&bytes).unwrap_err();
        assert!(err.to_string().contains("invalid date string"), "{d}: {err}");
    }
}

/// A tag (`PayloadType`) chooses the type when it is read; a payload that
/// repeats it with the same value decodes, one that names a second type is
/// a clear error (which of its two types it is cannot be known), not a
/// guess and not a panic.
#[cfg(feature = "profiles")]
#[test]
fn a_repeated_tag_must_agree() {
    use apple_device_management::profiles::Profile;
    let profile = |second: &str| {
        xml(&format!(
            "<dict><key>PayloadType</key><string>Configuration</string><key>PayloadIdentifier</key><string>p</string>\
             <key>PayloadUUID</key><string>u</string><key>PayloadVersion</key><integer>1</integer>\
             <key>PayloadContent</key><array><dict><key>PayloadIdentifier</key><string>p.1</string>\
             <key>PayloadType</key><string>com.apple.applicationaccess</string><key>allowCamera</key><false/>\
             <key>PayloadType</key><string>{second}</string><key>PayloadUUID</key><string>u1</string>\
             <key>PayloadVersion</key><integer>1</integer></dict></array></dict>"
        ))
    };
    let p: Profile = from_plist(&profile("com.apple.applicationaccess")).unwrap();
    assert_eq!(p.payload_content[0].tag(), "com.apple.applicationaccess");
    let err = from_plist::<Profile>(&profile("com.apple.wifi.managed")).unwrap_err().to_string();
    assert!(err.contains("PayloadContent[0]") && err.contains("com.apple.wifi.managed"), "{err}");
}

/// A DOCTYPE and a processing instruction are read as the plist crate
/// (quick-xml) reads them, by both decoders: quoted identifiers are passed
/// over whole, even when they hold `>`, and a `[` outside them opens an
/// internal subset, which is refused.
/// The fuzzer found a document whose DOCTYPE quote ran on past the `>` that
/// ended it for the entity check, then met a `[` (a regex in a profile): the
/// token-level decoder read a plist the plist crate refuses.
#[test]
fn markup_in_the_prolog_is_read_as_the_plist_crate_reads_it() {
    use apple_device_management::__private::{PlistDecoder, with_plist_decoder};
    let body = "<plist version=\"1.0\"><dict><key>a</key><string>^(?=.*[A-Z]).*$</string></dict></plist>";
    let decode = |doc: &str, decoder| with_plist_decoder(decoder, || from_plist::<plist::Value>(doc.as_bytes()));
    // Whatever the token-level decoder reads, the plist crate reads alike.
    let read = |doctype: &str| {
        let doc = format!("<?xml version=\"1.0\"?>\n{doctype}\n{body}");
        let tokens = decode(&doc, PlistDecoder::TokensOnly).map_err(|e| e.to_string());
        let reference = decode(&doc, PlistDecoder::ReferenceOnly).map_err(|e| e.to_string());
        if let Ok(t) = &tokens {
            assert_eq!(Ok(t), reference.as_ref(), "{doc}");
        }
        tokens.and(reference)
    };
    let a = |v: plist::Value| v.as_dictionary().and_then(|d| d.get("a")).and_then(|a| a.as_string()).map(str::to_owned);
    // Apple's DOCTYPE, a quoted `>`, single quotes, and lower case: both
    // decoders read them.
    for doctype in [
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">",
        "<!DOCTYPE plist PUBLIC \"-//Apple//DTD > 1.0//EN\" 'http://x/a>b.dtd'>",
        "<!doctype plist SYSTEM 'PropertyList-1.0.dtd'>",
    ] {
        assert_eq!(a(read(doctype).unwrap()).as_deref(), Some("^(?=.*[A-Z]).*$"), "{doctype}");
    }
    // The fuzzer's shape: the quote closes in a later string, before the
    // `[` of a regex, which quick-xml takes for an internal subset.
    let fuzzed = "<!DOCTYPE plist PUBLIC \"-//Apple//DTD \t<integer>1</integer><string>\"^(?=.*[A-Z])</string>";
    let err = read(fuzzed).unwrap_err();
    assert!(err.contains("internal subset"), "{err}");
    // A subset behind a quoted `>` is refused as any other subset.
    for doctype in [
        "<!DOCTYPE plist \"q>\" [<!ENTITY f \"X\">]>",
        "<!DOCTYPE plist 'q>' [<!ELEMENT plist ANY>]>",
        "<!doctype plist [<!ENTITY f \"X\">]>",
    ] {
        let err = read(doctype).unwrap_err();
        assert!(err.contains("which plists never use; refused"), "{doctype}: {err}");
    }
    // What quick-xml refuses, the token-level decoder declines: a DOCTYPE
    // without a name, and `<?>` (a processing instruction ends at the first
    // `?>`, the `?` of `<?` included). What it reads, both read.
    for (doc, read_by_tokens) in [
        ("<!DOCTYPE><plist><dict/></plist>", false),
        ("<!DOCTYPE \t><plist><dict/></plist>", false),
        ("<!DOCTYPEplist><plist><dict/></plist>", true),
        ("<plist><dict><?>?><key>a</key><true/></dict></plist>", false),
        ("<?xml?><plist><dict><??><key>a</key><true/><?pi x?></dict></plist>", true),
    ] {
        let tokens = decode(doc, PlistDecoder::TokensOnly);
        assert_eq!(tokens.is_ok(), read_by_tokens, "{doc}: {tokens:?}");
        if let Ok(t) = tokens {
            assert_eq!(t, decode(doc, PlistDecoder::ReferenceOnly).unwrap(), "{doc}");
        }
    }
    // A quote that is never closed: both refuse.
    for decoder in [PlistDecoder::TokensOnly, PlistDecoder::ReferenceOnly] {
        decode(&format!("<!DOCTYPE plist PUBLIC \"-//Apple>{body}"), decoder).unwrap_err();
    }
}
