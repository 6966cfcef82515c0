//! The intermediate representation: the Rust types one schema file becomes.
//!
//! Decisions made here, per key:
//! - `<dictionary>` with subkeys -> a struct (named after `subkeytype`, else
//!   the key); with one `ANY` subkey -> a map; without subkeys -> a free
//!   `plist::Dictionary`;
//! - `<array>` -> `Vec` of its one subkey; several dictionary subkeys told
//!   apart by a single-valued key (Settings' `Item`) -> a union enum;
//! - a string or integer `rangelist` -> an open enum scoped to the file
//!   (an integer list with a `range` too -> a plain integer); a
//!   string whose subkeys list allowed values (DeviceInformation `Queries`)
//!   -> an open enum of those values;
//! - `required` keys with no availability of their own -> plain fields;
//!   everything else (optional, or required only on some OS or enrollment)
//!   -> `Option`;
//! - an alias back to an enclosing `subkeys` list -> the enclosing type
//!   (boxed when not behind a `Vec`);
//! - rules in [`crate::overrides`] win over all of the above.

use std::collections::{BTreeMap, HashMap};

use crate::avail;
use crate::model::{Family, Key, Presence, SchemaFile, Subkeys, ValueType};
use crate::naming::{self, Scope};
use crate::overrides::{self, Action};
use crate::yaml::Scalar;

/// A Rust type as used in a field.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    String,
    Integer,
    Real,
    Boolean,
    Date,
    Data,
    /// `plist::Value`
    Any,
    /// `plist::Dictionary`
    Dictionary,
    /// A type generated in the same module.
    Named(String),
    /// A scalar type given by its path (a hand-written runtime type such as
    /// `ManagementFlags`).
    Path(String),
    /// A dictionary type given by its path (a type generated in another
    /// module, such as `AnyPayload`), whose deviations must be collected.
    RecordPath(String),
    Vec(Box<Ty>),
    /// `BTreeMap<String, T>`
    Map(Box<Ty>),
    Boxed(Box<Ty>),
}

impl Ty {
    /// True when a value of this type may hold records, whose deviations
    /// must be collected.
    pub fn has_records(&self, module: &Module) -> bool {
        match self {
            Ty::Named(n) => module.is_record(n),
            Ty::RecordPath(_) => true,
            Ty::Vec(t) | Ty::Map(t) | Ty::Boxed(t) => t.has_records(module),
            _ => false,
        }
    }

    /// True when the type has a meaningful `Default` (so it can be a plain,
    /// non-`Option` field).
    fn has_default(&self, unions: &[String]) -> bool {
        match self {
            Ty::Date | Ty::Any => false,
            Ty::Named(n) => !unions.contains(n),
            Ty::Boxed(t) => t.has_default(unions),
            _ => true,
        }
    }
}

/// A paragraph of documentation: schema prose (sanitised when emitted) or
/// text the generator wrote (already Markdown).
#[derive(Debug, Clone, PartialEq)]
pub enum Para {
    Schema(String),
    Gen(String),
}

fn note(s: impl Into<String>) -> Para {
    Para::Gen(s.into())
}

/// One field of a struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The key on the wire.
    pub wire: String,
    /// The Rust field name.
    pub ident: String,
    pub ty: Ty,
    /// Plain field (else `Option`).
    pub required: bool,
    /// The schema's type, which the wire kind is checked against.
    pub schema_type: ValueType,
    pub doc: Vec<Para>,
    /// The one value the key may hold (an override): another is a deviation.
    pub fixed: Option<String>,
}

/// A generated struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    pub name: String,
    /// The wire key whose value this type is (for a doc alias).
    pub wire: Option<String>,
    pub doc: Vec<Para>,
    pub fields: Vec<Field>,
}

/// How an enum's values travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repr {
    String,
    Integer,
}

/// One value of an open enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub ident: String,
    /// The wire value: a string, or an integer's decimal text.
    pub wire: String,
    pub doc: Vec<Para>,
}

/// A generated open enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    pub name: String,
    /// The wire key whose values these are (for a doc alias).
    pub wire: Option<String>,
    pub doc: Vec<Para>,
    pub repr: Repr,
    pub variants: Vec<Variant>,
}

/// One variant of a union: a struct chosen by the discriminator's value.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    pub ident: String,
    pub wire: String,
    pub ty: String,
    pub doc: Vec<Para>,
}

/// A dictionary type chosen by the value of one of its keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    pub name: String,
    pub doc: Vec<Para>,
    pub discriminator: String,
    pub variants: Vec<UnionVariant>,
}

/// A generated item.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Struct(Struct),
    Enum(Enum),
    Union(Union),
}

impl Item {
    /// The item's type name.
    pub fn name(&self) -> &str {
        match self {
            Item::Struct(s) => &s.name,
            Item::Enum(e) => &e.name,
            Item::Union(u) => &u.name,
        }
    }
}

