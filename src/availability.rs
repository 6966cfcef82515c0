//! Which commands and keys work on which device.
//!
//! Apple's schema says, per OS, when each command and key was introduced,
//! deprecated or removed, on which channel it works, whether it needs
//! supervision, ADE (DEP) or user-approved MDM, and how it behaves under
//! user enrollment and on shared iPad. The generator resolves the
//! inheritance rules (a key inherits from its parent per OS and per field,
//! and never becomes available where its parent is not) into static
//! tables; this module is the one checker that reads them.
//!
//! ```
//! use apple_device_management::availability::{Channel, Platform, Target, Unsupported, command_support};
//!
//! let mac = Target::new(Platform::MacOS, "10.13.6".parse().unwrap());
//! assert!(command_support("InstallEnterpriseApplication", &mac).unwrap().is_supported());
//!
//! let user_channel = mac.clone().with_channel(Channel::User);
//! let support = command_support("InstallEnterpriseApplication", &user_channel).unwrap();
//! assert_eq!(support.unsupported(), Some(&Unsupported::Channel(Channel::User)));
//! ```

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use crate::value::{KeyPath, ValueKind};

/// An Apple operating system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Platform {
    /// iOS and iPadOS.
    IOS,
    /// macOS.
    MacOS,
    /// tvOS.
    TvOS,
    /// visionOS.
    VisionOS,
    /// watchOS.
    WatchOS,
}

impl Platform {
    /// Every platform, in the schema's order.
    pub const ALL: [Platform; 5] =
        [Platform::IOS, Platform::MacOS, Platform::TvOS, Platform::VisionOS, Platform::WatchOS];

    /// The schema's name: `iOS`, `macOS`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::IOS => "iOS",
            Platform::MacOS => "macOS",
            Platform::TvOS => "tvOS",
            Platform::VisionOS => "visionOS",
            Platform::WatchOS => "watchOS",
        }
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Platform::IOS => 0,
            Platform::MacOS => 1,
            Platform::TvOS => 2,
            Platform::VisionOS => 3,
            Platform::WatchOS => 4,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A platform name that is not one of the five.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown platform `{0}` (expected iOS, macOS, tvOS, visionOS or watchOS)")]
pub struct UnknownPlatform(pub String);

impl FromStr for Platform {
    type Err = UnknownPlatform;
    /// Case-insensitive; `iPadOS` is iOS.
    fn from_str(s: &str) -> Result<Platform, UnknownPlatform> {
        match s.to_ascii_lowercase().as_str() {
            "ios" | "ipados" => Ok(Platform::IOS),
            "macos" | "osx" => Ok(Platform::MacOS),
            "tvos" => Ok(Platform::TvOS),
            "visionos" | "xros" => Ok(Platform::VisionOS),
            "watchos" => Ok(Platform::WatchOS),
            _ => Err(UnknownPlatform(s.to_owned())),
        }
    }
}

/// An OS version: `10.13.6`, `17.4`, `18` (= `18.0`). Ordered by
/// component, so `10.13.6 > 10.13` and `18 == 18.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct OsVersion {
    /// Major version.
    pub major: u16,
    /// Minor version (0 when absent).
    pub minor: u16,
    /// Patch version (0 when absent).
    pub patch: u16,
}

impl OsVersion {
    /// A version from its parts.
    pub const fn new(major: u16, minor: u16, patch: u16) -> OsVersion {
        OsVersion { major, minor, patch }
    }
}

impl fmt::Display for OsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.patch == 0 {
            write!(f, "{}.{}", self.major, self.minor)
        } else {
            write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
        }
    }
}

/// Text that is not an OS version (`n/a` included: it means "not
/// available", not a version).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an OS version (expected e.g. 17.4 or 10.13.6)")]
pub struct InvalidVersion(pub String);

impl FromStr for OsVersion {
    type Err = InvalidVersion;
    fn from_str(s: &str) -> Result<OsVersion, InvalidVersion> {
        let err = || InvalidVersion(s.to_owned());
        let mut parts = s.trim().split('.');
        let mut next = |required: bool| -> Result<u16, InvalidVersion> {
            match parts.next() {
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().map_err(|_| err()),
                None if !required => Ok(0),
                _ => Err(err()),
            }
        };
        let v = OsVersion { major: next(true)?, minor: next(false)?, patch: next(false)? };
        if parts.next().is_some() {
            return Err(err());
        }
        Ok(v)
    }
}

/// The MDM channel a command is sent on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Channel {
    /// The device channel.
    Device,
    /// The user channel (macOS users, shared iPad users).
    User,
}

/// How the device is enrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Enrollment {
    /// Device enrollment by a profile or by the user (not ADE).
    Device,
    /// Automated Device Enrollment (DEP, Apple School / Business Manager).
    Automated,
    /// User Enrollment (personal devices, managed Apple ID).
    User,
    /// Local enrollment: declarative management without an MDM server
    /// (the schema's `allowed-enrollments: local`).
    Local,
}

/// A device (and channel) a command is meant for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Target {
    /// The OS.
    pub platform: Platform,
    /// Its version.
    pub version: OsVersion,
    /// The channel the command goes to.
    pub channel: Channel,
    /// The device is supervised.
    pub supervised: bool,
    /// How it is enrolled.
    pub enrollment: Enrollment,
    /// A shared iPad.
    pub shared_ipad: bool,
    /// The MDM enrollment is user-approved (macOS).
    pub user_approved_mdm: bool,
}

impl Target {
    /// A device-channel target: unsupervised, device enrollment, not a
    /// shared iPad, MDM not user-approved.
    pub fn new(platform: Platform, version: OsVersion) -> Target {
        Target {
            platform,
            version,
            channel: Channel::Device,
            supervised: false,
            enrollment: Enrollment::Device,
            shared_ipad: false,
            user_approved_mdm: false,
        }
    }

    /// The same target on another channel.
    pub fn with_channel(mut self, channel: Channel) -> Target {
        self.channel = channel;
        self
    }

    /// The same target, supervised or not.
    pub fn supervised(mut self, supervised: bool) -> Target {
        self.supervised = supervised;
        self
    }

    /// The same target with another enrollment.
    pub fn with_enrollment(mut self, enrollment: Enrollment) -> Target {
        self.enrollment = enrollment;
        self
    }

    /// The same target, a shared iPad or not.
    pub fn shared_ipad(mut self, shared: bool) -> Target {
        self.shared_ipad = shared;
        self
    }

