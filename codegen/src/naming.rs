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
    "iMessage", "iWork", "eSIM", "IPv4", "IPv6", "FaceTime", "AirPlay", "AirPrint", "AirDrop",
];

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
    let mut out = Vec::new();
    for chunk in raw.split(|c: char| !c.is_ascii_alphanumeric()) {
        split_chunk(chunk, &mut out);
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

/// A variant name for an integer value: `Value1`, `ValueMinus1`.
pub fn integer_variant(v: i64) -> String {
    if v < 0 { format!("ValueMinus{}", v.unsigned_abs()) } else { format!("Value{v}") }
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

    #[test]
    fn acronyms_stay_whole() {
        assert_eq!(snake("UDID"), "udid");
        assert_eq!(snake("VPNUUID"), "vpnuuid");
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
