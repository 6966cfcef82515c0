//! Property tests: random commands and random replies, built from the
//! generated key tables (so every key of every one of the 66 commands and of
//! their responses is exercised with values of its schema type and value
//! list), decode into their typed request or response and encode back to the
//! same value, through XML, binary plist and JSON. Validating a typed
//! command and its plist form gives the same report.

use apple_device_management::availability::{self, KeyEntry, KeyTable, Literal, Platform, Target};
use apple_device_management::commands::{AnyRequest, decode_response, decode_response_json};
use apple_device_management::validate;
use apple_device_management::{
    Command, DecodeMode, RESPONSE_ENVELOPE_KEYS, ResponseBody, ValueKind, from_json, from_plist_strict, to_json,
    to_plist_binary, to_plist_value, to_plist_xml,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn literal(l: &Literal) -> Option<plist::Value> {
    Some(match l {
        Literal::Str(s) => plist::Value::String((*s).to_owned()),
        Literal::Int(i) => plist::Value::Integer((*i).into()),
        Literal::Real(r) => plist::Value::Real(*r),
        Literal::Bool(b) => plist::Value::Boolean(*b),
        _ => return None,
    })
}

fn text() -> BoxedStrategy<String> {
    "[a-zA-Z0-9 ._é-]{0,12}".boxed()
}

/// A value for one key of a table.
fn value(table: &'static KeyTable, key: &'static KeyEntry, depth: usize) -> BoxedStrategy<plist::Value> {
    let listed: Vec<plist::Value> = key.rangelist.iter().filter_map(literal).collect();
    if !listed.is_empty() && !matches!(key.kind, ValueKind::Array | ValueKind::Dictionary) {
        return proptest::sample::select(listed).boxed();
    }
    let children = table.children(key);
    match key.kind {
        // A string whose allowed values are its subkeys (Queries).
        ValueKind::String if !children.is_empty() => proptest::sample::select(
            children.iter().map(|c| plist::Value::String(c.name.to_owned())).collect::<Vec<_>>(),
        )
        .boxed(),
        ValueKind::String | ValueKind::Any => text().prop_map(plist::Value::String).boxed(),
        ValueKind::Integer => (-1000i64..100_000).prop_map(|i| plist::Value::Integer(i.into())).boxed(),
        ValueKind::Real => (-1000i32..1000).prop_map(|i| plist::Value::Real(f64::from(i) / 4.0)).boxed(),
        ValueKind::Boolean => any::<bool>().prop_map(plist::Value::Boolean).boxed(),
        ValueKind::Data => proptest::collection::vec(any::<u8>(), 0..16).prop_map(plist::Value::Data).boxed(),
        ValueKind::Date => (0u64..2_000_000_000)
            .prop_map(|s| plist::Value::Date((std::time::UNIX_EPOCH + std::time::Duration::from_secs(s)).into()))
            .boxed(),
        ValueKind::Array if depth < 6 => match children {
            [] => proptest::collection::vec(text().prop_map(plist::Value::String), 0..3)
                .prop_map(plist::Value::Array)
                .boxed(),
            [one] => {
                proptest::collection::vec(value(table, one, depth + 1), 0..3).prop_map(plist::Value::Array).boxed()
            }
            // A union: each element one variant, with its discriminator.
            variants => {
                let elements: Vec<BoxedStrategy<plist::Value>> =
                    variants.iter().map(|v| value(table, v, depth + 1)).collect();
                proptest::collection::vec(proptest::strategy::Union::new(elements), 0..3)
                    .prop_map(plist::Value::Array)
                    .boxed()
            }
        },
        ValueKind::Dictionary if depth < 6 => dictionary(table, children, depth + 1),
        _ => Just(plist::Value::Array(Vec::new())).boxed(),
    }
}

/// A dictionary of a table level: required keys always, optional ones at random.
fn dictionary(table: &'static KeyTable, level: &'static [KeyEntry], depth: usize) -> BoxedStrategy<plist::Value> {
    dictionary_without(table, level, depth, &[])
}

/// A dictionary of a table level, leaving out the keys in `skip`.
fn dictionary_without(
    table: &'static KeyTable,
    level: &'static [KeyEntry],
    depth: usize,
    skip: &'static [&'static str],
) -> BoxedStrategy<plist::Value> {
    if let [only] = level
        && only.element
    {
        // A map of ANY keys.
        return proptest::collection::btree_map("[a-z]{1,6}", value(table, only, depth), 0..3)
            .prop_map(|m| plist::Value::Dictionary(m.into_iter().collect()))
            .boxed();
    }
    let mut fields: Vec<BoxedStrategy<Option<(String, plist::Value)>>> = Vec::new();
    for key in level.iter().filter(|k| !k.element && !skip.contains(&k.name)) {
        let name = key.name.to_owned();
        let v = value(table, key, depth).prop_map(move |v| (name.clone(), v));
        if key.presence == availability::Presence::Required {
            fields.push(v.prop_map(Some).boxed());
        } else {
            fields.push(proptest::option::of(v).boxed());
        }
    }
    fields.prop_map(|f| plist::Value::Dictionary(f.into_iter().flatten().collect())).boxed()
}