/// What a file's top type is, which decides how it travels on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// An MDM command: the request sits in `Command` next to `RequestType`.
    Command { request_type: String },
    /// A check-in message, tagged by `MessageType`.
    Checkin { message_type: String },
    /// An error body, tagged by `code`.
    Error { code: String },
    /// A profile payload: tagged by `PayloadType`, with the common payload
    /// keys around it.
    ProfilePayload { payload_type: String },
    /// A declaration's `Payload`; the declaration envelope carries `Type`.
    Declaration { declaration_type: String },
    /// A status item's value.
    StatusItem { item: String },
    /// A plain dictionary.
    Plain,
}

impl Kind {
    /// The key that tags the top type on the wire, and its value, for kinds
    /// whose top type carries its own tag.
    pub fn tag(&self) -> Option<(&'static str, &str)> {
        match self {
            Kind::Checkin { message_type } => Some(("MessageType", message_type)),
            Kind::Error { code } => Some(("code", code)),
            _ => None,
        }
    }

    /// The name the tables know the file by (`RequestType`, `PayloadType`...).
    pub fn schema_name(&self) -> Option<&str> {
        match self {
            Kind::Command { request_type: n }
            | Kind::Checkin { message_type: n }
            | Kind::Error { code: n }
            | Kind::ProfilePayload { payload_type: n }
            | Kind::Declaration { declaration_type: n }
            | Kind::StatusItem { item: n } => Some(n),
            Kind::Plain => None,
        }
    }
}

/// How one file becomes a module: decided per family in [`crate::families`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// The Rust module name.
    pub ident: String,
    /// The top type's name.
    pub name: String,
    /// How the top type travels.
    pub kind: Kind,
    /// A top-level key handled outside the struct (a tag, or `PayloadType`
    /// in the common payload keys), left out of the fields.
    pub skip: Option<String>,
    /// The response (server reply / device reply) type's name.
    pub response: Option<String>,
    /// A sub-module to group the module in (declaration kinds).
    pub group: Option<String>,
}

/// The Rust module generated from one schema file.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// The schema file, relative to the schema root.
    pub file: String,
    pub family: Family,
    /// The Rust module name.
    pub ident: String,
    /// The file's title.
    pub title: String,
    /// Module documentation.
    pub doc: Vec<Para>,
    /// Items in a fixed order: the top types first, then nested ones in the
    /// order their keys appear.
    pub items: Vec<Item>,
    /// The top type.
    pub top: String,
    /// When the top type is an alias (a status item whose value is not a
    /// dictionary): what it stands for.
    pub alias: Option<Ty>,
    /// How the top type travels.
    pub kind: Kind,
    /// The response struct, when the file has response keys.
    pub response: Option<String>,
    /// A sub-module to group the module in.
    pub group: Option<String>,
    /// Shapes the generator could not type fully (each names the file and
    /// key); `build.rs` prints them as `cargo:warning`s.
    pub warnings: Vec<String>,
}

impl Module {
    /// True if `name` is a struct or union of this module.
    pub fn is_record(&self, name: &str) -> bool {
        self.items.iter().any(|i| i.name() == name && !matches!(i, Item::Enum(_)))
    }
}

/// The most required fields one struct may have (they are tracked in a
/// 64-bit set while decoding); any further ones become optional.
const MAX_REQUIRED: usize = 64;

struct Builder<'a> {
    file: &'a SchemaFile,
    /// Each key's resolved availability, by key path.
    avail: &'a HashMap<String, avail::Availability>,
    scope: Scope,
    items: Vec<Option<Item>>,
    /// Anchor id of a `subkeys` list -> the type built from it.
    anchors: HashMap<usize, Ty>,
    /// Structs whose fields are being built (for boxing recursion).
    open: Vec<String>,
    unions: Vec<String>,
    warnings: Vec<String>,
    /// The overrides of this file.
    rules: &'a overrides::FileRules,
    /// Type names decided before this pass, by claim id (see [`plan_names`]).
    plan: BTreeMap<String, String>,
    /// The type-name claims this pass made, in walk order.
    claims: Vec<naming::Claim>,
}

/// Most walks a file needs before its type names settle (see [`module`]).
const MAX_NAMING_PASSES: usize = 6;

