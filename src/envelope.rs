//! The command envelope, which the schema leaves out.
//!
//! A command on the wire is
//! `{CommandUUID, Command: {RequestType, ...payload}}`; a device's reply is
//! one flat dictionary holding `Status`, `CommandUUID`, `ErrorChain`, the
//! identity keys (`UDID`, `EnrollmentID`, ...) and the response keys of the
//! command. [`Command`] and [`CommandResponse`] model both, generic over the
//! generated payload and response types.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};

use crate::extra::Extra;
use crate::record::{
    Decoded, FieldValue, KeyMatch, KeySeed, Record, decode_opt, encode_extra, encode_opt, field_deviations,
    record_deviations,
};
use crate::value::{Deviation, KeyPath, ValueKind};

/// A generated request type: the payload of one `RequestType`.
pub trait Request: Record {
    /// The `RequestType` value.
    const REQUEST_TYPE: &'static str;
    /// The body of the device's reply to this command.
    type Response: Record;
    /// The command's schema: availability and key tables.
    fn schema() -> &'static crate::availability::SchemaFile;

    /// Decodes a whole [`Command`] holding this request. Generic here;
    /// the generated requests override it with `__document!(command)`, so
    /// that it is compiled once, in this crate.
    #[doc(hidden)]
    fn decode_command_document(
        bytes: &[u8],
        mode: crate::DecodeMode,
        json: bool,
    ) -> Result<Command<Self>, crate::Error> {
        crate::format::document::<Command<Self>>(bytes, mode, json)
    }
}

/// What can sit in a command's `Command` dictionary: a generated request
/// type, or [`crate::commands::AnyRequest`] for any of them.
pub trait CommandPayload: Sized {
    /// The `RequestType` this payload is sent with.
    fn request_type(&self) -> &str;

    #[doc(hidden)]
    fn decode_command<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;

    #[doc(hidden)]
    fn encode_command<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;

    /// The `Command` dictionary as [`CommandPayload::encode_command`]
    /// writes it, in place (what validation reads).
    #[doc(hidden)]
    fn view_command(&self) -> crate::view::View<'_>;

    /// Decodes a whole [`Command`] holding this payload (see
    /// [`FieldValue::decode_document`]): through [`Request`] for one
    /// request type, compiled in this crate for `AnyRequest`.
    #[doc(hidden)]
    fn decode_command_document(
        bytes: &[u8],
        mode: crate::DecodeMode,
        json: bool,
    ) -> Result<Command<Self>, crate::Error>;

    /// Lists the deviations in the payload.
    fn payload_deviations(&self, path: &mut KeyPath, out: &mut Vec<Deviation>);

    /// What a command without a `Command` dictionary holds (lenient
    /// decoding; it is not written back).
    #[doc(hidden)]
    fn absent() -> Self;

    /// The command's schema: availability and key tables (`None` for a
    /// request type the schema does not have).
    fn schema_file(&self) -> Option<&'static crate::availability::SchemaFile> {
        crate::availability::command_schema(self.request_type())
    }
}

const REQUEST_TYPE_KEY: &str = "RequestType";

impl<P: Request> CommandPayload for P {
    fn request_type(&self) -> &str {
        P::REQUEST_TYPE
    }

    fn decode_command<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        crate::record::decode_record(map, Some((REQUEST_TYPE_KEY, P::REQUEST_TYPE)))
    }

    fn encode_command<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        crate::record::encode_record(self, map, Some((REQUEST_TYPE_KEY, P::REQUEST_TYPE)))
    }

    fn view_command(&self) -> crate::view::View<'_> {
        crate::view::View::Record(self, Some(const { &(REQUEST_TYPE_KEY, P::REQUEST_TYPE) }))
    }

    fn decode_command_document(
        bytes: &[u8],
        mode: crate::DecodeMode,
        json: bool,
    ) -> Result<Command<Self>, crate::Error> {
        <P as Request>::decode_command_document(bytes, mode, json)
    }

    fn payload_deviations(&self, path: &mut KeyPath, out: &mut Vec<Deviation>) {
        record_deviations(self, path, out)
    }

    fn absent() -> Self {
        P::default()
    }

    fn schema_file(&self) -> Option<&'static crate::availability::SchemaFile> {
        Some(P::schema())
    }
}