/// What the plist crate's XML writer writes for `v`.
fn plist_crate_xml<T: serde::Serialize>(v: &T) -> Vec<u8> {
    let mut out = Vec::new();
    plist::to_writer_xml(&mut out, v).unwrap();
    out
}

fn count_keys(v: &plist::Value) -> usize {
    match v {
        plist::Value::Dictionary(d) => d.len() + d.values().map(count_keys).sum::<usize>(),
        plist::Value::Array(a) => a.iter().map(count_keys).sum(),
        _ => 0,
    }
}

#[test]
fn every_command_round_trips_in_every_format() {
    let targets = [
        Target::new(Platform::MacOS, "14.2".parse().unwrap()),
        Target::new(Platform::IOS, "17.0".parse().unwrap()).supervised(true),
    ];
    let keys = std::cell::Cell::new(0usize);
    let cases = std::cell::Cell::new(0usize);
    let issues = std::cell::Cell::new(0usize);
    for file in availability::commands() {
        // A runner per command: a runner counts successes across runs.
        let mut runner = TestRunner::new(Config { cases: 16, failure_persistence: None, ..Config::default() });
        let strategy = dictionary(&file.request, file.request.top_level(), 0);
        runner
            .run(&strategy, |payload| {
                let mut command = payload.into_dictionary().unwrap();
                command.insert("RequestType".into(), plist::Value::String(file.name.to_owned()));
                let mut whole = plist::Dictionary::new();
                whole.insert("CommandUUID".into(), plist::Value::String("prop".into()));
                whole.insert("Command".into(), plist::Value::Dictionary(command));
                let original = plist::Value::Dictionary(whole);
                keys.set(keys.get() + count_keys(&original));
                cases.set(cases.get() + 1);
                let mut xml = Vec::new();
                original.to_writer_xml(&mut xml).unwrap();
                let typed: Command<AnyRequest> =
                    from_plist_strict(&xml).map_err(|e| TestCaseError::fail(format!("{}: {e}", file.name)))?;
                prop_assert!(!typed.command.is_unrecognized());
                // The typed and the untyped validation see the same command.
                for target in &targets {
                    let report = typed.validate(target);
                    issues.set(issues.get() + report.issues.len());
                    prop_assert_eq!(report, validate::command(&original, target), "{}", file.name);
                }
                prop_assert_eq!(&to_plist_value(&typed).unwrap(), &original, "{} via XML", file.name);
                let xml2 = to_plist_xml(&typed).unwrap();
                prop_assert_eq!(
                    xml2.as_bytes(),
                    &plist_crate_xml(&typed)[..],
                    "{} as the plist crate writes it",
                    file.name
                );
                prop_assert_eq!(&from_plist_strict::<Command<AnyRequest>>(xml2.as_bytes()).unwrap(), &typed);
                let bin = to_plist_binary(&typed).unwrap();
                prop_assert_eq!(
                    &from_plist_strict::<Command<AnyRequest>>(&bin).unwrap(),
                    &typed,
                    "{} via binary",
                    file.name
                );
                let json = to_json(&typed).unwrap();
                prop_assert_eq!(
                    &from_json::<Command<AnyRequest>>(json.as_bytes()).unwrap(),
                    &typed,
                    "{} via JSON",
                    file.name
                );
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{}: {e}", file.name));
    }
    // Every command was tried, with real content.
    println!("{} cases, {} keys, {} validation issues", cases.get(), keys.get(), issues.get());
    assert!(cases.get() >= 66 * 16, "{} cases", cases.get());
    assert!(keys.get() > 66 * 16 * 4, "{} keys", keys.get());
    // Random commands are often wrong for a target: the comparison saw issues.
    assert!(issues.get() > 400, "{} issues", issues.get());
}

/// A reply: the `envelope`'s keys, then the body's keys that are not
/// envelope keys.
fn reply_of(envelope: Vec<(&'static str, plist::Value)>, body: plist::Dictionary) -> plist::Dictionary {
    let mut reply: plist::Dictionary = envelope.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    reply.extend(body.into_iter().filter(|(k, _)| !RESPONSE_ENVELOPE_KEYS.contains(&k.as_str())));
    reply
}

/// The envelope of a reply: `Status` always, the identifiers at random.
fn envelope() -> BoxedStrategy<Vec<(&'static str, plist::Value)>> {
    let status = proptest::sample::select(vec!["Acknowledged", "Error", "CommandFormatError", "NotNow"]);
    let id = || proptest::option::of(text().prop_map(plist::Value::String));
    (status, id(), id(), id(), proptest::option::of(any::<bool>()))
        .prop_map(|(status, uuid, udid, user, console)| {
            let mut out = vec![("Status", plist::Value::String(status.to_owned()))];
            out.extend(uuid.map(|v| ("CommandUUID", v)));
            out.extend(udid.map(|v| ("UDID", v)));
            out.extend(user.map(|v| ("UserID", v)));
            out.extend(console.map(|v| ("NotOnConsole", plist::Value::Boolean(v))));
            out
        })
        .boxed()
}

#[test]
fn every_response_round_trips_in_every_format() {
    let keys = std::cell::Cell::new(0usize);
    let cases = std::cell::Cell::new(0usize);
    for file in availability::commands() {
        let mut runner = TestRunner::new(Config { cases: 16, failure_persistence: None, ..Config::default() });
        let body = dictionary_without(&file.response, file.response.top_level(), 0, RESPONSE_ENVELOPE_KEYS);
        runner
            .run(&(envelope(), body), |(envelope, body)| {
                let original = plist::Value::Dictionary(reply_of(envelope, body.into_dictionary().unwrap()));
                keys.set(keys.get() + count_keys(&original));
                cases.set(cases.get() + 1);
                let mut xml = Vec::new();
                original.to_writer_xml(&mut xml).unwrap();
                let decode = |bytes: &[u8]| {
                    decode_response(file.name, bytes, DecodeMode::Strict)
                        .map_err(|e| TestCaseError::fail(format!("{}: {e}", file.name)))
                };
                let typed = decode(&xml)?;
                // Every key landed in a typed field, none in `extra`.
                let extra = typed.body.as_ref().map(|b| b.body_extra().clone()).unwrap_or_default();
                prop_assert!(extra.is_empty(), "{}: {:?}", file.name, extra);
                prop_assert_eq!(&to_plist_value(&typed).unwrap(), &original, "{} via XML", file.name);
                let xml2 = to_plist_xml(&typed).unwrap();
                prop_assert_eq!(
                    xml2.as_bytes(),
                    &plist_crate_xml(&typed)[..],
                    "{} as the plist crate writes it",
                    file.name
                );
                prop_assert_eq!(&decode(xml2.as_bytes())?, &typed);
                let bin = to_plist_binary(&typed).unwrap();
                prop_assert_eq!(&decode(&bin)?, &typed, "{} via binary", file.name);
                let json = to_json(&typed).unwrap();
                let via_json = decode_response_json(file.name, json.as_bytes(), DecodeMode::Strict)
                    .map_err(|e| TestCaseError::fail(format!("{}: JSON: {e}", file.name)))?;
                prop_assert_eq!(&via_json, &typed, "{} via JSON", file.name);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{}: {e}", file.name));
    }
    println!("{} cases, {} keys", cases.get(), keys.get());
    assert!(cases.get() >= 66 * 16, "{} cases", cases.get());
    assert!(keys.get() > 66 * 16 * 2, "{} keys", keys.get());
}

/// Any plist value that XML can hold (every kind but UIDs, which
/// `buffered.rs`'s unit test covers), nested, integers beyond `i64` included.
fn any_value() -> BoxedStrategy<plist::Value> {
    let leaf = prop_oneof![
        text().prop_map(plist::Value::String),
        any::<i64>().prop_map(|i| plist::Value::Integer(i.into())),
        any::<u64>().prop_map(|u| plist::Value::Integer(u.into())),
        (-1.0e9f64..1.0e9).prop_map(plist::Value::Real),
        any::<bool>().prop_map(plist::Value::Boolean),
        proptest::collection::vec(any::<u8>(), 0..16).prop_map(plist::Value::Data),
        (0u64..4_000_000_000).prop_map(|s| plist::Value::Date(
            (std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(s)).into()
        )),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(plist::Value::Array),
            proptest::collection::btree_map(text(), inner, 0..6)
                .prop_map(|m| plist::Value::Dictionary(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// A dictionary that looks like a command or a payload: a known tag with
/// random other keys, so typed decoding meets wrong kinds and unknown keys.
fn tagged(tag: &'static str, values: Vec<&'static str>) -> BoxedStrategy<plist::Dictionary> {
    (proptest::sample::select(values), proptest::collection::btree_map(text(), any_value(), 0..8))
        .prop_map(move |(t, rest)| {
            let mut d: plist::Dictionary = rest.into_iter().collect();
            d.insert(tag.to_owned(), plist::Value::String(t.to_owned()));
            d
        })
        .boxed()
}

/// The same document in binary form.
fn binary_of(xml: &[u8]) -> Vec<u8> {
    let value: plist::Value = plist::from_bytes(xml).unwrap();
    let mut bin = Vec::new();
    value.to_writer_binary(&mut bin).unwrap();
    bin
}

/// A copy of `dict` with `tag` moved to the end.
fn with_tag_last(dict: &plist::Dictionary, tag: &str) -> plist::Dictionary {
    let mut last: plist::Dictionary =
        dict.iter().filter(|(k, _)| *k != tag).map(|(k, v)| (k.clone(), v.clone())).collect();
    last.insert(tag.to_owned(), dict[tag].clone());
    last
}

/// A dictionary as XML with `first` as its first key, the others in their
/// order.
fn xml_with_first(dict: &plist::Dictionary, first: &str) -> Vec<u8> {
    let mut reordered = plist::Dictionary::new();
    if let Some(v) = dict.get(first) {
        reordered.insert(first.to_owned(), v.clone());
    }
    for (k, v) in dict {
        if k != first {
            reordered.insert(k.clone(), v.clone());
        }
    }
    let mut xml = Vec::new();
    plist::Value::Dictionary(reordered).to_writer_xml(&mut xml).unwrap();
    xml
}

/// Dictionaries typed by a tag (`AnyRequest`, `AnyPayload`) are read up to
/// the tag, the entries before it taken apart by this crate, the rest
/// decoded straight from the plist crate's deserializer. Whatever the
/// tag's position, and in XML and binary alike, the result is the same as
/// with the tag first (where the plist crate's deserializer reads
/// everything), for any value with random content: wrong kinds, unknown
/// keys, every plist kind, integers beyond `i64`.
#[test]
fn values_before_the_tag_decode_as_the_plist_crate_decodes_them() {
    use apple_device_management::profiles::AnyPayload;
    let config = || Config { cases: 256, failure_persistence: None, ..Config::default() };
    let commands: Vec<&'static str> = availability::commands().iter().map(|f| f.name).collect();
    let cases = std::cell::Cell::new(0usize);
    TestRunner::new(config())
        .run(&tagged("RequestType", commands), |command| {
            let mut whole = plist::Dictionary::new();
            whole.insert("CommandUUID".into(), "prop".into());
            // The tag last: every other key is read before it.
            whole.insert("Command".into(), plist::Value::Dictionary(with_tag_last(&command, "RequestType")));
            let mut xml = Vec::new();
            plist::Value::Dictionary(whole.clone()).to_writer_xml(&mut xml).unwrap();
            let first = xml_with_first(&command, "RequestType");
            let first: plist::Value = plist::from_bytes(&first).unwrap();
            whole.insert("Command".into(), first);
            let mut xml_first = Vec::new();
            plist::Value::Dictionary(whole).to_writer_xml(&mut xml_first).unwrap();
            let decode =
                |b: &[u8]| apple_device_management::from_plist::<Command<AnyRequest>>(b).map_err(|e| e.to_string());
            let tag_last = decode(&xml);
            prop_assert_eq!(&tag_last, &decode(&xml_first));
            prop_assert_eq!(&tag_last, &decode(&binary_of(&xml)));
            cases.set(cases.get() + 1);
            Ok(())
        })
        .unwrap();
    let payload_types: Vec<&'static str> = AnyPayload::TAGS.to_vec();
    TestRunner::new(config())
        .run(&tagged("PayloadType", payload_types), |payload| {
            let mut xml = Vec::new();
            plist::Value::Dictionary(with_tag_last(&payload, "PayloadType")).to_writer_xml(&mut xml).unwrap();
            let decode = |b: &[u8]| apple_device_management::from_plist::<AnyPayload>(b).map_err(|e| e.to_string());
            let tag_last = decode(&xml);
            prop_assert!(tag_last.is_ok(), "{:?}", tag_last);
            prop_assert_eq!(&tag_last, &decode(&xml_with_first(&payload, "PayloadType")));
            prop_assert_eq!(&tag_last, &decode(&binary_of(&xml)));
            cases.set(cases.get() + 1);
            Ok(())
        })
        .unwrap();
    assert_eq!(cases.get(), 512);
}

/// The decoded fit of one candidate for a shared tag, as `AnyPayload`
/// scores it: deviations, then keys the type did not know; `None` when it
/// does not decode at all.
fn candidate_fit<T>(xml: &[u8]) -> Option<(usize, usize)>
where
    T: apple_device_management::profiles::PayloadBody + serde::de::DeserializeOwned,
{
    use apple_device_management::__private::UnknownKeyCount;
    let p: apple_device_management::profiles::Payload<T> = apple_device_management::from_plist_lenient(xml).ok()?;
    Some((apple_device_management::deviations(&p).len(), p.unknown_key_count()))
}

/// Six schema files share `com.apple.MCX`. `AnyPayload` decodes a
/// candidate only while its bound (its unknown top-level keys) can still
/// beat the best fit so far; it must choose what decoding every candidate,
/// in file order, chooses: fewest deviations, then fewest unknown keys, the
/// earlier file on a tie. Random payloads mix keys of all six files, with
/// values of the right kind or of any kind, and unknown keys.
#[test]
fn a_shared_payload_type_chooses_as_decoding_every_candidate_would() {
    use apple_device_management::profiles::{
        AnyPayload, McxAccounts, McxEnergySaver, McxFileVault2Keys, McxMobililty, McxTimeServer, McxWifi, Profile,
    };
    let files: Vec<&'static availability::SchemaFile> =
        availability::files(availability::Family::Profiles).iter().filter(|f| f.name == "com.apple.MCX").collect();
    assert_eq!(files.len(), 6, "the pinned schema has six com.apple.MCX files");
    let keys: Vec<(&'static KeyTable, &'static KeyEntry)> = files
        .iter()
        .flat_map(|f| f.request.top_level().iter().filter(|k| !k.element).map(move |k| (&f.request, k)))
        .collect();
    let entry = |(table, key): (&'static KeyTable, &'static KeyEntry)| {
        prop_oneof![3 => value(table, key, 1), 1 => any_value()].prop_map(move |v| (key.name.to_owned(), v))
    };
    let strategy = (
        proptest::sample::subsequence(keys.clone(), 0..=8.min(keys.len()))
            .prop_flat_map(move |chosen| chosen.into_iter().map(entry).collect::<Vec<_>>()),
        proptest::collection::btree_map("[a-z]{1,8}", any_value(), 0..2),
        any::<u8>(),
    );
    let chosen_variants = std::cell::RefCell::new(std::collections::BTreeSet::new());
    TestRunner::new(Config { cases: 512, failure_persistence: None, ..Config::default() })
        .run(&strategy, |(known, unknown, slot)| {
            let mut d: plist::Dictionary = unknown.into_iter().collect();
            d.extend(known);
            d.insert("PayloadIdentifier".into(), "com.example.mcx".into());
            d.insert("PayloadUUID".into(), "5E3A7B8C-0000-4000-8000-000000000001".into());
            d.insert("PayloadVersion".into(), 1.into());
            // The tag anywhere: the token decoder reads it ahead, then
            // decodes the candidates from the tokens.
            let d = with_tag(d, "PayloadType", "com.apple.MCX".into(), slot & !7);
            let xml = xml_of(d.clone());
            // File order, as in AnyPayload::TAGS.
            let fits = [
                candidate_fit::<McxAccounts>(&xml),
                candidate_fit::<McxEnergySaver>(&xml),
                candidate_fit::<McxFileVault2Keys>(&xml),
                candidate_fit::<McxMobililty>(&xml),
                candidate_fit::<McxTimeServer>(&xml),
                candidate_fit::<McxWifi>(&xml),
            ];
            let expected = fits.iter().enumerate().filter_map(|(i, f)| f.map(|f| (f, i))).min().map(|(_, i)| i);
            let decoded: AnyPayload = apple_device_management::from_plist(&xml).unwrap();
            let got = match decoded {
                AnyPayload::McxAccounts(_) => Some(0),
                AnyPayload::McxEnergySaver(_) => Some(1),
                AnyPayload::McxFileVault2Keys(_) => Some(2),
                AnyPayload::McxMobililty(_) => Some(3),
                AnyPayload::McxTimeServer(_) => Some(4),
                AnyPayload::McxWifi(_) => Some(5),
                AnyPayload::Unrecognized(_) => None,
                other => panic!("not an MCX candidate: {other:?}"),
            };
            prop_assert_eq!(got, expected, "fits {:?}", fits);
            chosen_variants.borrow_mut().insert(got);
            // The same choice and value from the plist crate's reader (which
            // cannot read ahead and chooses from a `plist::Value`), XML and
            // binary, alone and inside a profile between other payloads.
            let decode = |b: &[u8]| apple_device_management::from_plist::<AnyPayload>(b);
            prop_assert!(agree_in_both_forms("an MCX payload", &xml, decode)?);
            let mut profile = profile_with(d);
            let around = |n: i64| {
                let mut other = plist::Dictionary::new();
                other.insert("PayloadType".into(), "com.apple.MCX".into());
                other.insert("timeZone".into(), "Europe/Paris".into());
                other.insert("PayloadVersion".into(), n.into());
                plist::Value::Dictionary(other)
            };
            if let Some(plist::Value::Array(items)) = profile.get_mut("PayloadContent") {
                items.insert(0, around(0));
                items.push(around(2));
            }
            let decode = |b: &[u8]| apple_device_management::from_plist_lenient::<Profile>(b);
            prop_assert!(agree_in_both_forms("a profile with MCX payloads", &xml_of(profile), decode)?);
            Ok(())
        })
        .unwrap();
    // The random payloads reach every file, not one default choice.
    let chosen_variants = chosen_variants.into_inner();
    assert!(chosen_variants.len() >= 6, "{chosen_variants:?}");
}

/// Decodes `bytes` with the token-level decoder alone and with the plist
/// crate alone. Where the plist crate decodes, the token-level decoder
/// must give the same value (so the same typed fields, `extra` and
/// deviations); where it fails, the token-level decoder must fail too.
/// Returns whether the document decoded.
fn decoders_agree<T: PartialEq + std::fmt::Debug>(
    what: &str,
    bytes: &[u8],
    decode: impl Fn(&[u8]) -> Result<T, apple_device_management::Error>,
) -> Result<bool, TestCaseError> {
    use apple_device_management::__private::{PlistDecoder, with_plist_decoder};
    let tokens = with_plist_decoder(PlistDecoder::TokensOnly, || decode(bytes));
    let reference = with_plist_decoder(PlistDecoder::ReferenceOnly, || decode(bytes));
    match (&tokens, &reference) {
        (Ok(t), Ok(r)) => {
            prop_assert_eq!(t, r, "{}", what);
            Ok(true)
        }
        (Err(_), Err(_)) => Ok(false),
        _ => Err(TestCaseError::fail(format!("{what}: token decoder {tokens:?}, plist crate {reference:?}"))),
    }
}

/// A document of one schema file: its keys with values of their schema
/// kind, and now and then a value of any kind and an unknown key, so
/// lenient decoding keeps values raw too.
fn document_of(table: &'static KeyTable) -> BoxedStrategy<plist::Dictionary> {
    let keys = table.top_level().len();
    (
        dictionary(table, table.top_level(), 0),
        proptest::option::weighted(0.3, (0..keys.max(1), any_value(), text(), any_value())),
    )
        .prop_map(move |(doc, odd)| {
            let mut doc = doc.into_dictionary().unwrap();
            if let Some((at, wrong, unknown, value)) = odd {
                if let Some(key) = table.top_level().get(at) {
                    doc.insert(key.name.to_owned(), wrong);
                }
                doc.insert(format!("Unknown{unknown}"), value);
            }
            doc
        })
        .boxed()
}

/// [`decoders_agree`] on `xml` and on its binary form; whether both decoded.
fn agree_in_both_forms<T: PartialEq + std::fmt::Debug>(
    what: &str,
    xml: &[u8],
    decode: impl Fn(&[u8]) -> Result<T, apple_device_management::Error>,
) -> Result<bool, TestCaseError> {
    let from_xml = decoders_agree(&format!("{what} (XML)"), xml, &decode)?;
    let from_binary = decoders_agree(&format!("{what} (binary)"), &binary_of(xml), &decode)?;
    Ok(from_xml && from_binary)
}

fn xml_of(v: plist::Dictionary) -> Vec<u8> {
    let mut xml = Vec::new();
    plist::Value::Dictionary(v).to_writer_xml(&mut xml).unwrap();
    xml
}

/// `doc` with its tag key: first, last or anywhere between (the token
/// decoder reads a tag ahead of the entries before it), and now and then
/// not a string (read entry by entry, then kept untyped).
fn with_tag(doc: plist::Dictionary, key: &str, name: plist::Value, slot: u8) -> plist::Dictionary {
    let mut entries: Vec<(String, plist::Value)> = doc.into_iter().filter(|(k, _)| k != key).collect();
    let value = if slot % 8 == 7 { plist::Value::Integer(7.into()) } else { name };
    let at = usize::from(slot) % (entries.len() + 1);
    entries.insert(at, (key.to_owned(), value));
    entries.into_iter().collect()
}

/// A profile holding one payload.
fn profile_with(payload: plist::Dictionary) -> plist::Dictionary {
    let mut profile = plist::Dictionary::new();
    profile.insert("PayloadContent".into(), plist::Value::Array(vec![plist::Value::Dictionary(payload)]));
    profile.insert("PayloadDisplayName".into(), "prop".into());
    profile.insert("PayloadIdentifier".into(), "com.example.prop".into());
    profile.insert("PayloadType".into(), "Configuration".into());
    profile.insert("PayloadUUID".into(), "5E3A7B8C-0000-4000-8000-000000000002".into());
    profile.insert("PayloadVersion".into(), 1.into());
    profile
}

/// The token-level decoder and the plist crate agree on random documents
/// of every generated type, XML and binary, decoded leniently: every
/// command and reply, check-in, error, profile payload (inside a profile)
/// and declaration, each through the type that dispatches on its tag; the
/// status, protocol and `other` files as plist values.
#[test]
fn the_token_decoder_and_the_plist_crate_agree_on_every_generated_type() {
    use apple_device_management::checkin::AnyCheckin;
    use apple_device_management::declarative::AnyDeclaration;
    use apple_device_management::errors::AnyError;
    use apple_device_management::profiles::Profile;
    use apple_device_management::{from_plist_lenient, from_plist_serde};
    use availability::Family;

    let documents = std::cell::Cell::new(0usize);
    let decoded = std::cell::Cell::new(0usize);
    let mut files = 0;
    for family in Family::ALL {
        for file in availability::files(family) {
            files += 1;
            let mut runner = TestRunner::new(Config { cases: 6, failure_persistence: None, ..Config::default() });
            let strategy = (document_of(&file.request), envelope(), document_of(&file.response), any::<u8>());
            runner
                .run(&strategy, |(doc, reply_envelope, reply, slot)| {
                    let what = format!("{family:?} {}", file.path);
                    let name = plist::Value::String(file.name.to_owned());
                    let ok = match family {
                        Family::Commands => {
                            let doc = with_tag(doc, "RequestType", name, slot);
                            let mut whole = plist::Dictionary::new();
                            whole.insert("CommandUUID".into(), "prop".into());
                            whole.insert("Command".into(), plist::Value::Dictionary(doc));
                            let request = agree_in_both_forms(&what, &xml_of(whole), |b| {
                                from_plist_lenient::<Command<AnyRequest>>(b)
                            })?;
                            let response = agree_in_both_forms(&what, &xml_of(reply_of(reply_envelope, reply)), |b| {
                                decode_response(file.name, b, DecodeMode::Lenient)
                            })?;
                            request && response
                        }
                        Family::Checkin => {
                            let doc = with_tag(doc, "MessageType", name, slot);
                            agree_in_both_forms(&what, &xml_of(doc), from_plist_lenient::<AnyCheckin>)?
                        }
                        Family::Errors => {
                            let doc = with_tag(doc, "code", name, slot);
                            agree_in_both_forms(&what, &xml_of(doc), from_plist_lenient::<AnyError>)?
                        }
                        Family::Profiles => {
                            let doc = with_tag(doc, "PayloadType", name, slot);
                            agree_in_both_forms(&what, &xml_of(profile_with(doc)), |b| {
                                from_plist_lenient::<Profile>(b)
                            })?
                        }
                        Family::Declarations => {
                            let mut declaration = plist::Dictionary::new();
                            declaration.insert("Identifier".into(), "prop".into());
                            declaration.insert("ServerToken".into(), "1".into());
                            declaration.insert("Payload".into(), plist::Value::Dictionary(doc));
                            let declaration = with_tag(declaration, "Type", name, slot);
                            agree_in_both_forms(&what, &xml_of(declaration), |b| {
                                from_plist_lenient::<AnyDeclaration>(b)
                            })?
                        }
                        _ => agree_in_both_forms(&what, &xml_of(doc), from_plist_serde::<plist::Value>)?,
                    };
                    documents.set(documents.get() + 1);
                    decoded.set(decoded.get() + usize::from(ok));
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{}: {e}", file.path));
        }
    }
    println!("{files} schema files, {} documents, {} decoded by both", documents.get(), decoded.get());
    assert!(files >= 300, "{files} schema files");
    // Lenient decoding takes nearly every document: the comparison is of
    // decoded values, not of two errors.
    assert!(decoded.get() * 10 >= documents.get() * 9, "{} of {}", decoded.get(), documents.get());
}

/// Text with everything XML must escape, line endings of every kind, and
/// characters beyond ASCII (UTF-16 strings in binary plists).
fn awkward_text() -> BoxedStrategy<String> {
    "[a-zA-Z0-9 &<>\"'\r\n\t;#é€😀\u{7f}-]{0,16}".boxed()
}

/// Any plist value, with awkward text, every integer and any real but NaN
/// (which is not equal to itself).
fn awkward_value() -> BoxedStrategy<plist::Value> {
    let leaf = prop_oneof![
        awkward_text().prop_map(plist::Value::String),
        any::<i64>().prop_map(|i| plist::Value::Integer(i.into())),
        any::<u64>().prop_map(|u| plist::Value::Integer(u.into())),
        any::<f64>().prop_filter("NaN is not equal to itself", |f| !f.is_nan()).prop_map(plist::Value::Real),
        any::<bool>().prop_map(plist::Value::Boolean),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(plist::Value::Data),
        (-4_000_000_000i64..8_000_000_000).prop_map(|s| plist::Value::Date(
            if s < 0 {
                std::time::UNIX_EPOCH - std::time::Duration::from_secs(s.unsigned_abs())
            } else {
                std::time::UNIX_EPOCH + std::time::Duration::from_secs(s as u64)
            }
            .into()
        )),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(plist::Value::Array),
            proptest::collection::btree_map(awkward_text(), inner, 0..8)
                .prop_map(|m| plist::Value::Dictionary(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Any plist value, and UIDs in binary plists: the two decoders agree on
/// `plist::Value`.
#[test]
fn the_token_decoder_and_the_plist_crate_agree_on_any_value() {
    use apple_device_management::from_plist_serde;
    let value = awkward_value();
    let decoded = std::cell::Cell::new(0usize);
    TestRunner::new(Config { cases: 1024, failure_persistence: None, ..Config::default() })
        .run(&(value, any::<u64>()), |(value, uid)| {
            let mut xml = Vec::new();
            value.to_writer_xml(&mut xml).unwrap();
            let ok = agree_in_both_forms("value", &xml, from_plist_serde::<plist::Value>)?;
            prop_assert!(ok, "{:?}", value);
            // UIDs exist only in binary plists.
            let with_uid = plist::Value::Array(vec![value, plist::Value::Uid(plist::Uid::new(uid))]);
            let mut bin = Vec::new();
            with_uid.to_writer_binary(&mut bin).unwrap();
            prop_assert!(decoders_agree("value with a UID", &bin, from_plist_serde::<plist::Value>)?);
            decoded.set(decoded.get() + 1);
            Ok(())
        })
        .unwrap();
    assert_eq!(decoded.get(), 1024);
}

/// Any plist value, and UIDs in binary plists: this crate's writers give
/// the plist crate's XML byte for byte, and a binary plist of the same
/// length (every scalar written once) that decodes to the value.
#[test]
fn the_writers_write_what_the_plist_crate_writes_for_any_value() {
    let written = std::cell::Cell::new(0usize);
    TestRunner::new(Config { cases: 1024, failure_persistence: None, ..Config::default() })
        .run(&(awkward_value(), any::<u64>()), |(value, uid)| {
            let mut theirs = Vec::new();
            value.to_writer_xml(&mut theirs).unwrap();
            let ours = to_plist_xml(&value).unwrap();
            prop_assert_eq!(ours.as_bytes(), &theirs[..]);
            let with_uid = plist::Value::Array(vec![value.clone(), plist::Value::Uid(plist::Uid::new(uid)), value]);
            let bin = to_plist_binary(&with_uid).unwrap();
            prop_assert_eq!(&plist::Value::from_reader(std::io::Cursor::new(&bin)).unwrap(), &with_uid);
            let mut theirs = Vec::new();
            with_uid.to_writer_binary(&mut theirs).unwrap();
            prop_assert_eq!(bin.len(), theirs.len());
            written.set(written.get() + 1);
            Ok(())
        })
        .unwrap();
    assert_eq!(written.get(), 1024);
}

/// Validating a typed value in place (the checker reading the value
/// through its view) reports exactly what validating its plist form
/// reports (the checker reading a copy): for random documents of every
/// command and its reply, check-in, profile payload (inside a profile) and
/// declaration,
/// decoded leniently so that values of the wrong kind, unknown keys and
/// absent required keys are in `extra`, on two targets.
#[test]
fn validating_in_place_reports_what_validating_the_plist_form_reports() {
    use apple_device_management::checkin::AnyCheckin;
    use apple_device_management::declarative::AnyDeclaration;
    use apple_device_management::from_plist_lenient;
    use apple_device_management::profiles::Profile;
    use apple_device_management::validate::{DocumentKind, Validate};
    use availability::Family;

    fn same<T: serde::Serialize>(
        what: &str,
        typed: &T,
        validate_in_place: impl Fn(&T, &Target) -> validate::Report,
        kind: DocumentKind,
        targets: &[Target],
        issues: &std::cell::Cell<usize>,
    ) -> Result<(), TestCaseError> {
        let value = to_plist_value(typed).map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
        for target in targets {
            let in_place = validate_in_place(typed, target);
            issues.set(issues.get() + in_place.issues.len());
            prop_assert_eq!(in_place, validate::as_kind(&value, kind, target), "{}", what);
        }
        Ok(())
    }

    let targets = [
        Target::new(Platform::MacOS, "14.2".parse().unwrap()),
        Target::new(Platform::IOS, "17.0".parse().unwrap()).supervised(true),
    ];
    let documents = std::cell::Cell::new(0usize);
    let replies = std::cell::Cell::new(0usize);
    let issues = std::cell::Cell::new(0usize);
    for family in [Family::Commands, Family::Checkin, Family::Profiles, Family::Declarations] {
        for file in availability::files(family) {
            let mut runner = TestRunner::new(Config { cases: 6, failure_persistence: None, ..Config::default() });
            runner
                .run(
                    &(document_of(&file.request), envelope(), document_of(&file.response), any::<u8>()),
                    |(doc, reply_envelope, reply, slot)| {
                        let what = format!("{family:?} {}", file.path);
                        let name = plist::Value::String(file.name.to_owned());
                        let decode_err =
                            |e: apple_device_management::Error| TestCaseError::fail(format!("{what}: {e}"));
                        match family {
                            Family::Commands => {
                                let doc = with_tag(doc, "RequestType", name, slot);
                                let mut whole = plist::Dictionary::new();
                                whole.insert("CommandUUID".into(), "prop".into());
                                whole.insert("Command".into(), plist::Value::Dictionary(doc));
                                let typed: Command<AnyRequest> =
                                    from_plist_lenient(&xml_of(whole)).map_err(decode_err)?;
                                same(&what, &typed, Command::validate, DocumentKind::Command, &targets, &issues)?;
                                // The device's reply, checked against this
                                // command's response keys: in place (the
                                // command named by the body's type, or given)
                                // and in its plist form (the command given).
                                let reply = xml_of(reply_of(reply_envelope, reply));
                                let typed =
                                    decode_response(file.name, &reply, DecodeMode::Lenient).map_err(decode_err)?;
                                let value =
                                    to_plist_value(&typed).map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
                                for target in &targets {
                                    let plist_form = validate::command_response(&value, Some(file.name), target);
                                    let given = typed.validate(Some(file.name), target);
                                    issues.set(issues.get() + given.issues.len());
                                    prop_assert_eq!(&given, &plist_form, "{} reply", what);
                                    if typed.body.is_some() {
                                        prop_assert_eq!(&typed.validate(None, target), &plist_form, "{} reply", what);
                                    }
                                }
                                replies.set(replies.get() + 1);
                            }
                            Family::Checkin => {
                                let doc = with_tag(doc, "MessageType", name, slot);
                                let typed: AnyCheckin = from_plist_lenient(&xml_of(doc)).map_err(decode_err)?;
                                same(&what, &typed, AnyCheckin::validate, DocumentKind::Checkin, &targets, &issues)?;
                            }
                            Family::Profiles => {
                                let doc = with_tag(doc, "PayloadType", name, slot);
                                let typed: Profile =
                                    from_plist_lenient(&xml_of(profile_with(doc))).map_err(decode_err)?;
                                same(&what, &typed, Profile::validate, DocumentKind::Profile, &targets, &issues)?;
                            }
                            _ => {
                                let mut declaration = plist::Dictionary::new();
                                declaration.insert("Identifier".into(), "prop".into());
                                declaration.insert("ServerToken".into(), "1".into());
                                declaration.insert("Payload".into(), plist::Value::Dictionary(doc));
                                let declaration = with_tag(declaration, "Type", name, slot);
                                let typed: AnyDeclaration =
                                    from_plist_lenient(&xml_of(declaration)).map_err(decode_err)?;
                                same(
                                    &what,
                                    &typed,
                                    AnyDeclaration::validate,
                                    DocumentKind::Declaration,
                                    &targets,
                                    &issues,
                                )?;
                            }
                        }
                        documents.set(documents.get() + 1);
                        Ok(())
                    },
                )
                .unwrap_or_else(|e| panic!("{}: {e}", file.path));
        }
    }
    println!("{} documents ({} with a reply), {} validation issues", documents.get(), replies.get(), issues.get());
    assert!(documents.get() >= 1400, "{} documents", documents.get());
    // Six replies for each of the 66 commands.
    assert!(replies.get() >= 350, "{} replies", replies.get());
    // Random documents are often wrong for a target: the reports compared
    // were not empty.
    assert!(issues.get() > 1000, "{} issues", issues.get());
}