    /// The same target, with user-approved MDM or not.
    pub fn user_approved_mdm(mut self, approved: bool) -> Target {
        self.user_approved_mdm = approved;
        self
    }

    /// The enrollment type declarative management names in
    /// `allowed-enrollments`: `user`, `local`, else `supervised` for a
    /// supervised device and `device` for an unsupervised one.
    pub fn declarative_enrollment(&self) -> &'static str {
        match self.enrollment {
            Enrollment::User => "user",
            Enrollment::Local => "local",
            Enrollment::Device | Enrollment::Automated if self.supervised => "supervised",
            Enrollment::Device | Enrollment::Automated => "device",
        }
    }

    /// The scope declarative management names in `allowed-scopes`: the
    /// device channel is `system`, the user channel `user`.
    pub fn declarative_scope(&self) -> &'static str {
        match self.channel {
            Channel::Device => "system",
            Channel::User => "user",
        }
    }
}

/// How a key or payload behaves under user enrollment or on shared iPad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Behavior {
    /// Usable with or without it.
    Allowed,
    /// Usable, but ignored with it.
    Ignored,
    /// Usable only with it.
    Required,
    /// Not usable with it.
    Forbidden,
}

/// The resolved availability of a payload or key on one OS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OsEntry {
    /// `None`: `n/a`, not available.
    pub introduced: Option<OsVersion>,
    /// Deprecated from this version.
    pub deprecated: Option<OsVersion>,
    /// Removed from this version (`0`: removed from every version).
    pub removed: Option<OsVersion>,
    /// The MDM access right it needs.
    pub access_rights: Option<&'static str>,
    /// Works on the device channel (unstated: yes).
    pub device_channel: Option<bool>,
    /// Works on the user channel (unstated: no, except via shared iPad).
    pub user_channel: Option<bool>,
    /// Needs a supervised device.
    pub supervised: bool,
    /// Needs Automated Device Enrollment.
    pub requires_dep: bool,
    /// Needs user-approved MDM.
    pub user_approved_mdm: bool,
    /// A profile may be installed by hand.
    pub allow_manual_install: Option<bool>,
    /// Several payloads of this kind may be installed.
    pub multiple: Option<bool>,
    /// Beta.
    pub beta: bool,
    /// Under user enrollment (unstated: allowed).
    pub user_enrollment: Option<Behavior>,
    /// What the schema says happens under user enrollment.
    pub user_enrollment_behavior: Option<&'static str>,
    /// On shared iPad (unstated: allowed).
    pub shared_ipad: Option<Behavior>,
    /// On shared iPad: works on the device channel.
    pub shared_ipad_device_channel: Option<bool>,
    /// On shared iPad: works on the user channel.
    pub shared_ipad_user_channel: Option<bool>,
    /// Declarative management: enrollment types it is allowed for.
    pub allowed_enrollments: &'static [&'static str],
    /// Declarative management: scopes it is allowed for.
    pub allowed_scopes: &'static [&'static str],
    /// Declarative management on shared iPad: the scopes allowed there
    /// (`None`: as [`OsEntry::allowed_scopes`]; empty: none).
    pub shared_ipad_allowed_scopes: Option<&'static [&'static str]>,
}

impl OsEntry {
    /// The placeholder for "this OS is not listed".
    pub const NOT_LISTED: OsEntry = OsEntry {
        introduced: None,
        deprecated: None,
        removed: None,
        access_rights: None,
        device_channel: None,
        user_channel: None,
        supervised: false,
        requires_dep: false,
        user_approved_mdm: false,
        allow_manual_install: None,
        multiple: None,
        beta: false,
        user_enrollment: None,
        user_enrollment_behavior: None,
        shared_ipad: None,
        shared_ipad_device_channel: None,
        shared_ipad_user_channel: None,
        allowed_enrollments: &[],
        allowed_scopes: &[],
        shared_ipad_allowed_scopes: None,
    };
}

/// A value the schema lists (`rangelist`, `default`).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Literal {
    /// A string.
    Str(&'static str),
    /// An integer.
    Int(i64),
    /// A real.
    Real(f64),
    /// A boolean.
    Bool(bool),
    /// Null.
    Null,
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Str(s) => f.write_str(s),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Real(r) => write!(f, "{r}"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Null => f.write_str("null"),
        }
    }
}

/// Bounds of a `range` or `repetition`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Lower bound.
    pub min: Option<f64>,
    /// Upper bound.
    pub max: Option<f64>,
}

/// `presence` of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Presence {
    /// Required (where the key is available).
    Required,
    /// Optional.
    Optional,
    /// Not stated (array elements).
    Unspecified,
}

/// One key of a schema file, with its resolved availability.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct KeyEntry {
    /// The key's name (for array elements and `ANY` map values, the
    /// schema's placeholder name).
    pub name: &'static str,
    /// Its schema type.
    pub kind: ValueKind,
    /// Its presence.
    pub presence: Presence,
    /// An array element or map value, not a named key.
    pub element: bool,
    /// Index into [`OS_ENTRIES`] per platform; 0 = not listed.
    pub os: [u16; 5],
    /// Allowed values.
    pub rangelist: &'static [Literal],
    /// Allowed range.
    pub range: Option<Bounds>,
    /// Allowed number of elements.
    pub repetition: Option<Bounds>,
    /// Regular expression the value must match.
    pub format: Option<&'static str>,
    /// The default value.
    pub default: Option<Literal>,
    /// `(first, count)`: the children's rows in the same table.
    pub children: (u16, u16),
}

impl KeyEntry {
    /// The one value the key may hold, when it has one listed value and no
    /// range (Settings' `Item` in each variant: what tells a union's
    /// variants apart). A key listing one value beside a range (`0`, or at
    /// least 30) holds more than one.
    #[cfg_attr(not(feature = "commands"), allow(dead_code))]
    pub(crate) fn single_value(&self) -> Option<&'static Literal> {
        match (self.rangelist, self.range) {
            ([lit], None) => Some(lit),
            _ => None,
        }
    }

    /// The resolved availability on one platform.
    pub fn on(&self, platform: Platform) -> &'static OsEntry {
        &OS_ENTRIES[usize::from(self.os[platform.index()])]
    }

    /// What the target makes of this key: [`check`] of its entry on the
    /// target's platform (whose file's own availability is
    /// [`SchemaFile::support`]).
    pub fn support(&self, target: &Target) -> Support {
        check(self.on(target.platform), self.os[target.platform.index()] != 0, target)
    }
}