/// An MDM command: `{CommandUUID, Command: {RequestType, ...}}`.
///
/// ```
/// use apple_device_management::{Command, commands::InstallApplication};
///
/// let mut app = InstallApplication::default();
/// app.itunes_store_id = Some(361309726);
/// let cmd = Command::new("0001-install", app);
/// let xml = apple_device_management::to_plist_xml(&cmd).unwrap();
/// assert!(xml.contains("<string>InstallApplication</string>"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Command<P> {
    /// `CommandUUID`: the server's identifier for the command.
    pub command_uuid: String,
    /// `Command`: the request, with its `RequestType`.
    pub command: P,
    /// Top-level keys other than `CommandUUID` and `Command`, kept as
    /// received; `CommandUUID` or `Command` when absent (lenient decoding).
    pub extra: Extra,
}

impl<P: CommandPayload> Command<P> {
    /// A command with the given UUID and payload.
    pub fn new(command_uuid: impl Into<String>, command: P) -> Command<P> {
        Command { command_uuid: command_uuid.into(), command, extra: Extra::new() }
    }

    /// A command with a fresh random `CommandUUID` (a version 4 UUID in
    /// capitals, as Apple's tools write them).
    ///
    /// ```
    /// use apple_device_management::Command;
    /// use apple_device_management::commands::DeviceLock;
    ///
    /// let a = Command::with_new_uuid(DeviceLock::default());
    /// let b = Command::with_new_uuid(DeviceLock::default());
    /// assert_eq!(a.command_uuid.len(), 36);
    /// assert_ne!(a.command_uuid, b.command_uuid);
    /// ```
    #[cfg(feature = "uuid")]
    pub fn with_new_uuid(command: P) -> Command<P> {
        let id = uuid::Uuid::new_v4().hyphenated().encode_upper(&mut uuid::Uuid::encode_buffer()).to_owned();
        Command::new(id, command)
    }

    /// The `RequestType` of the payload.
    pub fn request_type(&self) -> &str {
        self.command.request_type()
    }
}

struct PayloadSeed<P>(PhantomData<P>);

impl<'de, P: CommandPayload> de::DeserializeSeed<'de> for PayloadSeed<P> {
    type Value = P;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<P, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, P: CommandPayload> Visitor<'de> for PayloadSeed<P> {
    type Value = P;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Command dictionary")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<P, A::Error> {
        P::decode_command(map)
    }
}

/// Serialises a payload as its `Command` dictionary (with `RequestType`).
pub(crate) struct PayloadRef<'a, P>(pub(crate) &'a P);

impl<P: CommandPayload> serde::Serialize for PayloadRef<'_, P> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        self.0.encode_command(&mut map)?;
        map.end()
    }
}

impl<P: CommandPayload> serde::Serialize for Command<P> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        crate::record::encode_req(&mut map, "CommandUUID", &self.command_uuid, &self.extra)?;
        if !self.extra.is_absent("Command") {
            map.serialize_entry("Command", &PayloadRef(&self.command))?;
        }
        encode_extra(&mut map, &self.extra)?;
        map.end()
    }
}

/// The entries as `Serialize` writes them.
impl<P: CommandPayload> crate::view::MapView for Command<P> {
    fn count(&self) -> usize {
        self.entries().count()
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&str, crate::view::View<'_>)> + '_> {
        let uuid = crate::view::view_req(&self.command_uuid, &self.extra, "CommandUUID").map(|v| ("CommandUUID", v));
        let command = (!self.extra.is_absent("Command")).then(|| ("Command", self.command.view_command()));
        Box::new(uuid.into_iter().chain(command).chain(crate::view::dict_entries(&self.extra)))
    }
}

impl<P: CommandPayload> FieldValue for Command<P> {
    const KIND: ValueKind = ValueKind::Dictionary;

    fn view(&self) -> crate::view::View<'_> {
        crate::view::View::Map(self)
    }

    fn decode_document(bytes: &[u8], mode: crate::DecodeMode, json: bool) -> Result<Self, crate::Error> {
        P::decode_command_document(bytes, mode, json)
    }

    fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Decoded<Self>, A::Error> {
        let mut uuid = None;
        let mut command = None;
        let mut extra = Extra::new();
        let matcher = |k: &str| match k {
            "CommandUUID" => Some(0),
            "Command" => Some(1),
            _ => None,
        };
        while let Some(key) = map.next_key_seed(KeySeed(matcher))? {
            match key {
                KeyMatch::Known(0) => decode_opt(&mut map, &mut uuid, &mut extra, "CommandUUID")?,
                KeyMatch::Known(_) => command = Some(map.next_value_seed(PayloadSeed::<P>(PhantomData))?),
                KeyMatch::Unknown(k) => {
                    extra.insert(k, crate::record::raw_value(&mut map)?);
                }
            }
        }
        if uuid.is_none() && !extra.contains_key("CommandUUID") {
            extra.mark_absent("CommandUUID");
        }
        let command = match command {
            Some(c) => c,
            None => {
                extra.mark_absent("Command");
                P::absent()
            }
        };
        Ok(Decoded::Typed(Command { command_uuid: uuid.unwrap_or_default(), command, extra }))
    }

    fn collect_deviations(&self, path: &mut KeyPath, out: &mut Vec<Deviation>) {
        const KEYS: &[&str] = &["CommandUUID", "Command"];
        crate::record::extra_deviations(
            &self.extra,
            KEYS,
            &[ValueKind::String, ValueKind::Dictionary],
            |k| KEYS.iter().position(|x| *x == k),
            path,
            out,
        );
        if !self.extra.is_absent("Command") {
            path.push_key("Command");
            self.command.payload_deviations(path, out);
            path.pop();
        }
    }
}

impl<'de, P: CommandPayload> serde::Deserialize<'de> for Command<P> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::record::strict(d)
    }
}

/// One entry of a response's `ErrorChain`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ErrorChainItem {
    /// `ErrorCode`
    pub error_code: Option<i64>,
    /// `ErrorDomain`
    pub error_domain: Option<String>,
    /// `LocalizedDescription`
    pub localized_description: Option<String>,
    /// `USEnglishDescription`
    pub us_english_description: Option<String>,
    /// Other keys, kept as received.
    pub extra: Extra,
}

impl Record for ErrorChainItem {
    const KEYS: &'static [&'static str] = &["ErrorCode", "ErrorDomain", "LocalizedDescription", "USEnglishDescription"];
    const KINDS: &'static [ValueKind] = &[ValueKind::Integer, ValueKind::String, ValueKind::String, ValueKind::String];

    fn key_index(key: &str) -> Option<usize> {
        Self::KEYS.iter().position(|k| *k == key)
    }

    fn decode_field<'de, A: MapAccess<'de>>(&mut self, index: usize, map: &mut A) -> Result<(), A::Error> {
        let extra = &mut self.extra;
        match index {
            0 => decode_opt(map, &mut self.error_code, extra, Self::KEYS[0]),
            1 => decode_opt(map, &mut self.error_domain, extra, Self::KEYS[1]),
            2 => decode_opt(map, &mut self.localized_description, extra, Self::KEYS[2]),
            _ => decode_opt(map, &mut self.us_english_description, extra, Self::KEYS[3]),
        }
    }

    fn encode_fields<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        encode_opt(map, Self::KEYS[0], &self.error_code)?;
        encode_opt(map, Self::KEYS[1], &self.error_domain)?;
        encode_opt(map, Self::KEYS[2], &self.localized_description)?;
        encode_opt(map, Self::KEYS[3], &self.us_english_description)
    }

    fn view_field(&self, index: usize) -> Option<crate::view::View<'_>> {
        use crate::view::view_opt;
        match index {
            0 => view_opt(&self.error_code),
            1 => view_opt(&self.error_domain),
            2 => view_opt(&self.localized_description),
            3 => view_opt(&self.us_english_description),
            _ => None,
        }
    }

    fn extra(&self) -> &Extra {
        &self.extra
    }

    fn extra_mut(&mut self) -> &mut Extra {
        &mut self.extra
    }
}
crate::__record_serde!(ErrorChainItem);

impl fmt::Display for ErrorChainItem {
    /// Prefers the English description, as Apple's own tools do.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.us_english_description.as_deref().or(self.localized_description.as_deref());
        write!(
            f,
            "{} {}: {}",
            self.error_domain.as_deref().unwrap_or("(no domain)"),
            self.error_code.map_or_else(|| "?".to_owned(), |c| c.to_string()),
            text.unwrap_or("(no description)")
        )
    }
}