/// Builds the module for one schema file.
///
/// Nested type names are decided by the whole file, not by the order the
/// schema lists keys in: a first walk records every name each key wants
/// ([`naming::Claim`]), [`naming::plan_names`] settles contested names by key
/// path, and the file is walked again with that plan. A loser's fallback
/// name includes its parent type's name, which may itself have changed, so
/// walks repeat until the plan is stable (two or three walks in practice).
pub fn module(file: &SchemaFile, spec: &Spec) -> Module {
    let name = spec.name.clone();
    let mut reserved = vec![name.clone()];
    reserved.extend(spec.response.clone());
    let avail = avail::path_map(file);
    let rules = overrides::FileRules::new(file);
    let mut plan = BTreeMap::new();
    let mut warnings = Vec::new();
    for pass in 1..=MAX_NAMING_PASSES {
        let (module, claims) = build_module(file, spec, &avail, &rules, plan.clone());
        let next = naming::plan_names(&claims, &reserved);
        if pass > 1 && next == plan {
            return Module { warnings: [module.warnings, warnings].concat(), ..module };
        }
        if pass == MAX_NAMING_PASSES {
            warnings.push(format!(
                "{}: type names did not settle after {MAX_NAMING_PASSES} walks; they may depend on key order",
                file.path
            ));
            return Module { warnings: [module.warnings, warnings].concat(), ..module };
        }
        plan = next;
    }
    unreachable!("the last pass returns")
}

/// One walk of a file with the type names of `plan`; also returns the
/// claims the walk made.
fn build_module(
    file: &SchemaFile,
    spec: &Spec,
    avail: &HashMap<String, avail::Availability>,
    rules: &overrides::FileRules,
    plan: BTreeMap<String, String>,
) -> (Module, Vec<naming::Claim>) {
    let name = spec.name.clone();
    let mut reserved: Vec<&str> = vec![name.as_str()];
    if let Some(r) = &spec.response {
        reserved.push(r);
    }
    reserved.extend(plan.values().map(String::as_str));
    let mut b = Builder {
        file,
        avail,
        scope: Scope::with_reserved(&reserved),
        items: Vec::new(),
        anchors: HashMap::new(),
        open: Vec::new(),
        unions: Vec::new(),
        warnings: Vec::new(),
        rules,
        plan,
        claims: Vec::new(),
    };
    let payload_avail = avail::payload(&file.payload.supported_os);
    let mut doc = vec![Para::Schema(file.title.clone())];
    doc.extend(paragraphs(file.description.as_deref()));
    doc.extend(notes_doc(&file.notes));
    doc.push(note(match &spec.kind {
        Kind::Command { request_type } => format!("`RequestType`: `{request_type}`. Source: `{}`.", file.path),
        Kind::Checkin { message_type } => format!("`MessageType`: `{message_type}`. Source: `{}`.", file.path),
        Kind::Error { code } => format!("`code`: `{code}`. Source: `{}`.", file.path),
        Kind::ProfilePayload { payload_type } => format!("`PayloadType`: `{payload_type}`. Source: `{}`.", file.path),
        Kind::Declaration { declaration_type } => format!("`Type`: `{declaration_type}`. Source: `{}`.", file.path),
        Kind::StatusItem { item } => format!("Status item `{item}`. Source: `{}`.", file.path),
        Kind::Plain => format!("Source: `{}`.", file.path),
    }));
    doc.push(availability_doc(&payload_avail));
    let mut alias = None;
    match (&spec.kind, file.payload_keys.as_slice()) {
        // A status item whose value is not a dictionary of named keys: the
        // top type is an alias of the value's type.
        (Kind::StatusItem { .. }, [only]) if !has_named_keys(only) => {
            alias = Some(b.ty(only, &name, &format!("payload:{}", only.name)));
        }
        (Kind::StatusItem { .. }, [only]) => {
            b.add_struct(&name, doc.clone(), only.subkey_list(), &format!("payload:{}/", only.name), None);
        }
        _ => b.add_struct(&name, doc.clone(), &file.payload_keys, "payload:", spec.skip.as_deref()),
    }
    if let (Some(response), false) = (&spec.response, file.response_keys.is_empty()) {
        let mut rdoc = vec![note(match &spec.kind {
            Kind::Command { .. } => format!(
                "The response keys of a device's reply to [`{name}`]. The envelope keys (Status, CommandUUID, \
                 ErrorChain, UDID...) are in [`CommandResponse`](crate::CommandResponse), which holds this type as \
                 its body."
            ),
            _ => format!("The server's reply to [`{name}`]."),
        })];
        rdoc.push(availability_doc(&payload_avail));
        b.add_struct(response, rdoc, &file.response_keys, "response:", None);
    }
    let mut module_doc = vec![Para::Schema(file.title.clone())];
    module_doc.extend(paragraphs(file.description.as_deref()));
    let claims = std::mem::take(&mut b.claims);
    let module = Module {
        file: file.path.clone(),
        family: file.family,
        ident: spec.ident.clone(),
        title: file.title.clone(),
        doc: if alias.is_some() { doc } else { module_doc },
        items: b.items.into_iter().flatten().collect(),
        top: name,
        alias,
        kind: spec.kind.clone(),
        response: spec.response.clone().filter(|_| !file.response_keys.is_empty()),
        group: spec.group.clone(),
        warnings: b.warnings,
    };
    (module, claims)
}

/// A dictionary with named subkeys (not free-form, not a map of `ANY`).
fn has_named_keys(key: &Key) -> bool {
    let list = key.subkey_list();
    key.ty == ValueType::Dictionary && !list.is_empty() && !(list.len() == 1 && is_any_key(&list[0].name))
}