/// The keys of one section (request or response) of a schema file.
#[derive(Debug, Clone, Copy)]
pub struct KeyTable {
    /// All rows, breadth first.
    pub rows: &'static [KeyEntry],
    /// `(first, count)` of the top-level keys.
    pub top: (u16, u16),
    /// Each row's name's [`fingerprint`], side by side: what
    /// [`KeyTable::lookup`] compares before a name.
    pub(crate) fingerprints: &'static [u32],
    /// The hashed index of the levels longer than [`SHORT_LEVEL`]: an
    /// open-addressed table of `row + 1` (0: an empty slot), at most half
    /// full, probed linearly from [`slot_hash`]. Empty when no level is
    /// long.
    pub(crate) index: &'static [u16],
    /// The rows that are required keys (not elements): bit `i % 64` of
    /// word `i / 64` for row `i` (a row past the words is not required).
    /// Read by validation (the `commands` feature).
    #[cfg_attr(not(feature = "commands"), allow(dead_code))]
    pub(crate) required: &'static [u64],
    /// The unions whose variants one key's string value tells apart,
    /// ordered by their first row. Read by validation (the `commands`
    /// feature).
    #[cfg_attr(not(feature = "commands"), allow(dead_code))]
    pub(crate) unions: &'static [UnionIndex],
}

/// The variants of a union (an array's level of two or more rows, as
/// Settings' elements are) by the value of the one key that tells them
/// apart. Generated for the unions whose variants' single-valued keys all
/// have that name and a string value; an element's variant is then the
/// one its value names, found by one search instead of reading each
/// variant's keys in turn.
#[derive(Debug)]
#[cfg_attr(not(feature = "commands"), allow(dead_code))]
pub(crate) struct UnionIndex {
    /// The variants' first row (the array row's [`KeyEntry::children`]).
    pub(crate) first: u16,
    /// The key that tells the variants apart (`Item`).
    pub(crate) key: &'static str,
    /// Each value and the index among the variants of the first variant
    /// that lists it, sorted by the value's [`fingerprint`], then the value.
    pub(crate) values: &'static [(&'static str, u16)],
}

#[cfg_attr(not(feature = "commands"), allow(dead_code))]
impl UnionIndex {
    /// The index among the variants of the one `value` names.
    pub(crate) fn variant(&self, value: &str) -> Option<usize> {
        // Fingerprints are compared in the search and the values only where
        // they agree: a search comparing the values themselves (a `memcmp`
        // call each) cost 300 instructions an element of a Settings
        // command, counted by callgrind.
        let print = fingerprint(value);
        let from = self.values.partition_point(|&(v, _)| fingerprint(v) < print);
        let values = self.values.get(from..).unwrap_or_default();
        let found = values.iter().take_while(|&&(v, _)| fingerprint(v) == print).find(|&&(v, _)| same_key(v, value));
        found.map(|&(_, i)| usize::from(i))
    }
}

impl KeyTable {
    fn range(&self, (first, count): (u16, u16)) -> &'static [KeyEntry] {
        if count == 0 {
            return &[];
        }
        &self.rows[usize::from(first)..usize::from(first) + usize::from(count)]
    }

    /// The top-level keys.
    pub fn top_level(&self) -> &'static [KeyEntry] {
        self.range(self.top)
    }

    /// The index of the union whose variants start at row `first`, when
    /// it is indexed (see [`UnionIndex`]).
    #[cfg_attr(not(feature = "commands"), allow(dead_code))]
    pub(crate) fn union_at(&self, first: usize) -> Option<&'static UnionIndex> {
        // A table has a union or two at most: a scan.
        self.unions.iter().find(|u| usize::from(u.first) == first)
    }

    /// The required rows (not elements) of the level of `len` rows that
    /// starts at row `start` (the `first` of [`KeyTable::top`] or of a
    /// key's [`KeyEntry::children`]): each row's index in the level, in
    /// order.
    #[cfg_attr(not(feature = "commands"), allow(dead_code))]
    pub(crate) fn required_in(&self, start: usize, len: usize) -> impl Iterator<Item = usize> {
        let words = self.required;
        let end = start + len;
        let mut at = start;
        std::iter::from_fn(move || {
            while at < end {
                let word = words.get(at / 64).copied().unwrap_or(0) >> (at % 64);
                if word == 0 {
                    at = (at / 64 + 1) * 64;
                    continue;
                }
                let row = at + word.trailing_zeros() as usize;
                if row >= end {
                    return None;
                }
                at = row + 1;
                return Some(row - start);
            }
            None
        })
    }

    /// The children of a key of this table.
    pub fn children(&self, key: &KeyEntry) -> &'static [KeyEntry] {
        self.range(key.children)
    }

    /// The first key of `level` (the top level or a key's children, of
    /// this table) named `name` for which `wanted` holds, as a scan of the
    /// level in schema order finds it. A long level is looked up in the
    /// table's hashed index, comparing names only where the fingerprints
    /// agree; a short level, or one of another table, is scanned row by
    /// row.
    #[inline]
    pub(crate) fn lookup(
        &self,
        level: &'static [KeyEntry],
        name: &str,
        wanted: impl Fn(&KeyEntry) -> bool,
    ) -> Option<&'static KeyEntry> {
        if level.len() <= SHORT_LEVEL {
            return level.iter().find(|e| same_key(e.name, name) && wanted(e));
        }
        self.lookup_long(level, name, wanted)
    }

    /// [`KeyTable::lookup`] in a level longer than [`SHORT_LEVEL`], kept
    /// out of line so that the short scan inlines as a plain loop.
    #[inline(never)]
    fn lookup_long(
        &self,
        level: &'static [KeyEntry],
        name: &str,
        wanted: impl Fn(&KeyEntry) -> bool,
    ) -> Option<&'static KeyEntry> {
        let Some(first) = self.first_row(level) else {
            return level.iter().find(|e| same_key(e.name, name) && wanted(e));
        };
        let sought = fingerprint(name);
        let mask = self.index.len().wrapping_sub(1);
        let mut slot = slot_hash(sought, first) & mask;
        // The rows of the level with this fingerprint lie on the probe
        // sequence from its slot, in schema order, before the first empty
        // slot (the index is at most half full, so there is one).
        loop {
            let row = match self.index.get(slot) {
                Some(0) | None => return None,
                Some(&r) => usize::from(r - 1),
            };
            if row.wrapping_sub(first) < level.len() && self.fingerprints[row] == sought {
                let e = &self.rows[row];
                if e.name == name && wanted(e) {
                    return Some(e);
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Where `level` starts among this table's rows; `None` when it is
    /// empty or not a run of them (a level of another table).
    fn first_row(&self, level: &[KeyEntry]) -> Option<usize> {
        let size = std::mem::size_of::<KeyEntry>();
        let offset = (level.as_ptr() as usize).checked_sub(self.rows.as_ptr() as usize)?;
        let first = offset / size;
        (!level.is_empty() && offset % size == 0 && first + level.len() <= self.rows.len()).then_some(first)
    }

    /// Finds a key by path. Segments are key names; array elements and
    /// `ANY` map values may be skipped, written as their schema name, as
    /// `*` or as an index: `Attributes.Hideable`,
    /// `ManagedApplicationList.*.IsValidated`,
    /// `ManagedApplicationList.IsValidated`.
    pub fn find(&self, path: &KeyPath) -> Option<&'static KeyEntry> {
        let mut level = self.top_level();
        let mut found: Option<&'static KeyEntry> = None;
        for seg in path.segments() {
            let entry = loop {
                let name = seg.as_key();
                if let Some(e) = name.and_then(|n| self.lookup(level, n, |_| true)) {
                    break e;
                }
                // Step into an element level implicitly.
                match level {
                    [only] if only.element => {
                        if name.is_none() || name == Some("*") {
                            break only;
                        }
                        level = self.children(only);
                        if level.is_empty() {
                            return None;
                        }
                    }
                    _ => return None,
                }
            };
            found = Some(entry);
            level = self.children(entry);
        }
        found
    }
}

/// One schema file: its payload's availability and its key tables.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SchemaFile {
    /// Path in the schema (`mdm/commands/application.install.yaml`).
    pub path: &'static str,
    /// The request type, payload type, declaration type... it defines.
    pub name: &'static str,
    /// The file's title.
    pub title: &'static str,
    /// Index into [`OS_ENTRIES`] per platform; 0 = not listed.
    pub os: [u16; 5],
    /// The request (`payloadkeys`).
    pub request: KeyTable,
    /// The response (`responsekeys`).
    pub response: KeyTable,
}

