//! Rust names for schema names.
//!
//! Apple's key names mix brand spellings (`iTunesStoreID`, `iOSApp`),
//! acronyms (`VPNUUID`, `ManifestURLPinningCerts`), plural acronyms
//! (`URLs`), spaces (`Key Type`), hyphens and dots. Generic case converters
//! get several of these wrong (`i_tunes_store_id`, `ur_ls`), so words are
//! split here with rules for those cases, and each rule is unit-tested.

/// Mixed-case brand words kept as one word wherever they appear.
const BRANDS: &[&str] = &[
    "visionOS", "watchOS", "macOS", "tvOS", "iPadOS", "iOS", "iTunes", "iCloud", "iPhone", "iPad", "iPod", "iBooks",
    "iMessage", "iWork", "eSIM", "IPv4", "IPv6", "FaceTime", "AirPlay", "AirPrint", "AirDrop", "WiFi",
];

/// The words an all-capitals run is made of, where Apple runs several
/// together (`VPNUUID`, `SIMMCC`, `PPDURL`, `SHOWFULLNAME`): a run of five
/// or more capitals that this table splits completely, in the fewest
/// pieces, is split (`vpn_uuid`, `sim_mcc`, `ppd_url`, `show_full_name`);
/// any other run stays one word (`SMIME`, `ICCID`, `HTTPS`).
const CAPITAL_WORDS: &[&str] = &[
    // Acronyms.
    "ACME", "AIM", "APNS", "CCP", "DAV", "DDNS", "DNS", "EAP", "EAS", "FDE", "FTP", "GID", "GUID", "HTTP", "HTTPS",
    "ICCID", "ID", "IMAP", "IMEI", "LDAP", "MAC", "MCC", "MDM", "MEID", "MNC", "MPPE", "OTA", "PAC", "PIN", "PKI",
    "PPD", "RTSP", "SCEP", "SIM", "SMIME", "SOCKS", "SSID", "SSO", "TGT", "TLS", "UDID", "UID", "URL", "USB", "UUID",
    "VPN", "VPP", "WWAN",
    // Words written in capitals (loginwindow's SHOWFULLNAME, SHOWOTHERUSERS_MANAGED).
    "FULL", "NAME", "OTHER", "SHOW", "USERS",
];

/// Splits an all-capitals run by [`CAPITAL_WORDS`], in the fewest pieces;
/// `None` when the table does not cover it.
fn split_capitals(word: &str) -> Option<Vec<String>> {
    let n = word.len();
    // best[i]: the fewest pieces covering word[..i], and the last piece's start.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for end in 1..=n {
        for piece in CAPITAL_WORDS {
            if piece.len() <= end
                && word[..end].ends_with(piece)
                && let Some((count, _)) = best[end - piece.len()]
                && best[end].is_none_or(|(c, _)| count + 1 < c)
            {
                best[end] = Some((count + 1, end - piece.len()));
            }
        }
    }
    best[n]?;
    let mut pieces = Vec::new();
    let mut end = n;
    while end > 0 {
        let (_, start) = best[end].expect("a covered prefix");
        pieces.push(word[start..end].to_owned());
        end = start;
    }
    pieces.reverse();
    Some(pieces)
}

/// Keywords (strict, reserved and weak ones that matter) that cannot be
/// field names as they are.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Splits a schema name into words.
pub fn words(raw: &str) -> Vec<String> {
    let mut split = Vec::new();
    for chunk in raw.split(|c: char| !c.is_ascii_alphanumeric()) {
        split_chunk(chunk, &mut split);
    }
    let mut out = Vec::with_capacity(split.len());
    for word in split {
        match word.len() >= 5 && word.bytes().all(|b| b.is_ascii_uppercase()) {
            true => match split_capitals(&word) {
                Some(pieces) => out.extend(pieces),
                None => out.push(word),
            },
            false => out.push(word),
        }
    }
    out
}

fn brand_at(chars: &[char], i: usize) -> Option<usize> {
    for brand in BRANDS {
        let b: Vec<char> = brand.chars().collect();
        if chars.len() >= i + b.len() && chars[i..i + b.len()] == b[..] {
            // The brand must end a word: end, upper case, digit.
            let next = chars.get(i + b.len());
            if next.is_none_or(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
                return Some(b.len());
            }
        }
    }
    None
}