/// True for the placeholder names of map keys (`ANY`, `ANY app identifier`, `<app identifier>`).
/// The wire key a type at an override path (`payload:Updates/UpdatesItem/`)
/// is the value of: the last segment that is a key on the wire, not the
/// schema's name for an element (`UpdatesItem`, `ANY ...`). `None` at the top.
pub fn wire_of_path(path: &str) -> Option<String> {
    let keys = path.split_once(':').map_or(path, |(_, rest)| rest);
    keys.split('/').rev().find(|k| !k.is_empty() && !k.ends_with("Item") && !is_any_key(k)).map(str::to_owned)
}

pub fn is_any_key(name: &str) -> bool {
    name == "ANY" || name.starts_with("ANY ") || (name.starts_with('<') && name.ends_with('>'))
}

impl Builder<'_> {
    /// Reserves a slot so that items keep declaration order (parents first).
    fn reserve(&mut self) -> usize {
        self.items.push(None);
        self.items.len() - 1
    }

    fn add_struct(&mut self, name: &str, doc: Vec<Para>, keys: &[Key], path: &str, skip: Option<&str>) {
        let slot = self.reserve();
        self.open.push(name.to_owned());
        let fields = self.fields(name, keys, path, skip);
        self.open.pop();
        let wire = wire_of_path(path);
        self.items[slot] = Some(Item::Struct(Struct { name: name.to_owned(), wire, doc, fields }));
    }

    fn fields(&mut self, parent: &str, keys: &[Key], path: &str, skip: Option<&str>) -> Vec<Field> {
        let keys: Vec<&Key> = keys.iter().filter(|k| skip != Some(k.name.as_str())).collect();
        let wires: Vec<&str> = keys.iter().map(|k| k.name.as_str()).collect();
        let snakes: Vec<String> = wires.iter().map(|w| naming::snake(w)).collect();
        let idents = naming::unique_names(&snakes, &wires, &["extra"]);
        // Nested types are built in key-name order, whatever order the schema
        // lists keys in, so that which occurrence of a shared (anchored) list
        // is walked first, and so which overrides apply to it, does not
        // depend on that order. Fields keep the schema's order.
        let mut walk: Vec<usize> = (0..keys.len()).collect();
        walk.sort_by(|&a, &b| keys[a].name.cmp(&keys[b].name));
        let mut tys: Vec<Option<Ty>> = vec![None; keys.len()];
        for i in walk {
            tys[i] = Some(self.ty(keys[i], parent, &format!("{path}{}", keys[i].name)));
        }
        let mut out = Vec::new();
        let mut required_count = 0;
        for ((key, ident), ty) in keys.into_iter().zip(idents).zip(tys) {
            let key_path = format!("{path}{}", key.name);
            let ty = ty.expect("every key was walked");
            let overridden_optional = self.rules.lookup(&key_path) == Some(Action::Optional);
            let required = key.presence == Presence::Required
                && key.supported_os.is_none()
                && !overridden_optional
                && ty.has_default(&self.unions)
                && required_count < MAX_REQUIRED;
            required_count += usize::from(required);
            // A required string key whose value list has one value is fixed
            // ("Set this to 'Credential' for this extension"): another value
            // is a deviation. Where several files share a tag, this is what
            // tells them apart.
            let fixed = match (self.rules.lookup(&key_path), key.rangelist.as_slice()) {
                (Some(Action::Fixed(v)), _) => Some(v.to_owned()),
                (_, [Scalar::Str(v)]) if required && key.ty == ValueType::String => Some(v.clone()),
                _ => None,
            };
            out.push(Field {
                wire: key.name.clone(),
                ident,
                ty,
                required,
                schema_type: key.ty.clone(),
                doc: field_doc(key, self.avail.get(&key_path)),
                fixed,
            });
        }
        out
    }

    /// A nested type's docs: the key's title and prose, then its
    /// availability per OS.
    fn type_doc(&self, key: &Key, path: &str) -> Vec<Para> {
        let mut doc = key_doc(key);
        doc.extend(self.avail.get(path).map(availability_doc));
        doc
    }

    /// The name of the type built for the key at `path`: the planned name
    /// when this walk has a plan, else the first free of `wanted` and
    /// `{parent}{wanted}`. Every claim is recorded for the next plan.
    fn claim_type_name(&mut self, wanted: &str, parent: &str, path: &str) -> String {
        let wanted = naming::camel(&naming::element_name(wanted), "T");
        let fallback = format!("{parent}{wanted}");
        let mut id = format!("{path}#{wanted}");
        let base = id.clone();
        let mut n = 1;
        while self.claims.iter().any(|c| c.id == id) {
            n += 1;
            id = format!("{base}#{n}");
        }
        let name = match self.plan.get(&id) {
            Some(planned) => planned.clone(),
            None => self.scope.claim(&wanted, Some(&fallback)),
        };
        self.claims.push(naming::Claim { id, wanted, fallback });
        name
    }

    /// The type of a key's value.
    fn ty(&mut self, key: &Key, parent: &str, path: &str) -> Ty {
        match self.rules.lookup(path) {
            Some(Action::RuntimeType(p)) => return Ty::Path(p.to_owned()),
            Some(Action::RecordType(p)) => return Ty::RecordPath(p.to_owned()),
            _ => {}
        }
        match &key.ty {
            ValueType::String => {
                let values: Vec<&str> = key
                    .rangelist
                    .iter()
                    .filter_map(|s| if let Scalar::Str(s) = s { Some(s.as_str()) } else { None })
                    .collect();
                if !values.is_empty() && values.len() == key.rangelist.len() {
                    self.string_enum(key, parent, path)
                } else if !key.subkey_list().is_empty() {
                    self.catalogue_enum(key, parent, path)
                } else {
                    Ty::String
                }
            }
            ValueType::Integer => {
                // A list plus a range (`0`, or 1 to 180 minutes) admits
                // integers the list does not name: a plain integer, whose
                // values validation checks against both.
                let all_int = key.rangelist.iter().all(|s| matches!(s, Scalar::Int(_)));
                if !key.rangelist.is_empty() && all_int && key.range.is_none() {
                    self.integer_enum(key, parent, path)
                } else {
                    Ty::Integer
                }
            }
            ValueType::Real => Ty::Real,
            ValueType::Boolean => Ty::Boolean,
            ValueType::Date => Ty::Date,
            ValueType::Data => Ty::Data,
            ValueType::Any => Ty::Any,
            ValueType::Unknown(t) => {
                self.warnings.push(format!(
                    "{}: `{}` has the type `<{t}>`, which this generator does not know; it stays untyped (plist::Value)",
                    self.file.path,
                    path.trim_start_matches("payload:").trim_start_matches("response:")
                ));
                Ty::Any
            }
            ValueType::Array => self.array(key, parent, path),
            ValueType::Dictionary => self.dictionary(key, parent, path),
        }
    }

    fn array(&mut self, key: &Key, parent: &str, path: &str) -> Ty {
        let list = match &key.subkeys {
            Subkeys::Recursive { anchor } => {
                return Ty::Vec(Box::new(self.anchors.get(anchor).cloned().unwrap_or(Ty::Any)));
            }
            Subkeys::List(list) => list,
        };
        if key.subkeys_anchor != 0
            && let Some(t) = self.anchors.get(&key.subkeys_anchor)
        {
            return Ty::Vec(Box::new(t.clone()));
        }
        let elem = match list.as_slice() {
            [] => Ty::Any,
            [one] => {
                let elem_path = format!("{path}/{}", one.name);
                match self.rules.lookup(&elem_path) {
                    Some(Action::RuntimeType(p)) => return Ty::Vec(Box::new(Ty::Path(p.to_owned()))),
                    Some(Action::RecordType(p)) => return Ty::Vec(Box::new(Ty::RecordPath(p.to_owned()))),
                    _ => {}
                }
                if one.ty == ValueType::Dictionary && !matches!(one.subkeys, Subkeys::Recursive { .. }) {
                    // Register before building, so a recursive alias inside resolves.
                    self.element_dictionary(key, one, parent, &elem_path, key.subkeys_anchor)
                } else {
                    let t = self.ty(one, parent, &elem_path);
                    if key.subkeys_anchor != 0 {
                        self.anchors.insert(key.subkeys_anchor, t.clone());
                    }
                    t
                }
            }
            many => self.union(key, many, parent, path).unwrap_or_else(|| {
                self.warnings.push(format!(
                    "{}: the elements of `{}` are {} dictionaries that no key with one distinct value tells apart; \
                     they stay untyped (plist::Value)",
                    self.file.path,
                    path.trim_start_matches("payload:").trim_start_matches("response:"),
                    many.len()
                ));
                Ty::Any
            }),
        };
        Ty::Vec(Box::new(elem))
    }

    /// An array element or map value that is a dictionary.
    fn element_dictionary(&mut self, container: &Key, elem: &Key, parent: &str, path: &str, anchor: usize) -> Ty {
        let list = elem.subkey_list();
        if list.is_empty() {
            return Ty::Dictionary;
        }
        // The same anchored list seen before (an alias): the same type.
        if elem.subkeys_anchor != 0
            && let Some(t) = self.anchors.get(&elem.subkeys_anchor)
        {
            return t.clone();
        }
        if let [only] = list
            && is_any_key(&only.name)
        {
            return self.map(elem, only, parent, path);
        }
        let wanted = elem.subkeytype.clone().unwrap_or_else(|| {
            if is_any_key(&elem.name) {
                format!("{}Value", naming::camel(&container.name, "T"))
            } else {
                elem.name.clone()
            }
        });
        let name = self.claim_type_name(&wanted, parent, path);
        if anchor != 0 {
            self.anchors.insert(anchor, Ty::Named(name.clone()));
        }
        if elem.subkeys_anchor != 0 {
            self.anchors.insert(elem.subkeys_anchor, Ty::Named(name.clone()));
        }
        let doc = self.type_doc(elem, path);
        self.add_struct(&name, doc, list, &format!("{path}/"), None);
        Ty::Named(name)
    }

    fn map(&mut self, dict: &Key, value: &Key, parent: &str, path: &str) -> Ty {
        let value_path = format!("{path}/{}", value.name);
        let t = match value.ty {
            ValueType::Any => return Ty::Dictionary,
            ValueType::Dictionary if !matches!(value.subkeys, Subkeys::Recursive { .. }) => {
                self.element_dictionary(dict, value, parent, &value_path, 0)
            }
            _ => self.ty(value, parent, &value_path),
        };
        Ty::Map(Box::new(t))
    }

    fn dictionary(&mut self, key: &Key, parent: &str, path: &str) -> Ty {
        let list = match &key.subkeys {
            Subkeys::Recursive { anchor } => {
                let t = self.anchors.get(anchor).cloned().unwrap_or(Ty::Dictionary);
                return match &t {
                    Ty::Named(n) if self.open.contains(n) => Ty::Boxed(Box::new(t)),
                    _ => t,
                };
            }
            Subkeys::List(list) => list,
        };
        if key.subkeys_anchor != 0
            && let Some(t) = self.anchors.get(&key.subkeys_anchor)
        {
            return t.clone();
        }
        if let (Some(Action::Unwrap), [only]) = (self.rules.lookup(path), list.as_slice())
            && only.ty == ValueType::Dictionary
        {
            return self.dictionary(only, parent, &format!("{path}/{}", only.name));
        }
        match list.as_slice() {
            [] => Ty::Dictionary,
            [only] if is_any_key(&only.name) => self.map(key, only, parent, path),
            _ => {
                let wanted = key.subkeytype.clone().unwrap_or_else(|| key.name.clone());
                let name = self.claim_type_name(&wanted, parent, path);
                if key.subkeys_anchor != 0 {
                    self.anchors.insert(key.subkeys_anchor, Ty::Named(name.clone()));
                }
                let doc = self.type_doc(key, path);
                self.add_struct(&name, doc, list, &format!("{path}/"), None);
                Ty::Named(name)
            }
        }
    }

    /// Several dictionary subkeys, each with the same key holding one
    /// distinct value: a union. `None` when the subkeys are not like that.
    ///
    /// The discriminator is a key that holds one value in every element
    /// (Settings' `Item`). An element that lacks it (26.x's
    /// `DefaultApplications`) is still typed when every element that has it
    /// uses its own element name as the value: the lacking element's value
    /// is then its name, and its docs say so.
    fn union(&mut self, key: &Key, variants: &[Key], parent: &str, path: &str) -> Option<Ty> {
        if variants.iter().any(|v| v.ty != ValueType::Dictionary) {
            return None;
        }
        // One listed value and no range (as the tables' union index reads it).
        let single = |k: &Key| match (k.rangelist.as_slice(), &k.range) {
            ([Scalar::Str(s)], None) => Some(s.clone()),
            _ => None,
        };
        let value_in = |v: &Key, name: &str| v.subkey_list().iter().find(|d| d.name == name).and_then(single);
        // Candidates: single-valued keys, in the order the first element
        // that has any lists them; the one held by the most elements wins.
        let mut candidates: Vec<String> = Vec::new();
        for v in variants {
            for c in v.subkey_list() {
                if single(c).is_some() && !candidates.contains(&c.name) {
                    candidates.push(c.name.clone());
                }
            }
        }
        let disc_name = candidates
            .iter()
            .map(|c| (variants.iter().filter(|v| value_in(v, c).is_some()).count(), c))
            .filter(|(n, _)| *n >= 2 || variants.len() == *n)
            .max_by_key(|(n, c)| (*n, std::cmp::Reverse(candidates.iter().position(|x| x == *c))))?
            .1
            .clone();
        let named_by_name = variants.iter().all(|v| value_in(v, &disc_name).is_none_or(|w| w == v.name));
        let mut wires: Vec<(String, bool)> = Vec::new();
        for v in variants {
            let wire = match value_in(v, &disc_name) {
                Some(w) => (w, false),
                None if named_by_name => (v.name.clone(), true),
                None => return None,
            };
            if wires.iter().any(|(w, _)| *w == wire.0) {
                return None;
            }
            wires.push(wire);
        }
        let name = self.claim_type_name(&format!("{}Item", key.name), parent, path);
        self.unions.push(name.clone());
        let slot = self.reserve();
        let variant_wires: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
        let camels: Vec<String> = variant_wires.iter().map(|w| naming::camel(w, "V")).collect();
        let idents = naming::unique_names(&camels, &variant_wires, &["Unrecognized"]);
        // Walked in element-name order (see `fields`), listed in schema order.
        let mut walk: Vec<usize> = (0..variants.len()).collect();
        walk.sort_by(|&a, &b| variants[a].name.cmp(&variants[b].name));
        let mut slots: Vec<Option<UnionVariant>> = vec![None; variants.len()];
        for i in walk {
            let (v, (wire, inferred), ident) = (&variants[i], wires[i].clone(), idents[i].clone());
            // `Settings` -> `WallpaperSetting`: keeps the plain name free for
            // a nested dictionary named like the variant.
            let singular = key.name.strip_suffix('s').unwrap_or(&key.name);
            let wanted = v
                .subkeytype
                .clone()
                .unwrap_or_else(|| format!("{}{}", naming::camel(&v.name, "T"), naming::camel(singular, "T")));
            let ty = self.claim_type_name(&wanted, &name, &format!("{path}/{}", v.name));
            let slot = self.reserve();
            self.open.push(ty.clone());
            let fields = self.fields(&ty, v.subkey_list(), &format!("{path}/{}/", v.name), Some(&disc_name));
            self.open.pop();
            let mut doc = self.type_doc(v, &format!("{path}/{}", v.name));
            doc.push(note(format!("Sent with `{disc_name}` = `{wire}`.")));
            if inferred {
                doc.push(note(format!(
                    "The schema lists no `{disc_name}` key for this element; as every other element's \
                     `{disc_name}` is its own name, this one's is taken to be `{wire}`."
                )));
            }
            // A variant's type is an element of the array (`Settings`).
            let array = wire_of_path(path);
            self.items[slot] = Some(Item::Struct(Struct { name: ty.clone(), wire: array, doc: doc.clone(), fields }));
            slots[i] = Some(UnionVariant { ident, wire, ty, doc });
        }
        let mut doc = vec![note(format!("One element of `{}`, chosen by its `{disc_name}` key.", key.name))];
        doc.push(note(format!(
            "An element whose `{disc_name}` this version does not know is kept whole in `Unrecognized`."
        )));
        doc.extend(self.avail.get(path).map(availability_doc));
        self.items[slot] = Some(Item::Union(Union {
            name: name.clone(),
            doc,
            discriminator: disc_name,
            variants: slots.into_iter().flatten().collect(),
        }));
        Some(Ty::Named(name))
    }

    fn string_enum(&mut self, key: &Key, parent: &str, path: &str) -> Ty {
        let name = self.claim_type_name(&key.name, parent, path);
        let bullets = bullet_docs(key.content.as_deref());
        // The listed values, then those the overrides file adds.
        let mut wires: Vec<(&str, Vec<Para>)> = key
            .rangelist
            .iter()
            .filter_map(|s| if let Scalar::Str(s) = s { Some(s.as_str()) } else { None })
            .map(|v| (v, bullets.get(v).cloned().map(Para::Schema).into_iter().collect()))
            .collect();
        if let Some(Action::ExtraValues(extra)) = self.rules.lookup(path) {
            for v in extra.iter().copied() {
                if !wires.iter().any(|(w, _)| *w == v) {
                    let doc = vec![note(format!("`{v}` (not in the schema's list; added by the overrides file)."))];
                    wires.push((v, doc));
                }
            }
        }
        let values: Vec<&str> = wires.iter().map(|(w, _)| *w).collect();
        let camels: Vec<String> = values.iter().map(|v| naming::camel(v, "Value")).collect();
        let idents = naming::unique_names(&camels, &values, &["Unrecognized"]);
        let variants = wires
            .into_iter()
            .zip(idents)
            .map(|((wire, doc), ident)| Variant { ident, wire: wire.to_owned(), doc })
            .collect();
        self.push_enum(name, key, path, Repr::String, variants)
    }

    fn integer_enum(&mut self, key: &Key, parent: &str, path: &str) -> Ty {
        let name = self.claim_type_name(&key.name, parent, path);
        let mut idents = Scope::with_reserved(&["Unrecognized"]);
        let bullets = bullet_docs(key.content.as_deref());
        let variants = key
            .rangelist
            .iter()
            .filter_map(|s| if let Scalar::Int(i) = s { Some(*i) } else { None })
            .map(|v| {
                let wire = v.to_string();
                Variant {
                    ident: idents.claim(&naming::integer_variant(v), None),
                    doc: bullets.get(wire.as_str()).cloned().map(Para::Schema).into_iter().collect(),
                    wire,
                }
            })
            .collect();
        self.push_enum(name, key, path, Repr::Integer, variants)
    }

    /// A string key whose subkeys are the allowed values (each documented).
    fn catalogue_enum(&mut self, key: &Key, parent: &str, path: &str) -> Ty {
        let name = self.claim_type_name(&key.name, parent, path);
        let values: Vec<&str> = key.subkey_list().iter().map(|v| v.name.as_str()).collect();
        let camels: Vec<String> = values.iter().map(|v| naming::camel(v, "Value")).collect();
        let idents = naming::unique_names(&camels, &values, &["Unrecognized"]);
        let variants = key
            .subkey_list()
            .iter()
            .zip(idents)
            .map(|(v, ident)| {
                // Each allowed value has its own availability (a query that
                // exists on macOS only, say).
                let mut doc = paragraphs(v.content.as_deref());
                doc.extend(self.avail.get(&format!("{path}/{}", v.name)).map(availability_doc));
                Variant { ident, wire: v.name.clone(), doc }
            })
            .collect();
        self.push_enum(name, key, path, Repr::String, variants)
    }

    fn push_enum(&mut self, name: String, key: &Key, path: &str, repr: Repr, variants: Vec<Variant>) -> Ty {
        let mut doc = vec![note(format!("The values of `{}`.", key.name))];
        doc.extend(paragraphs(key.content.as_deref()));
        doc.push(note("A value this version of the schema does not list is kept in `Unrecognized`."));
        doc.extend(self.avail.get(path).map(availability_doc));
        let wire = wire_of_path(path);
        self.items.push(Some(Item::Enum(Enum { name: name.clone(), wire, doc, repr, variants })));
        Ty::Named(name)
    }
}