/// `Status` of a device's reply.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CommandStatus {
    /// The device processed the command successfully.
    Acknowledged,
    /// An error occurred; see `ErrorChain`.
    Error,
    /// The command was malformed.
    CommandFormatError,
    /// The device is idle: no command result, asking for the next command.
    Idle,
    /// The device could not process the command now and will check in
    /// again later.
    NotNow,
    /// A status this version of the crate does not know, kept as received.
    Unrecognized(String),
}
crate::__string_enum!(CommandStatus {
    Acknowledged => "Acknowledged",
    Error => "Error",
    CommandFormatError => "CommandFormatError",
    Idle => "Idle",
    NotNow => "NotNow",
});

/// A response body for commands whose schema has no response keys: every
/// key the device sends is kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct EmptyResponse {
    /// Keys the device sent, as received.
    pub extra: Extra,
}

impl Record for EmptyResponse {
    const KEYS: &'static [&'static str] = &[];
    const KINDS: &'static [ValueKind] = &[];
    crate::__document!(reply);
    fn key_index(_: &str) -> Option<usize> {
        None
    }
    fn decode_field<'de, A: MapAccess<'de>>(&mut self, _: usize, _: &mut A) -> Result<(), A::Error> {
        Ok(())
    }
    fn encode_fields<M: SerializeMap>(&self, _: &mut M) -> Result<(), M::Error> {
        Ok(())
    }
    fn view_field(&self, _: usize) -> Option<crate::view::View<'_>> {
        None
    }
    fn extra(&self) -> &Extra {
        &self.extra
    }
    fn extra_mut(&mut self) -> &mut Extra {
        &mut self.extra
    }
}
crate::__record_serde!(EmptyResponse);

/// What can be the body of a [`CommandResponse`]: any generated response
/// type, or [`crate::commands::AnyResponse`].
pub trait ResponseBody {
    #[doc(hidden)]
    fn encode_body<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error>;
    /// Keys of the reply that neither the envelope nor the body knows.
    fn body_extra(&self) -> &plist::Dictionary;
    /// Lists the deviations in the body.
    fn body_deviations(&self, path: &mut KeyPath, out: &mut Vec<Deviation>);
    /// The body's entries as [`ResponseBody::encode_body`] writes them, in
    /// place: what validation reads.
    #[doc(hidden)]
    fn body_entries(&self) -> Box<dyn Iterator<Item = (&str, crate::view::View<'_>)> + '_>;
    /// The `RequestType` of the command this body answers, when its type
    /// says (a variant of [`crate::commands::AnyResponse`]).
    #[doc(hidden)]
    fn body_request_type(&self) -> Option<&'static str> {
        None
    }
}

impl<B: Record> ResponseBody for B {
    fn encode_body<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        self.encode_fields(map)?;
        encode_extra(map, self.extra())
    }
    fn body_extra(&self) -> &plist::Dictionary {
        self.extra()
    }
    fn body_deviations(&self, path: &mut KeyPath, out: &mut Vec<Deviation>) {
        record_deviations(self, path, out)
    }
    fn body_entries(&self) -> Box<dyn Iterator<Item = (&str, crate::view::View<'_>)> + '_> {
        Box::new(crate::view::record_entries(self, None))
    }
}

/// A device's reply to a command: the envelope keys plus the typed body.
///
/// The envelope (`Status`, `CommandUUID`, the enrollment identifiers,
/// `ErrorChain`) is in every reply. The command's response keys are in
/// [`CommandResponse::body`], which is `Some` for every `Acknowledged`
/// reply and, for the other statuses (`NotNow`, `Error`,
/// `CommandFormatError`, `Idle`), only when the device sent keys beyond
/// the envelope: a locked iPhone's `NotNow` reply to `DeviceInformation`
/// has no `QueryResponses`, and decodes with `body: None`.
///
/// Keys the schema marks required in the response are checked only in an
/// `Acknowledged` reply (a missing one is a [`Deviation`] leniently, an
/// error strictly). In a reply of another status they may be absent, and
/// are then not written back either: encoding never invents a key.
///
/// Keys that are neither envelope keys nor response keys of the command go
/// to the body's `extra` dictionary, and are written back from there.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct CommandResponse<B> {
    /// `Status` (`Unrecognized("")` when the reply had none, or one that
    /// was not a string; see [`CommandResponse::extra`]).
    pub status: CommandStatus,
    /// `CommandUUID` (absent in `Idle` replies).
    pub command_uuid: Option<String>,
    /// `ErrorChain`, when `Status` is `Error`.
    pub error_chain: Option<Vec<ErrorChainItem>>,
    /// `UDID`: the device's identifier (device channel, device enrollment).
    pub udid: Option<String>,
    /// `EnrollmentID`: the device's identifier under user enrollment.
    pub enrollment_id: Option<String>,
    /// `EnrollmentUserID`: the user's identifier under user enrollment.
    pub enrollment_user_id: Option<String>,
    /// `UserID`: the user's identifier (user channel).
    pub user_id: Option<String>,
    /// `UserShortName` (user channel, macOS).
    pub user_short_name: Option<String>,
    /// `UserLongName` (user channel, macOS).
    pub user_long_name: Option<String>,
    /// `NotOnConsole`: the user is not logged in at the console (macOS).
    pub not_on_console: Option<bool>,
    /// `RequestType`: some devices and servers echo it in the reply.
    pub request_type: Option<String>,
    /// The command-specific response keys: `Some` for every `Acknowledged`
    /// reply; for other statuses only when the reply has keys beyond the
    /// envelope.
    pub body: Option<B>,
    /// Envelope keys whose value had the wrong kind, kept raw and written
    /// back unchanged; `Status` when the reply had none.
    pub extra: Extra,
}

