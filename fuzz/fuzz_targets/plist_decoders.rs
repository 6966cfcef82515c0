#![no_main]
//! The token-level plist decoder against the plist crate, on any bytes:
//! whatever the token-level decoder decodes, the plist crate decodes to the
//! same value (compared as encoded XML, so that NaN reals compare equal),
//! as a plist value and as typed commands, profiles and check-in messages
//! (leniently; the last two read their tag ahead of other keys). The
//! token-level decoder may decline what the plist crate reads (the default
//! decoder then uses the plist crate), never read it differently.
use apple_device_management::__private::{PlistDecoder, with_plist_decoder};
use apple_device_management::checkin::AnyCheckin;
use apple_device_management::commands::AnyRequest;
use apple_device_management::profiles::Profile;
use apple_device_management::{Command, from_plist_lenient, to_plist_xml};

fn agree<T: serde::Serialize>(data: &[u8], decode: impl Fn(&[u8]) -> Result<T, apple_device_management::Error>) {
    let Ok(tokens) = with_plist_decoder(PlistDecoder::TokensOnly, || decode(data)) else { return };
    let reference = with_plist_decoder(PlistDecoder::ReferenceOnly, || decode(data))
        .unwrap_or_else(|e| panic!("the token-level decoder read what the plist crate refuses: {e}"));
    assert_eq!(to_plist_xml(&tokens).ok(), to_plist_xml(&reference).ok(), "the decoders disagree");
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Through `FieldValue`, with the nesting limit.
    agree(data, from_plist_lenient::<plist::Value>);
    agree(data, from_plist_lenient::<Command<AnyRequest>>);
    agree(data, from_plist_lenient::<Profile>);
    agree(data, from_plist_lenient::<AnyCheckin>);
});