/// Splits schema prose into paragraphs (blank-line separated).
pub fn paragraphs(text: Option<&str>) -> Vec<Para> {
    let Some(text) = text else { return Vec::new() };
    text.split("\n\n").map(|p| p.trim()).filter(|p| !p.is_empty()).map(|p| Para::Schema(p.to_owned())).collect()
}

/// A file's `notes`, each under a "Note" heading (its title when it has
/// one).
fn notes_doc(notes: &[crate::model::Note]) -> Vec<Para> {
    let mut doc = Vec::new();
    for n in notes {
        let title = n.title.trim();
        doc.push(note(if title.is_empty() {
            "**Note**".to_owned()
        } else {
            format!("**Note: {}**", crate::emit::sanitize(title))
        }));
        doc.extend(paragraphs(Some(&n.content)));
    }
    doc
}

/// `* 'value': meaning` bullets in a key's content, by value.
fn bullet_docs(text: Option<&str>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for line in text.unwrap_or_default().lines() {
        let line = line.trim_start().trim_start_matches(['*', '-']).trim_start();
        let Some(rest) = line.strip_prefix('\'') else { continue };
        let Some((value, meaning)) = rest.split_once('\'') else { continue };
        let meaning = meaning.trim_start_matches([':', ' ', '-']).trim();
        if !meaning.is_empty() {
            out.entry(value.to_owned()).or_insert_with(|| meaning.to_owned());
        }
    }
    out
}