fn split_chunk(chunk: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = chunk.chars().collect();
    let mut word = String::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some(len) = brand_at(&chars, i) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            out.push(chars[i..i + len].iter().collect());
            i += len;
            continue;
        }
        let c = chars[i];
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            None => false,
            Some(p) if c.is_ascii_uppercase() => {
                // fooBar, SHA256Hash (but not 802.1X) | the R of "XMLReader" (but not the trailing
                // "s" of a plural acronym such as "URLs").
                p.is_ascii_lowercase()
                    || (p.is_ascii_digit() && next.is_some_and(|n| n.is_ascii_alphabetic()))
                    || (p.is_ascii_uppercase()
                        && next.is_some_and(|n| n.is_ascii_lowercase())
                        && !is_plural_s(&chars, i + 1))
            }
            _ => false,
        };
        if boundary && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        word.push(c);
        i += 1;
    }
    if !word.is_empty() {
        out.push(word);
    }
}

/// `s` at `i` ends a plural acronym (`URLs`, `UUIDsFoo`).
fn is_plural_s(chars: &[char], i: usize) -> bool {
    chars.get(i) == Some(&'s') && chars.get(i + 1).is_none_or(|c| !c.is_ascii_lowercase())
}

fn capitalize(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let mut c = lower.chars();
    match c.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// `UpperCamelCase` for types and variants. A name that would start with a
/// digit gets `prefix` in front.
pub fn camel(raw: &str, prefix: &str) -> String {
    let s: String = words(raw).iter().map(|w| capitalize(w)).collect();
    if s.is_empty() {
        return format!("{prefix}Empty");
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) || s == "Self" {
        return format!("{prefix}{s}");
    }
    s
}

/// `snake_case` for fields and modules; keywords get a trailing `_`.
pub fn snake(raw: &str) -> String {
    let s = words(raw).iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().join("_");
    if s.is_empty() {
        return "value".to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("n{s}");
    }
    if KEYWORDS.contains(&s.as_str()) {
        return format!("{s}_");
    }
    s
}

/// The type name of an array's element when the schema names it
/// `<Array>Item` (its convention for unnamed elements): the array's name in
/// the singular when it is an English plural (`QueriesItem` -> `Queries` ->
/// `Query`, `UpdatesItem` -> `Update`, `AllowedURLsItem` -> `AllowedURL`);
/// otherwise the name as it is (`ProfileListItem`).
pub fn element_name(wanted: &str) -> String {
    let Some(array) = wanted.strip_suffix("Item").filter(|a| !a.is_empty()) else { return wanted.to_owned() };
    let singular = if let Some(stem) = array.strip_suffix("ies") {
        format!("{stem}y")
    } else if array.ends_with("sses") || array.ends_with("xes") || array.ends_with("ches") || array.ends_with("shes") {
        array[..array.len() - 2].to_owned()
    } else if array.ends_with('s') && !array.ends_with("ss") && !array.ends_with("us") && !array.ends_with("is") {
        array[..array.len() - 1].to_owned()
    } else {
        return wanted.to_owned();
    };
    if singular.is_empty() { wanted.to_owned() } else { singular }
}

/// A variant name for an integer value: `Value1`, `ValueMinus1`.
pub fn integer_variant(v: i64) -> String {
    if v < 0 { format!("ValueMinus{}", v.unsigned_abs()) } else { format!("Value{v}") }
}

/// Unique names for a set of wire names, independent of their order:
/// `names[i]` is the candidate Rust name of `wires[i]`. Where candidates
/// clash (`ExcludedFQDNs` and `Excluded FQDNs` are both `excluded_fqdns`),
/// the wire names are ranked, a name of letters and digits only (Apple's
/// usual spelling) first, then by byte order, and the first gets the plain
/// name, the others `2`, `3`... in that order. All candidates are claimed
/// sorted by (candidate, rank), so the result depends on the set of keys,
/// never on the order the schema lists them in.
pub fn unique_names(names: &[String], wires: &[&str], reserved: &[&str]) -> Vec<String> {
    let rank = |w: &str| (!w.bytes().all(|b| b.is_ascii_alphanumeric()), w.to_owned());
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| (&names[a], rank(wires[a])).cmp(&(&names[b], rank(wires[b]))));
    let mut scope = Scope::with_reserved(reserved);
    let mut out = vec![String::new(); names.len()];
    for i in order {
        out[i] = scope.claim(&names[i], None);
    }
    out
}

/// One request for a type name, recorded while a file is walked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Which type is named: the key path it is built for and the wanted name
    /// (`payload:Settings/SettingsItem#SettingsItem`). It does not depend on
    /// the order of keys.
    pub id: String,
    /// The name the key's own name gives (`Update` for `UpdatesItem`).
    pub wanted: String,
    /// The name used when `wanted` goes to another type: the parent type's
    /// name followed by `wanted`.
    pub fallback: String,
}