/// The keys of a reply that belong to the envelope, not to the command's
/// response keys.
pub const RESPONSE_ENVELOPE_KEYS: &[&str] = &[
    "Status",
    "CommandUUID",
    "ErrorChain",
    "UDID",
    "EnrollmentID",
    "EnrollmentUserID",
    "UserID",
    "UserShortName",
    "UserLongName",
    "NotOnConsole",
    "RequestType",
];
const ENVELOPE_KINDS: &[ValueKind] = &[
    ValueKind::String,
    ValueKind::String,
    ValueKind::Array,
    ValueKind::String,
    ValueKind::String,
    ValueKind::String,
    ValueKind::String,
    ValueKind::String,
    ValueKind::String,
    ValueKind::Boolean,
    ValueKind::String,
];
const BODY_OFFSET: usize = 64;

impl<B> CommandResponse<B> {
    /// The same envelope with another body.
    pub fn map_body<C>(self, f: impl FnOnce(B) -> C) -> CommandResponse<C> {
        CommandResponse {
            status: self.status,
            command_uuid: self.command_uuid,
            error_chain: self.error_chain,
            udid: self.udid,
            enrollment_id: self.enrollment_id,
            enrollment_user_id: self.enrollment_user_id,
            user_id: self.user_id,
            user_short_name: self.user_short_name,
            user_long_name: self.user_long_name,
            not_on_console: self.not_on_console,
            request_type: self.request_type,
            body: self.body.map(f),
            extra: self.extra,
        }
    }

    /// True when `Status` is `Acknowledged`.
    pub fn is_acknowledged(&self) -> bool {
        self.status == CommandStatus::Acknowledged
    }

    /// True when `Status` is `NotNow`: the device will check in again
    /// later and the command should stay queued.
    pub fn is_not_now(&self) -> bool {
        self.status == CommandStatus::NotNow
    }

    /// The body of an `Acknowledged` reply; `None` for any other status.
    pub fn acknowledged_body(&self) -> Option<&B> {
        if self.is_acknowledged() { self.body.as_ref() } else { None }
    }

    /// The enrollment's identifier: `UDID`, else `EnrollmentID` (user
    /// enrollment).
    pub fn device_id(&self) -> Option<&str> {
        self.udid.as_deref().or(self.enrollment_id.as_deref())
    }

    /// A one-line summary of the error chain, if there is one.
    pub fn error_summary(&self) -> Option<String> {
        let chain = self.error_chain.as_ref()?;
        Some(chain.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
    }
}

/// The entries as `Serialize` writes them: the envelope, the body, then
/// `extra`.
impl<B: ResponseBody> crate::view::MapView for CommandResponse<B> {
    fn count(&self) -> usize {
        self.entries().count()
    }
    fn entries(&self) -> Box<dyn Iterator<Item = (&str, crate::view::View<'_>)> + '_> {
        use crate::view::view_opt;
        let absent = self.extra.is_absent(STATUS) && self.status.as_str().is_empty();
        let status = (!absent && !self.extra.contains_key(STATUS)).then(|| (STATUS, self.status.view()));
        let envelope = [
            ("CommandUUID", view_opt(&self.command_uuid)),
            ("ErrorChain", view_opt(&self.error_chain)),
            ("UDID", view_opt(&self.udid)),
            ("EnrollmentID", view_opt(&self.enrollment_id)),
            ("EnrollmentUserID", view_opt(&self.enrollment_user_id)),
            ("UserID", view_opt(&self.user_id)),
            ("UserShortName", view_opt(&self.user_short_name)),
            ("UserLongName", view_opt(&self.user_long_name)),
            ("NotOnConsole", view_opt(&self.not_on_console)),
            ("RequestType", view_opt(&self.request_type)),
        ];
        let body = self.body.iter().flat_map(|b| b.body_entries());
        Box::new(
            status
                .into_iter()
                .chain(envelope.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))))
                .chain(body)
                .chain(crate::view::dict_entries(&self.extra)),
        )
    }
}