impl SchemaFile {
    /// The payload's resolved availability on one platform.
    pub fn on(&self, platform: Platform) -> &'static OsEntry {
        &OS_ENTRIES[usize::from(self.os[platform.index()])]
    }
}

#[doc(hidden)]
pub use crate::tables::OS_ENTRIES;

/// Why a command or key cannot be used on a target.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unsupported {
    /// The platform is not listed.
    PlatformNotListed(Platform),
    /// `introduced: n/a` on this platform.
    NotAvailable(Platform),
    /// Introduced in a later version.
    IntroducedLater(OsVersion),
    /// Removed in this or an earlier version.
    Removed(OsVersion),
    /// Not supported on this channel.
    Channel(Channel),
    /// Needs a supervised device.
    NeedsSupervision,
    /// Needs Automated Device Enrollment.
    NeedsAutomatedEnrollment,
    /// Needs user-approved MDM.
    NeedsUserApprovedMdm,
    /// Forbidden under user enrollment.
    ForbiddenUnderUserEnrollment,
    /// Only under user enrollment.
    RequiresUserEnrollment,
    /// Forbidden on shared iPad.
    ForbiddenOnSharedIpad,
    /// Only on shared iPad.
    RequiresSharedIpad,
    /// Declarative management: not for this enrollment type
    /// (`allowed-enrollments`).
    EnrollmentNotAllowed {
        /// The target's enrollment type (see [`Target::declarative_enrollment`]).
        enrollment: &'static str,
        /// The enrollment types the schema allows.
        allowed: &'static [&'static str],
    },
    /// Declarative management: not for this scope (`allowed-scopes`).
    ScopeNotAllowed {
        /// The target's scope (see [`Target::declarative_scope`]).
        scope: &'static str,
        /// The scopes the schema allows (on shared iPad, its own list).
        allowed: &'static [&'static str],
    },
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unsupported::PlatformNotListed(p) => write!(f, "not supported on {p}"),
            Unsupported::NotAvailable(p) => write!(f, "not available on {p} (n/a)"),
            Unsupported::IntroducedLater(v) => write!(f, "introduced in {v}"),
            Unsupported::Removed(v) => write!(f, "removed in {v}"),
            Unsupported::Channel(Channel::Device) => f.write_str("not supported on the device channel"),
            Unsupported::Channel(Channel::User) => f.write_str("not supported on the user channel"),
            Unsupported::NeedsSupervision => f.write_str("needs a supervised device"),
            Unsupported::NeedsAutomatedEnrollment => f.write_str("needs Automated Device Enrollment"),
            Unsupported::NeedsUserApprovedMdm => f.write_str("needs user-approved MDM"),
            Unsupported::ForbiddenUnderUserEnrollment => f.write_str("forbidden under user enrollment"),
            Unsupported::RequiresUserEnrollment => f.write_str("only under user enrollment"),
            Unsupported::ForbiddenOnSharedIpad => f.write_str("forbidden on shared iPad"),
            Unsupported::RequiresSharedIpad => f.write_str("only on shared iPad"),
            Unsupported::EnrollmentNotAllowed { enrollment, allowed } => {
                write!(f, "not allowed for {enrollment} enrollment (allowed: {})", list_or_none(allowed))
            }
            Unsupported::ScopeNotAllowed { scope, allowed } => {
                write!(f, "not allowed in the {scope} scope (allowed: {})", list_or_none(allowed))
            }
        }
    }
}

fn list_or_none(list: &[&str]) -> String {
    if list.is_empty() { "none".to_owned() } else { list.join(", ") }
}

/// The answer to "can this be used on that target?".
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Support {
    /// Usable.
    Supported {
        /// Deprecated since this version.
        deprecated: Option<OsVersion>,
        /// Accepted but ignored on this target (user enrollment or shared
        /// iPad `ignored`).
        ignored: bool,
    },
    /// Not usable, and why.
    Unsupported(Unsupported),
}

impl Support {
    /// True when usable.
    pub fn is_supported(&self) -> bool {
        matches!(self, Support::Supported { .. })
    }

