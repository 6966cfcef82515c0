//! How each family's files become modules: names, tags, grouping. All the
//! per-family naming policy is here.
//!
//! | family | module / top type | tag |
//! |---|---|---|
//! | commands | `RequestType` (`install_application::InstallApplication`) | `RequestType`, in the `Command` dictionary |
//! | check-in | `MessageType`; `DeclarativeManagementCheckin` (a command has the plain name) | `MessageType` |
//! | errors | file name (`softwareupdate_required::SoftwareupdateRequired`) | `code` |
//! | profiles | file name without `com.apple.` (`wifi_managed::WifiManaged`); `MCX(FileVault2)` files name the keys they add, suffixed `Keys` if the plain name is taken; `TopLevel` is `Profile` | `PayloadType`, with the common payload keys |
//! | declarations | `Type` without `com.apple.` (`ConfigurationPasscodeSettings`), grouped by folder | `Type`, in the declaration envelope |
//! | status | item name (`device_identifier_udid::DeviceIdentifierUdid`) | the item's path in `StatusItems` |
//! | protocol | `RequestType` | none |
//! | other | `payloadtype` | none |

use std::collections::BTreeSet;

use crate::ir::{Kind, Spec};
use crate::load::Schema;
use crate::model::{Family, SchemaFile};
use crate::naming::{self, Scope};
use crate::yaml::Scalar;

fn strip_apple(s: &str) -> &str {
    s.strip_prefix("com.apple.").unwrap_or(s)
}

/// The specs of one family's files, in file order.
pub fn specs(schema: &Schema, family: Family) -> Vec<(&SchemaFile, Spec)> {
    let files: Vec<&SchemaFile> = schema.family(family).collect();
    let command_names: BTreeSet<String> = schema
        .family(Family::Commands)
        .filter_map(|f| f.payload.requesttype.as_deref())
        .map(|rt| naming::camel(rt, "T"))
        .collect();
    let mut types = Scope::default();
    let mut idents = Scope::default();
    let mut out: Vec<Option<(&SchemaFile, Spec)>> = vec![None; files.len()];
    // Files whose names carry parentheses (`MCX(FileVault2)`) claim names
    // last, so that plain files keep the plain name.
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| files[i].stem().contains('('));
    for i in order {
        let f = files[i];
        let spec = spec(f, family, &command_names, &mut types, &mut idents);
        out[i] = Some((f, spec));
    }
    out.into_iter().flatten().collect()
}

fn spec(f: &SchemaFile, family: Family, commands: &BTreeSet<String>, types: &mut Scope, idents: &mut Scope) -> Spec {
    let stem = f.stem();
    let p = &f.payload;
    let mut claim = |wanted: String, fallback: Option<String>| {
        let name = types.claim(&wanted, fallback.as_deref());
        let ident = idents.claim(&naming::snake(&name), None);
        (ident, name)
    };
    match family {
        Family::Commands => {
            let rt = p.requesttype.clone().unwrap_or_else(|| stem.to_owned());
            let (ident, name) = claim(naming::camel(&rt, "T"), None);
            Spec {
                response: Some(format!("{name}Response")),
                ident,
                name,
                kind: Kind::Command { request_type: rt },
                skip: None,
                group: None,
            }
        }
        Family::Checkin => {
            let mt = p.requesttype.clone().unwrap_or_else(|| stem.to_owned());
            let plain = naming::camel(&mt, "T");
            // DeclarativeManagement is both a command and a check-in.
            let wanted = if commands.contains(&plain) { format!("{plain}Checkin") } else { plain };
            let (ident, name) = claim(wanted, None);
            Spec {
                response: Some(format!("{name}Response")),
                ident,
                name,
                kind: Kind::Checkin { message_type: mt },
                skip: Some("MessageType".into()),
                group: None,
            }
        }
        Family::Errors => {
            let code = f
                .payload_keys
                .iter()
                .find(|k| k.name == "code")
                .and_then(|k| match k.rangelist.as_slice() {
                    [Scalar::Str(c)] => Some(c.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| format!("com.apple.{stem}"));
            let (ident, name) = claim(naming::camel(stem, "T"), None);
            Spec { ident, name, kind: Kind::Error { code }, skip: Some("code".into()), response: None, group: None }
        }
        Family::Profiles => {
            let pt = p.payloadtype.clone().unwrap_or_else(|| stem.to_owned());
            let (wanted, kind, skip) = match pt.as_str() {
                "TopLevel" => ("Profile".to_owned(), Kind::Plain, None),
                "CommonPayloadKeys" => ("CommonPayloadKeys".to_owned(), Kind::Plain, Some("PayloadType".to_owned())),
                _ => (naming::camel(strip_apple(stem), "T"), Kind::ProfilePayload { payload_type: pt.clone() }, None),
            };
            let fallback = stem.contains('(').then(|| format!("{wanted}Keys"));
            let (ident, name) = claim(wanted, fallback);
            Spec { ident, name, kind, skip, response: None, group: None }
        }
        Family::Declarations => {
            let rel = f.path.strip_prefix("declarative/declarations/").unwrap_or(&f.path);
            let group = rel.rsplit_once('/').map(|(dir, _)| dir.rsplit('/').next().unwrap_or(dir).to_owned());
            let (wanted, kind) = match (p.declarationtype.as_deref(), p.credentialtype.as_deref()) {
                (Some("any") | None, None) => (naming::camel(stem, "T"), Kind::Plain),
                (Some(dt), _) => {
                    (naming::camel(strip_apple(dt), "T"), Kind::Declaration { declaration_type: dt.to_owned() })
                }
                (None, Some(ct)) => (naming::camel(strip_apple(ct), "T"), Kind::Plain),
            };
            let name = types.claim(&wanted, None);
            // Module names are unique within their group only.
            let ident = naming::snake(stem);
            Spec { ident, name, kind, skip: None, response: None, group }
        }
        Family::Status => match (p.statusitemtype.as_deref(), p.declarationtype.as_deref()) {
            (Some(item), _) => {
                let (ident, name) = claim(naming::camel(item, "T"), None);
                Spec {
                    ident,
                    name,
                    kind: Kind::StatusItem { item: item.to_owned() },
                    skip: None,
                    response: None,
                    group: None,
                }
            }
            (None, dt) => {
                let (ident, name) = claim(naming::camel(dt.unwrap_or(stem), "T"), None);
                Spec { ident, name, kind: Kind::Plain, skip: None, response: None, group: None }
            }
        },
        Family::Protocol => {
            let rt = p.requesttype.clone().unwrap_or_else(|| stem.to_owned());
            let (ident, name) = claim(naming::camel(&rt, "T"), None);
            Spec { ident, name, kind: Kind::Plain, skip: None, response: None, group: None }
        }
        Family::Other => {
            let pt = p.payloadtype.clone().unwrap_or_else(|| stem.to_owned());
            let (ident, name) = claim(naming::camel(&pt, "T"), None);
            Spec { ident, name, kind: Kind::Plain, skip: None, response: None, group: None }
        }
    }
}