fn key_doc(key: &Key) -> Vec<Para> {
    let mut doc = Vec::new();
    if let Some(t) = &key.title {
        doc.push(Para::Schema(t.clone()));
    }
    doc.extend(paragraphs(key.content.as_deref()));
    if doc.is_empty() {
        doc.push(note(format!("The `{}` dictionary.", key.name)));
    }
    doc
}

fn availability_doc(a: &avail::Availability) -> Para {
    note(format!("Availability:\n{}", avail::doc_lines(a).join("\n")))
}

fn field_doc(key: &Key, availability: Option<&avail::Availability>) -> Vec<Para> {
    let mut doc = vec![note(format!("`{}`", key.name))];
    if let Some(t) = &key.title {
        doc.push(Para::Schema(t.clone()));
    }
    doc.extend(paragraphs(key.content.as_deref()));
    let mut facts = vec![format!(
        "Schema type `<{}>`, {}",
        key.ty,
        match key.presence {
            Presence::Required => "required",
            Presence::Optional => "optional",
            Presence::Unspecified => "presence not stated",
        }
    )];
    if let Some(d) = &key.default {
        facts.push(format!("default `{}`", scalar_text(d)));
    }
    if let Some(r) = &key.range {
        if !key.rangelist.is_empty() {
            let listed: Vec<String> = key.rangelist.iter().map(|v| format!("`{}`", scalar_text(v))).collect();
            facts.push(format!("values {} or", listed.join(", ")));
        }
        facts.push(format!("range {}..={}", num(r.min), num(r.max)));
    }
    if let Some(f) = &key.format {
        facts.push(format!("format `{f}`"));
    }
    // The facts line stays last (emit relies on nothing else here).
    if let Some(a) = availability {
        doc.push(availability_doc(a));
    }
    doc.push(note(facts.join(", ") + "."));
    doc
}

fn num(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A scalar as text.
pub fn scalar_text(s: &Scalar) -> String {
    match s {
        Scalar::Null => "null".to_owned(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Real(r) => r.to_string(),
        Scalar::Str(s) => s.clone(),
    }
}