    /// The reason, when not usable.
    pub fn unsupported(&self) -> Option<&Unsupported> {
        match self {
            Support::Unsupported(u) => Some(u),
            Support::Supported { .. } => None,
        }
    }
}

/// Checks one resolved entry against a target: the one checker every
/// query uses.
pub fn check(entry: &OsEntry, is_listed: bool, target: &Target) -> Support {
    use Unsupported as U;
    let unsupported = |u| Support::Unsupported(u);
    if !is_listed {
        return unsupported(U::PlatformNotListed(target.platform));
    }
    let Some(introduced) = entry.introduced else { return unsupported(U::NotAvailable(target.platform)) };
    if target.version < introduced {
        return unsupported(U::IntroducedLater(introduced));
    }
    if let Some(removed) = entry.removed
        && target.version >= removed
    {
        return unsupported(U::Removed(removed));
    }
    let channel_ok = match target.channel {
        Channel::Device if target.shared_ipad => {
            entry.shared_ipad_device_channel.or(entry.device_channel).unwrap_or(true)
        }
        Channel::Device => entry.device_channel.unwrap_or(true),
        Channel::User if target.shared_ipad => entry.shared_ipad_user_channel.or(entry.user_channel).unwrap_or(false),
        Channel::User => entry.user_channel.unwrap_or(false),
    };
    // Declarative management states scopes instead of channels (checked
    // below).
    if !channel_ok && entry.allowed_scopes.is_empty() {
        return unsupported(U::Channel(target.channel));
    }
    if entry.supervised && !target.supervised {
        return unsupported(U::NeedsSupervision);
    }
    if entry.requires_dep && target.enrollment != Enrollment::Automated {
        return unsupported(U::NeedsAutomatedEnrollment);
    }
    if entry.user_approved_mdm && !target.user_approved_mdm && target.enrollment != Enrollment::Automated {
        return unsupported(U::NeedsUserApprovedMdm);
    }
    let user_enrolled = target.enrollment == Enrollment::User;
    let mut ignored = false;
    match entry.user_enrollment {
        Some(Behavior::Forbidden) if user_enrolled => return unsupported(U::ForbiddenUnderUserEnrollment),
        Some(Behavior::Required) if !user_enrolled => return unsupported(U::RequiresUserEnrollment),
        Some(Behavior::Ignored) if user_enrolled => ignored = true,
        _ => {}
    }
    match entry.shared_ipad {
        Some(Behavior::Forbidden) if target.shared_ipad => return unsupported(U::ForbiddenOnSharedIpad),
        Some(Behavior::Required) if !target.shared_ipad => return unsupported(U::RequiresSharedIpad),
        Some(Behavior::Ignored) if target.shared_ipad => ignored = true,
        _ => {}
    }
    // Declarative management states who may use a declaration or status
    // item as lists; an unstated list allows everyone.
    let enrollment = target.declarative_enrollment();
    if !entry.allowed_enrollments.is_empty() && !entry.allowed_enrollments.contains(&enrollment) {
        return unsupported(U::EnrollmentNotAllowed { enrollment, allowed: entry.allowed_enrollments });
    }
    let scopes = match entry.shared_ipad_allowed_scopes {
        Some(shared) if target.shared_ipad => Some(shared),
        _ if entry.allowed_scopes.is_empty() => None,
        _ => Some(entry.allowed_scopes),
    };
    let scope = target.declarative_scope();
    if let Some(allowed) = scopes
        && !allowed.contains(&scope)
    {
        return unsupported(U::ScopeNotAllowed { scope, allowed });
    }
    let deprecated = entry.deprecated.filter(|d| target.version >= *d);
    Support::Supported { deprecated, ignored }
}

/// A request type, payload type or key the schema does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotInSchema {
    /// No command with this `RequestType`.
    #[error("no command with RequestType `{0}` in the schema")]
    RequestType(String),
    /// No such key.
    #[error("no key `{path}` in `{file}`")]
    Key {
        /// The schema file.
        file: &'static str,
        /// The path asked for.
        path: String,
    },
}

/// A family of the schema (a folder), as far as its cargo feature is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Family {
    /// `mdm/commands` (feature `commands`).
    Commands,
    /// `mdm/checkin` (feature `checkin`).
    Checkin,
    /// `mdm/errors` (feature `errors`).
    Errors,
    /// `mdm/profiles` (feature `profiles`).
    Profiles,
    /// `declarative/declarations` (feature `declarative`).
    Declarations,
    /// `declarative/status` (feature `declarative`).
    Status,
    /// `declarative/protocol` (feature `declarative`).
    Protocol,
    /// `other` (feature `other`).
    Other,
}

impl Family {
    /// Every family, in declaration order (`Family::ALL[f as usize] == f`).
    pub const ALL: [Family; 8] = [
        Family::Commands,
        Family::Checkin,
        Family::Errors,
        Family::Profiles,
        Family::Declarations,
        Family::Status,
        Family::Protocol,
        Family::Other,
    ];
}

/// The schema files of a family, in file order; empty when the family's
/// cargo feature is off.
pub fn files(family: Family) -> &'static [SchemaFile] {
    match family {
        #[cfg(feature = "commands")]
        Family::Commands => crate::tables::COMMANDS,
        #[cfg(feature = "checkin")]
        Family::Checkin => crate::tables::CHECKIN,
        #[cfg(feature = "errors")]
        Family::Errors => crate::tables::ERRORS,
        #[cfg(feature = "profiles")]
        Family::Profiles => crate::tables::PROFILES,
        #[cfg(feature = "declarative")]
        Family::Declarations => crate::tables::DECLARATIONS,
        #[cfg(feature = "declarative")]
        Family::Status => crate::tables::STATUS,
        #[cfg(feature = "declarative")]
        Family::Protocol => crate::tables::PROTOCOL,
        #[cfg(feature = "other")]
        Family::Other => crate::tables::OTHER,
        #[allow(unreachable_patterns)]
        _ => &[],
    }
}

/// A schema file of a family by the name the schema gives it: the
/// `RequestType` of a command, the `MessageType` of a check-in, the `code`
/// of an error, the `PayloadType` of a profile payload (the first file, for
/// a shared one), the `Type` of a declaration, the name of a status item,
/// or the top type's name otherwise.
pub fn schema_file(family: Family, name: &str) -> Option<&'static SchemaFile> {
    // The first file of a name is its file.
    schema_files_named(family, name).first().copied()
}

