//! Shareable links: a scenario (with its seed and the user's commands in its timeline) in a URL fragment,
//! as base64url of its JSON. Pure functions, tested natively; the UI reads and writes `location.hash`.

use crate::messages::Locale;
use crate::sim::config::{field, Code, InputError, Problem};
use crate::sim::scenario::{Scenario, ValidScenario};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Links longer than this are refused (browsers and chat tools cut long URLs).
pub const MAX_LINK_CHARS: usize = 64 * 1024;

pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (chunk[0] as u32) << 16
            | (*chunk.get(1).unwrap_or(&0) as u32) << 8
            | *chunk.get(2).unwrap_or(&0) as u32;
        let symbols = chunk.len() + 1;
        for i in 0..symbols {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// The bytes of base64url text; an error names the first character that is not base64url, and where.
pub fn base64url_decode(text: &str) -> Result<Vec<u8>, (char, usize)> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for (index, c) in text.bytes().enumerate() {
        let value = ALPHABET
            .iter()
            .position(|a| *a == c)
            .ok_or((c as char, index))?;
        buffer = buffer << 6 | value as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// The URL fragment (without `#`) that carries `scenario`.
pub fn encode_fragment(scenario: &Scenario) -> String {
    encode_fragment_within(scenario, usize::MAX).unwrap_or_default()
}

/// The fragment that carries `scenario` if it has at most `max_chars` characters; otherwise its length,
/// found without encoding it (base64url writes 4 characters per 3 bytes, and none for padding).
pub fn encode_fragment_within(scenario: &Scenario, max_chars: usize) -> Result<String, usize> {
    let json = serde_json::to_string(scenario).unwrap_or_else(|_| panic!("serializes"));
    let len = "s=".len() + (json.len() * 4).div_ceil(3);
    if len > max_chars {
        return Err(len);
    }
    Ok(format!("s={}", base64url_encode(json.as_bytes())))
}

/// Reads a URL fragment; `Ok(None)` when it carries no scenario.
pub fn decode_fragment(fragment: &str) -> Result<Option<ValidScenario>, InputError> {
    let fragment = fragment.trim_start_matches('#');
    let Some(encoded) = fragment.split('&').find_map(|part| part.strip_prefix("s=")) else {
        return Ok(None);
    };
    if encoded.len() > MAX_LINK_CHARS {
        return Err(InputError::of(
            "link",
            Problem::new(
                Code::LinkTooLong,
                vec![field("chars", encoded.len()), field("max", MAX_LINK_CHARS)],
            ),
        ));
    }
    let bytes = base64url_decode(encoded).map_err(|(character, at)| {
        InputError::of(
            "link",
            Problem::new(
                Code::LinkBadCharacter,
                vec![field("character", character), field("at", at)],
            ),
        )
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| InputError::of("link", Problem::new(Code::LinkNotUtf8, Vec::new())))?;
    Scenario::from_json(&text).map(Some)
}

/// The language a link asks for (`lang=` in the fragment): none if it names none. An unknown value is an
/// error naming the field; the page then keeps its own choice.
pub fn link_locale(fragment: &str) -> Result<Option<Locale>, InputError> {
    let fragment = fragment.trim_start_matches('#');
    let Some(tag) = fragment
        .split('&')
        .find_map(|part| part.strip_prefix("lang="))
    else {
        return Ok(None);
    };
    Locale::from_tag(tag).map(Some).ok_or_else(|| {
        let shown: String = tag.chars().take(16).collect();
        InputError::of(
            "lang",
            Problem::new(
                Code::UnknownLanguage,
                vec![field("name", format_args!("{shown:?}"))],
            ),
        )
    })
}

/// The address bar's fragment: the language, then the run (if it fits in a link).
pub fn link_fragment(locale: Locale, run: Option<&str>) -> String {
    match run {
        Some(run) => format!("#lang={}&{run}", locale.tag()),
        None => format!("#lang={}", locale.tag()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_carries_the_language() {
        assert_eq!(
            link_locale("#lang=zh-CN&s=abc").unwrap(),
            Some(Locale::ZhCn)
        );
        assert_eq!(link_locale("#s=abc&lang=en").unwrap(), Some(Locale::En));
        assert_eq!(link_locale("#s=abc").unwrap(), None);
        let error = link_locale("#lang=<script>&s=abc").unwrap_err();
        assert_eq!(error.path, "lang");
        assert!(error.message.contains("zh-CN"), "{error}");
        let fragment = link_fragment(Locale::ZhCn, Some("s=abc"));
        assert_eq!(fragment, "#lang=zh-CN&s=abc");
        assert_eq!(link_locale(&fragment).unwrap(), Some(Locale::ZhCn));
        assert!(decode_fragment(&link_fragment(Locale::En, None))
            .unwrap()
            .is_none());
    }

    #[test]
    fn base64url_round_trips_every_length() {
        for length in 0..40 {
            let bytes: Vec<u8> = (0..length).map(|i| (i * 37 + 11) as u8).collect();
            assert_eq!(base64url_decode(&base64url_encode(&bytes)).unwrap(), bytes);
        }
        assert_eq!(base64url_encode(b"Man"), "TWFu");
        assert_eq!(base64url_encode(b"Ma"), "TWE");
    }

    #[test]
    fn a_scenario_survives_the_link() {
        let text = include_str!("../public/scenarios/order-service.json");
        let scenario = Scenario::from_json(text).unwrap().scenario;
        let fragment = encode_fragment(&scenario);
        let decoded = decode_fragment(&format!("#{fragment}")).unwrap().unwrap();
        assert_eq!(decoded.scenario, scenario);
    }

    #[test]
    fn a_link_too_long_is_measured_exactly_without_being_written() {
        let text = include_str!("../public/scenarios/order-service.json");
        let scenario = Scenario::from_json(text).unwrap().scenario;
        let fragment = encode_fragment(&scenario);
        for max in [fragment.len(), fragment.len() + 1] {
            assert_eq!(encode_fragment_within(&scenario, max), Ok(fragment.clone()));
        }
        assert_eq!(
            encode_fragment_within(&scenario, fragment.len() - 1),
            Err(fragment.len())
        );
    }

    #[test]
    fn bad_links_give_clear_errors() {
        assert!(decode_fragment("").unwrap().is_none());
        assert!(decode_fragment("#other=1").unwrap().is_none());
        let damaged = decode_fragment("#s=%%%").unwrap_err();
        assert!(damaged.message.contains("damaged"), "{damaged}");
        let invalid =
            decode_fragment(&format!("#s={}", base64url_encode(br#"{"version": 2}"#))).unwrap_err();
        assert!(
            invalid.to_string().contains("not a valid scenario")
                || invalid.to_string().contains("version"),
            "{invalid}"
        );
    }
}