/// The type names of one file, decided by the set of claims, never by their
/// order. A name wanted by one claim is that claim's. A name wanted by
/// several goes to the claim whose id (key path) sorts first; the others,
/// in id order, take their fallback, or when that too is wanted or taken the
/// fallback numbered `2`, `3`... Names in `reserved` (the file's top types)
/// are never handed out.
pub fn plan_names(claims: &[Claim], reserved: &[String]) -> std::collections::BTreeMap<String, String> {
    let mut sorted: Vec<&Claim> = claims.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut scope = Scope::with_reserved(&reserved.iter().map(String::as_str).collect::<Vec<_>>());
    let mut plan = std::collections::BTreeMap::new();
    let mut losers = Vec::new();
    for c in &sorted {
        if scope.taken.insert(c.wanted.clone()) {
            plan.insert(c.id.clone(), c.wanted.clone());
        } else {
            losers.push(*c);
        }
    }
    for c in losers {
        plan.insert(c.id.clone(), scope.claim(&c.wanted, Some(&c.fallback)));
    }
    plan
}

/// Hands out names unique within one scope, appending a number on clashes.
#[derive(Debug, Default)]
pub struct Scope {
    taken: std::collections::BTreeSet<String>,
}

impl Scope {
    /// A scope in which `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Scope {
        Scope { taken: reserved.iter().map(|s| (*s).to_owned()).collect() }
    }

    /// `wanted` if free, else `fallback` if given and free, else the first
    /// free `wanted2`, `wanted3`, ...
    pub fn claim(&mut self, wanted: &str, fallback: Option<&str>) -> String {
        if self.taken.insert(wanted.to_owned()) {
            return wanted.to_owned();
        }
        if let Some(f) = fallback
            && self.taken.insert(f.to_owned())
        {
            return f.to_owned();
        }
        let base = fallback.unwrap_or(wanted);
        let sep = if base.ends_with(|c: char| c.is_ascii_digit()) || base.ends_with('_') { "_" } else { "" };
        (2..)
            .map(|n| format!("{base}{sep}{n}"))
            .find(|c| self.taken.insert(c.clone()))
            .expect("an unbounded range finds a free name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Clashing names are settled by the set of wire names, not their order.
    #[test]
    fn clashes_do_not_depend_on_order() {
        let wires = ["ExcludedFQDNs", "Excluded FQDNs", "Name", "excluded-fqdns"];
        let names = |ws: &[&str]| unique_names(&ws.iter().map(|w| snake(w)).collect::<Vec<_>>(), ws, &["extra"]);
        let forward = names(&wires);
        assert_eq!(forward, ["excluded_fqdns", "excluded_fqdns2", "name", "excluded_fqdns3"]);
        let mut reversed = wires;
        reversed.reverse();
        let backward = names(&reversed);
        for (i, w) in wires.iter().enumerate() {
            let j = reversed.iter().position(|r| r == w).unwrap();
            assert_eq!(forward[i], backward[j], "{w}");
        }
        assert_eq!(names(&["extra"]), ["extra2"]);
    }

    /// Contested type names go by key path: the same claims in any order
    /// give the same plan; the loser takes its fallback, and a fallback
    /// another claim wants is not taken from it.
    #[test]
    fn type_names_are_planned_by_key_path() {
        let claim = |id: &str, wanted: &str, fallback: &str| Claim {
            id: id.to_owned(),
            wanted: wanted.to_owned(),
            fallback: fallback.to_owned(),
        };
        let claims = vec![
            claim("payload:B/Mode#Mode", "Mode", "BMode"),
            claim("payload:A/Mode#Mode", "Mode", "AMode"),
            claim("payload:BMode#BMode", "BMode", "TopBMode"),
            claim("payload:C/Mode#Mode", "Mode", "Top"),
        ];
        let plan = plan_names(&claims, &["Top".to_owned()]);
        assert_eq!(plan["payload:A/Mode#Mode"], "Mode");
        assert_eq!(plan["payload:BMode#BMode"], "BMode");
        assert_eq!(plan["payload:B/Mode#Mode"], "BMode2");
        assert_eq!(plan["payload:C/Mode#Mode"], "Top2");
        let mut reversed = claims.clone();
        reversed.reverse();
        assert_eq!(plan_names(&reversed, &["Top".to_owned()]), plan);
    }

    /// The names a reader looks for: acronyms and words Apple runs
    /// together are split by one table ([`CAPITAL_WORDS`]).
    #[test]
    fn run_together_capitals_are_split() {
        assert_eq!(snake("VPNUUID"), "vpn_uuid");
        assert_eq!(snake("WiFiMAC"), "wifi_mac");
        assert_eq!(snake("BluetoothMAC"), "bluetooth_mac");
        assert_eq!(snake("SIMMCC"), "sim_mcc");
        assert_eq!(snake("SIMMNC"), "sim_mnc");
        assert_eq!(snake("PPDURL"), "ppd_url");
        assert_eq!(snake("PACURL"), "pac_url");
        assert_eq!(snake("VPNPIN"), "vpn_pin");
        assert_eq!(snake("SHOWFULLNAME"), "show_full_name");
        assert_eq!(snake("SHOWOTHERUSERS_MANAGED"), "show_other_users_managed");
        assert_eq!(camel("VPNUUID", "V"), "VpnUuid");
        assert_eq!(camel("WiFiMAC", "V"), "WifiMac");
        // Runs the table does not cover, or that are one acronym, stay whole.
        assert_eq!(snake("SMIMEEnabled"), "smime_enabled");
        assert_eq!(snake("ICCID"), "iccid");
        assert_eq!(snake("HTTPSProxy"), "https_proxy");
        assert_eq!(snake("XYZZY"), "xyzzy");
        assert_eq!(snake("UUID"), "uuid");
    }

    #[test]
    fn array_elements_are_named_in_the_singular() {
        assert_eq!(element_name("QueriesItem"), "Query");
        assert_eq!(element_name("UpdatesItem"), "Update");
        assert_eq!(element_name("AllowedURLsItem"), "AllowedURL");
        assert_eq!(element_name("AddressesItem"), "Address");
        assert_eq!(element_name("ProfileListItem"), "ProfileListItem");
        assert_eq!(element_name("StatusItem"), "StatusItem");
        assert_eq!(element_name("Item"), "Item");
        assert_eq!(element_name("Queries"), "Queries");
    }

    #[test]
    fn acronyms_stay_whole() {
        assert_eq!(snake("UDID"), "udid");
        assert_eq!(snake("ContentFilterUUID"), "content_filter_uuid");
        assert_eq!(snake("ManifestURLPinningCerts"), "manifest_url_pinning_certs");
        assert_eq!(snake("MDMProfileData"), "mdm_profile_data");
        assert_eq!(snake("USEnglishDescription"), "us_english_description");
    }

    #[test]
    fn brands_are_one_word() {
        assert_eq!(snake("iTunesStoreID"), "itunes_store_id");
        assert_eq!(snake("iOSApp"), "ios_app");
        assert_eq!(snake("allowiTunes"), "allow_itunes");
        assert_eq!(snake("MaxiOSVersion"), "max_ios_version");
        assert_eq!(camel("macOS", "V"), "Macos");
    }

    #[test]
    fn plural_acronyms() {
        assert_eq!(snake("URLs"), "urls");
        assert_eq!(snake("AllowedURLs"), "allowed_urls");
        assert_eq!(snake("UUIDsToRemove"), "uuids_to_remove");
        assert_eq!(snake("IDs"), "ids");
    }

    #[test]
    fn punctuation_and_spaces() {
        assert_eq!(snake("Key Type"), "key_type");
        assert_eq!(snake("prompting-for-consent"), "prompting_for_consent");
        assert_eq!(snake("com.apple.MCX"), "com_apple_mcx");
        assert_eq!(camel("prompting-for-consent", "V"), "PromptingForConsent");
        assert_eq!(camel("not supported", "V"), "NotSupported");
        assert_eq!(camel("MCX(FileVault2)", "V"), "McxFileVault2");
    }

    #[test]
    fn digits() {
        assert_eq!(camel("3DES", "Value"), "Value3Des");
        assert_eq!(snake("SHA256Hash"), "sha256_hash");
        assert_eq!(snake("Base64"), "base64");
        assert_eq!(snake("802.1X"), "n802_1x");
        assert_eq!(snake("IPv4Address"), "ipv4_address");
        assert_eq!(snake("Base64Data"), "base64_data");
        assert_eq!(integer_variant(-1), "ValueMinus1");
        assert_eq!(integer_variant(4), "Value4");
    }

    #[test]
    fn keywords_get_an_underscore() {
        assert_eq!(snake("Type"), "type_");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("Where"), "where_");
        assert_eq!(snake("union"), "union_");
        assert_eq!(snake("Self"), "self_");
        assert_eq!(camel("Self", "V"), "VSelf");
    }

    #[test]
    fn scopes_make_names_unique() {
        let mut s = Scope::with_reserved(&["extra"]);
        assert_eq!(s.claim("extra", None), "extra2");
        assert_eq!(s.claim("Options", None), "Options");
        assert_eq!(s.claim("Options", Some("AttributesOptions")), "AttributesOptions");
        assert_eq!(s.claim("Options", Some("AttributesOptions")), "AttributesOptions2");
        assert_eq!(s.claim("Value1", None), "Value1");
        assert_eq!(s.claim("Value1", None), "Value1_2");
    }
}