/// Every file of a family with this name, in file order (a profile
/// payload's `PayloadType` can have several: `com.apple.MCX` has six).
pub(crate) fn schema_files_named(family: Family, name: &str) -> &'static [&'static SchemaFile] {
    // Validation looks each payload's files up by its `PayloadType`, and
    // a command's by its `RequestType`: a scan of the family's files was a
    // tenth of validating a profile. The files sorted by the fingerprint
    // of their name, then the name (a stable sort: files of one name in
    // file order), a name's files are found by one binary search (a
    // `HashMap` of the names hashed each name slower than the scan).
    struct ByName {
        keys: Vec<(u32, &'static str)>,
        files: Vec<&'static SchemaFile>,
    }
    static BY_NAME: OnceLock<[ByName; Family::ALL.len()]> = OnceLock::new();
    let by_name = BY_NAME.get_or_init(|| {
        Family::ALL.map(|family| {
            let mut files: Vec<&'static SchemaFile> = files(family).iter().collect();
            files.sort_by_key(|f| (fingerprint(f.name), f.name));
            ByName { keys: files.iter().map(|f| (fingerprint(f.name), f.name)).collect(), files }
        })
    });
    let ByName { keys, files } = &by_name[family as usize];
    let print = fingerprint(name);
    // A server validates one kind of command many times over, and a
    // profile holds a few payload types many times: the names this thread
    // found last are remembered, one per slot of a small direct-mapped
    // memory per family, and a remembered name is compared first (with
    // one name remembered, a profile of four alternating payload types
    // searched for every payload: 300 instructions each, counted by
    // callgrind).
    thread_local! {
        /// Per family and slot: the first index and the count of a name
        /// found (`start << 16 | count`; a count of 0: none).
        static FOUND: [[Cell<u32>; FOUND_SLOTS]; Family::ALL.len()] =
            const { [const { [const { Cell::new(0) }; FOUND_SLOTS] }; Family::ALL.len()] };
    }
    // Fibonacci hashing of the fingerprint: the slot of the name.
    let slot = (print.wrapping_mul(0x9E37_79B9) >> (u32::BITS - FOUND_SLOTS.trailing_zeros())) as usize % FOUND_SLOTS;
    let found = FOUND.with(|f| f[family as usize][slot].get());
    let (start, count) = ((found >> 16) as usize, (found & 0xffff) as usize);
    if count != 0
        && let Some(&(p, n)) = keys.get(start)
        && p == print
        && same_key(n, name)
    {
        return files.get(start..start + count).unwrap_or_default();
    }
    // The names of one fingerprint are compared only when the prints are
    // equal.
    let start = keys.partition_point(|&(p, n)| p < print || (p == print && n < name));
    let count = keys[start..].iter().take_while(|&&(p, n)| p == print && same_key(n, name)).count();
    if count != 0
        && let (Ok(s), Ok(c)) = (u16::try_from(start), u16::try_from(count))
    {
        FOUND.with(|f| f[family as usize][slot].set(u32::from(s) << 16 | u32::from(c)));
    }
    &files[start..start + count]
}

/// How many names [`schema_files_named`] remembers per family (a power
/// of two).
const FOUND_SLOTS: usize = 8;

/// Levels of up to this many keys are scanned row by row.
const SHORT_LEVEL: usize = 16;

/// A name's fingerprint: its length (up to 65,535) and its first and last
/// bytes. The generated tables keep every key's (the generator computes it
/// the same way; a unit test checks every row).
#[inline]
pub(crate) fn fingerprint(name: &str) -> u32 {
    let b = name.as_bytes();
    let len = u32::try_from(b.len().min(0xffff)).unwrap_or(0xffff);
    len | u32::from(b.first().copied().unwrap_or(0)) << 16 | u32::from(b.last().copied().unwrap_or(0)) << 24
}

/// Where a lookup of a name (by its [`fingerprint`]) in the level that
/// starts at `first_row` starts probing a table's index. The generator
/// computes the same when it fills the index.
#[inline]
fn slot_hash(fingerprint: u32, first_row: usize) -> usize {
    let key = u64::from(fingerprint) | (first_row as u64) << 32;
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize
}

/// `a == b`, inline for names of up to 32 bytes (nearly every key and
/// value name of the schema): the calls to `memcmp` were a tenth of the
/// validation time. Two names of one length are compared by their first
/// and last words (which overlap for short names, so every byte is
/// compared); longer ones test their first byte before `memcmp`.
#[inline]
pub(crate) fn same_key(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if std::ptr::eq(a.as_ptr(), b.as_ptr()) {
        return true;
    }
    fn word<const W: usize>(s: &[u8], at: usize) -> [u8; W] {
        let mut w = [0; W];
        w.copy_from_slice(&s[at..at + W]);
        w
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        8..=16 => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
        17..=32 => word::<16>(a, 0) == word::<16>(b, 0) && word::<16>(a, n - 16) == word::<16>(b, n - 16),
        _ => a[0] == b[0] && a == b,
    }
}

/// A schema file by its path in the schema
/// (`mdm/commands/application.install.yaml`).
pub fn schema_file_by_path(path: &str) -> Option<&'static SchemaFile> {
    // Validation asks for the common payload keys once per payload.
    static BY_PATH: OnceLock<HashMap<&'static str, &'static SchemaFile>> = OnceLock::new();
    let by_path = BY_PATH.get_or_init(|| {
        let mut map = HashMap::new();
        for f in Family::ALL.iter().flat_map(|f| files(*f)) {
            map.entry(f.path).or_insert(f);
        }
        map
    });
    by_path.get(path).copied()
}

/// The schema file of a command.
pub fn command_schema(request_type: &str) -> Option<&'static SchemaFile> {
    schema_file(Family::Commands, request_type)
}

/// Every command's schema file, in file order (empty without the
/// `commands` feature).
pub fn commands() -> &'static [SchemaFile] {
    files(Family::Commands)
}

impl SchemaFile {
    /// Can the payload (command, profile...) be used on the target?
    pub fn support(&self, target: &Target) -> Support {
        check(self.on(target.platform), self.os[target.platform.index()] != 0, target)
    }

