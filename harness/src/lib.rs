//! Benchmarks (`benches/decode.rs`) and property tests
//! (`tests/properties.rs`) of `apple-device-management`, in a crate of
//! their own so that the library's examples and tests do not compile
//! criterion or proptest. Nothing here is published.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// Reads every token of a JSON document with serde_json and builds nothing,
/// but sees every string as text (checked UTF-8, escapes resolved), as a
/// typed decode must to match keys and keep values; `IgnoredAny` skips
/// those checks. The count of tokens read; `None` for invalid JSON.
pub fn json_token_count(bytes: &[u8]) -> Option<usize> {
    serde_json::from_slice::<Tokens>(bytes).ok().map(|t| t.0)
}

/// The number of tokens in a value.
struct Tokens(usize);

impl<'de> Deserialize<'de> for Tokens {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tokens, D::Error> {
        d.deserialize_any(Count)
    }
}

struct Count;

impl<'de> Visitor<'de> for Count {
    type Value = Tokens;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Tokens, E> {
        Ok(Tokens(1))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Tokens, E> {
        Ok(Tokens(1))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Tokens, E> {
        Ok(Tokens(1))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Tokens, E> {
        Ok(Tokens(1))
    }

    // serde_json checks the text before it calls this.
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Tokens, E> {
        Ok(Tokens(1))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Tokens, E> {
        Ok(Tokens(1))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tokens, A::Error> {
        let mut n = 1;
        while let Some(Tokens(m)) = seq.next_element()? {
            n += m;
        }
        Ok(Tokens(n))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tokens, A::Error> {
        let mut n = 1;
        while let Some(Tokens(k)) = map.next_key()? {
            let Tokens(v) = map.next_value()?;
            n += k + v;
        }
        Ok(Tokens(n))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_token_is_counted() {
        // The object, two keys, the array and its three items, the string.
        assert_eq!(super::json_token_count(br#"{"a": [1, true, null], "b": "x"}"#), Some(8));
        assert_eq!(super::json_token_count(br#"{"a": "#), None);
    }
}

/// The median of timings (the upper one of an even count).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