impl<B: Record> FieldValue for CommandResponse<B> {
    const KIND: ValueKind = ValueKind::Dictionary;

    fn view(&self) -> crate::view::View<'_> {
        crate::view::View::Map(self)
    }
    /// Devices send replies: decoded leniently by default.
    const DEFAULT_MODE: crate::DecodeMode = crate::DecodeMode::Lenient;

    fn decode_document(bytes: &[u8], mode: crate::DecodeMode, json: bool) -> Result<Self, crate::Error> {
        B::decode_reply_document(bytes, mode, json)
    }

    fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Decoded<Self>, A::Error> {
        let mut out = CommandResponse::<B>::default();
        let mut body = B::default();
        let (mut has_body, mut status) = (false, None);
        let mut seen = crate::record::Seen::default();
        let matcher = |k: &str| {
            RESPONSE_ENVELOPE_KEYS.iter().position(|e| *e == k).or_else(|| B::key_index(k).map(|i| i + BODY_OFFSET))
        };
        while let Some(key) = map.next_key_seed(KeySeed(matcher))? {
            let i = match key {
                KeyMatch::Known(i) => i,
                KeyMatch::Unknown(k) => {
                    body.extra_mut().insert(k, crate::record::raw_value(&mut map)?);
                    has_body = true;
                    continue;
                }
            };
            if i >= BODY_OFFSET {
                seen.mark(B::REQUIRED, i - BODY_OFFSET);
                body.decode_field(i - BODY_OFFSET, &mut map)?;
                has_body = true;
                continue;
            }
            let extra = &mut out.extra;
            let key = RESPONSE_ENVELOPE_KEYS[i];
            match i {
                0 => decode_opt(&mut map, &mut status, extra, key)?,
                1 => decode_opt(&mut map, &mut out.command_uuid, extra, key)?,
                2 => decode_opt(&mut map, &mut out.error_chain, extra, key)?,
                3 => decode_opt(&mut map, &mut out.udid, extra, key)?,
                4 => decode_opt(&mut map, &mut out.enrollment_id, extra, key)?,
                5 => decode_opt(&mut map, &mut out.enrollment_user_id, extra, key)?,
                6 => decode_opt(&mut map, &mut out.user_id, extra, key)?,
                7 => decode_opt(&mut map, &mut out.user_short_name, extra, key)?,
                8 => decode_opt(&mut map, &mut out.user_long_name, extra, key)?,
                9 => decode_opt(&mut map, &mut out.not_on_console, extra, key)?,
                _ => decode_opt(&mut map, &mut out.request_type, extra, key)?,
            }
        }
        out.status = match status {
            Some(s) => s,
            None => {
                if !out.extra.contains_key(STATUS) {
                    out.extra.mark_absent(STATUS);
                }
                CommandStatus::Unrecognized(String::new())
            }
        };
        if has_body || out.is_acknowledged() {
            // Absent required keys are never written back; they are
            // deviations only in an Acknowledged reply.
            seen.mark_absent::<B>(body.extra_mut());
            out.body = Some(body);
        }
        Ok(Decoded::Typed(out))
    }

    fn collect_deviations(&self, path: &mut KeyPath, out: &mut Vec<Deviation>) {
        response_deviations(self, path, out)
    }
}

const STATUS: &str = "Status";

fn response_deviations<B: ResponseBody>(r: &CommandResponse<B>, path: &mut KeyPath, out: &mut Vec<Deviation>) {
    // Wrong-kind envelope values, and an absent Status.
    crate::record::extra_deviations(
        &r.extra,
        RESPONSE_ENVELOPE_KEYS,
        ENVELOPE_KINDS,
        |k| RESPONSE_ENVELOPE_KEYS.iter().position(|x| *x == k),
        path,
        out,
    );
    field_deviations(&r.error_chain, "ErrorChain", path, out);
    if let Some(body) = &r.body {
        let start = out.len();
        body.body_deviations(path, out);
        if !r.is_acknowledged() {
            // Response keys are required only in an Acknowledged reply.
            let depth = path.0.len() + 1;
            let mut i = start;
            while i < out.len() {
                if out[i].is_missing() && out[i].path.0.len() == depth {
                    out.remove(i);
                } else {
                    i += 1;
                }
            }
        }
    }
}