    fn key_support(&self, table: &KeyTable, path: &str, target: &Target) -> Result<Support, NotInSchema> {
        let kp = KeyPath::parse(path);
        let not_found = || NotInSchema::Key { file: self.path, path: path.to_owned() };
        let entry = table.find(&kp).ok_or_else(not_found)?;
        let payload = self.support(target);
        if !payload.is_supported() {
            return Ok(payload);
        }
        Ok(entry.support(target))
    }

    /// Can the request key at `path` be used on the target? The payload's
    /// own support is checked first.
    pub fn request_key_support(&self, path: &str, target: &Target) -> Result<Support, NotInSchema> {
        self.key_support(&self.request, path, target)
    }

    /// Will the device send the response key at `path`?
    pub fn response_key_support(&self, path: &str, target: &Target) -> Result<Support, NotInSchema> {
        self.key_support(&self.response, path, target)
    }

    /// The request keys usable on the target, as display paths (see
    /// [`KeyTable::walk`]), in table order.
    pub fn usable_request_keys(&self, target: &Target) -> Vec<String> {
        self.usable_keys(&self.request, target)
    }

    /// The response keys the device may send on the target, as display
    /// paths (see [`KeyTable::walk`]), in table order.
    pub fn usable_response_keys(&self, target: &Target) -> Vec<String> {
        self.usable_keys(&self.response, target)
    }

    fn usable_keys(&self, table: &KeyTable, target: &Target) -> Vec<String> {
        let mut out = Vec::new();
        if self.support(target).is_supported() {
            table.walk(&mut |path, key| {
                if key.support(target).is_supported() {
                    out.push(path.to_owned());
                    true
                } else {
                    false
                }
            });
        }
        out
    }
}

impl KeyTable {
    /// Visits every key, parents before children, with its display path:
    /// names joined by `.`, array elements skipped, `ANY` map values as
    /// `*`, union variants as `[Variant]` (`Settings[Wallpaper].Image`).
    /// The visitor returns whether to descend into the key's children.
    /// Recursive structures are visited to a depth of 16.
    pub fn walk(&self, visit: &mut dyn FnMut(&str, &'static KeyEntry) -> bool) {
        self.walk_level(self.top_level(), false, "", 0, visit);
    }

    fn walk_level(
        &self,
        level: &'static [KeyEntry],
        parent_is_array: bool,
        prefix: &str,
        depth: usize,
        visit: &mut dyn FnMut(&str, &'static KeyEntry) -> bool,
    ) {
        if depth > 16 {
            return;
        }
        for key in level {
            let plain_element = key.element && parent_is_array && level.len() == 1;
            let path = if !key.element {
                if prefix.is_empty() { key.name.to_owned() } else { format!("{prefix}.{}", key.name) }
            } else if !parent_is_array {
                if prefix.is_empty() { "*".to_owned() } else { format!("{prefix}.*") }
            } else if plain_element {
                prefix.to_owned()
            } else {
                format!("{prefix}[{}]", key.name)
            };
            // Elements of plain arrays have no path of their own.
            if plain_element || visit(&path, key) {
                self.walk_level(self.children(key), key.kind == ValueKind::Array, &path, depth + 1, visit);
            }
        }
    }
}

/// The newest version of `platform` the schema names anywhere (a version
/// something was introduced, deprecated or removed in), over the families
/// whose features are on. A target newer than this may support keys Apple
/// added since; answers for it are the schema's, not Apple's newest.
pub fn newest_version(platform: Platform) -> Option<OsVersion> {
    let p = platform.index();
    let mut newest: Option<OsVersion> = None;
    let mut see = |i: u16| {
        let e = &OS_ENTRIES[usize::from(i)];
        for v in [e.introduced, e.deprecated, e.removed].into_iter().flatten() {
            if newest.is_none_or(|n| v > n) {
                newest = Some(v);
            }
        }
    };
    for file in Family::ALL.iter().flat_map(|f| files(*f)) {
        see(file.os[p]);
        for row in file.request.rows.iter().chain(file.response.rows) {
            see(row.os[p]);
        }
    }
    newest
}

/// Can the command be used on the target?
pub fn command_support(request_type: &str, target: &Target) -> Result<Support, NotInSchema> {
    command_schema(request_type)
        .map(|f| f.support(target))
        .ok_or_else(|| NotInSchema::RequestType(request_type.to_owned()))
}

/// Can the command's request key at `path` be used on the target?
pub fn request_key_support(request_type: &str, path: &str, target: &Target) -> Result<Support, NotInSchema> {
    command_schema(request_type)
        .ok_or_else(|| NotInSchema::RequestType(request_type.to_owned()))?
        .request_key_support(path, target)
}

/// Will the device send the command's response key at `path`?
pub fn response_key_support(request_type: &str, path: &str, target: &Target) -> Result<Support, NotInSchema> {
    command_schema(request_type)
        .ok_or_else(|| NotInSchema::RequestType(request_type.to_owned()))?
        .response_key_support(path, target)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every level of every table (the top level and each row's children)
    /// lists as required the rows a scan finds required (not elements).
    #[test]
    fn required_rows_are_the_rows_a_scan_finds() {
        let mut levels = 0;
        let mut required = 0;
        for family in Family::ALL {
            for file in files(family) {
                for table in [&file.request, &file.response] {
                    let mut check = |(first, count): (u16, u16)| {
                        if count == 0 {
                            return;
                        }
                        let (start, len) = (usize::from(first), usize::from(count));
                        let level = &table.rows[start..start + len];
                        let expected: Vec<usize> = (0..len)
                            .filter(|&i| level[i].presence == Presence::Required && !level[i].element)
                            .collect();
                        let listed: Vec<usize> = table.required_in(start, len).collect();
                        assert_eq!(listed, expected, "{}: a level at row {start}", file.path);
                        levels += 1;
                        required += listed.len();
                    };
                    check(table.top);
                    for row in table.rows {
                        check(row.children);
                    }
                }
            }
        }
        assert!(levels > 1000 && required > 100, "{levels} levels, {required} required rows");
    }

    /// `same_key` is `==`: for every length up to 40, two equal names
    /// (distinct copies), and names that differ in any one byte.
    #[test]
    fn same_key_is_string_equality() {
        for n in 0..=40usize {
            let a: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            let copy = a.clone();
            assert!(same_key(&a, &copy), "{a}");
            assert!(same_key(&a, &a));
            for at in 0..n {
                let mut b = a.clone().into_bytes();
                b[at] = b'Z';
                let b = String::from_utf8(b).unwrap();
                assert!(!same_key(&a, &b), "{a} {b}");
            }
            assert!(!same_key(&a, &format!("{a}x")));
        }
    }

    /// A file found by name is the first file of that name in its family
    /// (what a scan of the family finds), for every name of every family;
    /// a name no file has finds nothing. Each name is asked after itself,
    /// after each of the twelve names before it (more than the memory has
    /// slots: some share its slot, some not) and after one no file has:
    /// the thread's memory of the names found answers as the search does.
    #[test]
    fn schema_files_are_found_by_name_as_a_scan_finds_them() {
        let mut found = 0;
        for (i, family) in Family::ALL.into_iter().enumerate() {
            assert_eq!(family as usize, i);
            let mut previous: std::collections::VecDeque<&str> = std::collections::VecDeque::new();
            for f in files(family) {
                let first = files(family).iter().find(|g| g.name == f.name).unwrap();
                let named: Vec<_> = files(family).iter().filter(|g| g.name == f.name).collect();
                let asked = previous.iter().copied().chain([f.name, "NoSuchName", f.name]);
                for other in std::iter::once(f.name).chain(asked) {
                    let _ = schema_files_named(family, other);
                    assert!(std::ptr::eq(schema_file(family, f.name).unwrap(), first), "{family:?} {}", f.name);
                    let found_named = schema_files_named(family, f.name);
                    assert_eq!(found_named.len(), named.len(), "{family:?} {}", f.name);
                    assert!(named.iter().zip(found_named).all(|(a, b)| std::ptr::eq(*a, *b)), "{family:?} {}", f.name);
                }
                previous.push_front(f.name);
                previous.truncate(12);
                found += 1;
            }
            assert!(schema_file(family, "NoSuchName").is_none());
            assert!(schema_file(family, "").is_none());
        }
        assert!(found > 300, "{found} files");
    }

    /// The fingerprints the generator writes are the ones computed at run
    /// time, the index holds every row of a long level once and is at most
    /// half full, and a lookup finds what a scan in schema order finds: every
    /// key of every level of every table (and names no level has, some
    /// with a key's fingerprint), with and without element rows, and the
    /// keys of a long level of another table; every file by its path.
    #[test]
    fn lookups_find_what_a_scan_finds() {
        let filters: [fn(&KeyEntry) -> bool; 2] = [|_| true, |e| !e.element];
        let same = |a: Option<&KeyEntry>, b: Option<&KeyEntry>| match (a, b) {
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        };
        let (mut levels, mut names, mut foreign, mut indexed, mut long_rows) = (0, 0, 0, 0, 0);
        // The last long level met, of an earlier table.
        let mut earlier: Option<&'static [KeyEntry]> = None;
        for f in Family::ALL.iter().flat_map(|f| files(*f)) {
            assert!(std::ptr::eq(schema_file_by_path(f.path).unwrap(), f));
            for table in [&f.request, &f.response] {
                assert_eq!(table.fingerprints.len(), table.rows.len(), "{}", f.path);
                for (row, &written) in table.rows.iter().zip(table.fingerprints) {
                    assert_eq!(fingerprint(row.name), written, "{}: {}", f.path, row.name);
                }
                // The index is a power of two long and at most half full
                // (a probe always meets an empty slot).
                let filled = table.index.iter().filter(|&&r| r != 0).count();
                assert!(table.index.is_empty() || table.index.len().is_power_of_two(), "{}", f.path);
                assert!(filled * 2 <= table.index.len(), "{}", f.path);
                indexed += filled;
                // A long level of another table is scanned, wherever
                // that table lies in memory.
                if let Some(level) = earlier {
                    for e in level {
                        foreign += 1;
                        assert!(same(table.lookup(level, e.name, |_| true), level.iter().find(|k| k.name == e.name)));
                    }
                }
                let runs = std::iter::once(table.top).chain(table.rows.iter().map(|r| r.children));
                let mut long = None;
                for (first, count) in runs.filter(|r| r.1 > 0) {
                    levels += 1;
                    let level = table.range((first, count));
                    // The same length, first and last byte as a key's.
                    let twin = |n: &str| match n.len() {
                        3.. if n.is_ascii() => format!("{}~{}", &n[..1], &n[2..]),
                        _ => format!("{n}x"),
                    };
                    let probes = level.iter().flat_map(|e| [e.name.to_owned(), format!("{}x", e.name), twin(e.name)]);
                    for name in probes.chain(["".to_owned(), "~".to_owned()]) {
                        names += 1;
                        for wanted in filters {
                            let scan = level.iter().find(|e| e.name == name && wanted(e));
                            assert!(same(table.lookup(level, &name, wanted), scan), "{}: {name}", f.path);
                        }
                    }
                    if level.len() > SHORT_LEVEL {
                        long = Some(level);
                        long_rows += level.len();
                    }
                }
                earlier = long.or(earlier);
            }
        }
        // Every row of a long level is in the index once.
        assert_eq!(indexed, long_rows);
        if cfg!(feature = "commands") {
            assert!(levels > 100 && names > 1_000 && foreign > 1_000, "{levels} levels, {names} names, {foreign}");
            assert!(long_rows > 1_000, "{long_rows} rows in long levels");
        }
    }

    #[test]
    fn versions_parse_and_order() {
        let v = |s: &str| s.parse::<OsVersion>().unwrap();
        assert_eq!(v("10.13.6"), OsVersion::new(10, 13, 6));
        assert_eq!(v("17.4"), OsVersion::new(17, 4, 0));
        assert_eq!(v("18"), OsVersion::new(18, 0, 0));
        assert_eq!(v("18"), v("18.0"));
        assert!(v("10.13.6") > v("10.13"));
        assert!(v("10.13.5") < v("10.13.6"));
        assert!(v("11.0") > v("10.15.7"));
        assert!(v("17.10") > v("17.9"));
        for bad in ["n/a", "", "1.2.3.4", "x", "1..2", "-1", "1.a"] {
            assert!(bad.parse::<OsVersion>().is_err(), "{bad}");
        }
        assert_eq!(v("10.13.6").to_string(), "10.13.6");
        assert_eq!(v("18").to_string(), "18.0");
    }

    #[test]
    fn platforms_parse() {
        assert_eq!("macOS".parse::<Platform>().unwrap(), Platform::MacOS);
        assert_eq!("ipados".parse::<Platform>().unwrap(), Platform::IOS);
        assert!("Windows".parse::<Platform>().is_err());
    }
}