impl<B: ResponseBody> serde::Serialize for CommandResponse<B> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        // A wrong-kind Status is kept in extra and written from there; an
        // absent one is not invented.
        let absent = self.extra.is_absent(STATUS) && self.status.as_str().is_empty();
        if !absent && !self.extra.contains_key(STATUS) {
            map.serialize_entry(STATUS, &self.status)?;
        }
        encode_opt(&mut map, "CommandUUID", &self.command_uuid)?;
        encode_opt(&mut map, "ErrorChain", &self.error_chain)?;
        encode_opt(&mut map, "UDID", &self.udid)?;
        encode_opt(&mut map, "EnrollmentID", &self.enrollment_id)?;
        encode_opt(&mut map, "EnrollmentUserID", &self.enrollment_user_id)?;
        encode_opt(&mut map, "UserID", &self.user_id)?;
        encode_opt(&mut map, "UserShortName", &self.user_short_name)?;
        encode_opt(&mut map, "UserLongName", &self.user_long_name)?;
        encode_opt(&mut map, "NotOnConsole", &self.not_on_console)?;
        encode_opt(&mut map, "RequestType", &self.request_type)?;
        if let Some(body) = &self.body {
            body.encode_body(&mut map)?;
        }
        encode_extra(&mut map, &self.extra)?;
        map.end()
    }
}

impl<'de, B: Record> serde::Deserialize<'de> for CommandResponse<B> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::record::strict(d)
    }
}

impl<B: ResponseBody> CommandResponse<B> {
    /// Lists the departures from the schema (kept by lenient decoding),
    /// envelope and body. Works for any body, including
    /// [`crate::commands::AnyResponse`].
    pub fn deviations(&self) -> Vec<Deviation> {
        let mut out = Vec::new();
        response_deviations(self, &mut KeyPath::root(), &mut out);
        out
    }
}

/// A reply whose envelope is decoded and whose other keys are kept raw (in
/// the body's `extra`): read `Status`, `CommandUUID` and the enrollment
/// identifiers first, find the command the `CommandUUID` answers, then
/// decode the body by its `RequestType` with [`RawResponse::decode_body`]
/// (or `commands::decode_raw_response`), without parsing the bytes again.
///
/// ```
/// use apple_device_management::{RawResponse, CommandStatus, DecodeMode};
/// use apple_device_management::commands::InstallApplicationResponse;
///
/// let bytes = br#"<plist version="1.0"><dict>
///   <key>CommandUUID</key><string>0001</string>
///   <key>Status</key><string>Acknowledged</string>
///   <key>UDID</key><string>00008030-000A1C2E0C38802E</string>
///   <key>Identifier</key><string>com.example.app</string>
///   <key>State</key><string>Installed</string>
/// </dict></plist>"#;
/// let raw: RawResponse = apple_device_management::from_plist(bytes)?;
/// assert_eq!((raw.status.clone(), raw.command_uuid.as_deref()), (CommandStatus::Acknowledged, Some("0001")));
/// // ...look the command up by its UUID: it was an InstallApplication...
/// let typed = raw.decode_body::<InstallApplicationResponse>(DecodeMode::Lenient)?;
/// assert_eq!(typed.body.unwrap().identifier.as_deref(), Some("com.example.app"));
/// # Ok::<(), apple_device_management::Error>(())
/// ```
pub type RawResponse = CommandResponse<EmptyResponse>;

impl CommandResponse<EmptyResponse> {
    /// Decodes the body's keys as `B`, with the same rules as decoding the
    /// whole reply as `CommandResponse<B>` (required keys checked only in
    /// an `Acknowledged` reply; `mode` decides whether a departure from the
    /// schema is kept or an error).
    pub fn decode_body<B: Record>(&self, mode: crate::DecodeMode) -> Result<CommandResponse<B>, crate::Error> {
        let value = crate::to_plist_value(self)?;
        crate::format::from_value_with(&value, mode)
    }
}
