//! Share-link decoding: any fragment is decoded, ignored or refused with a field named; never a panic.
#![no_main]

use kafka_sim::share::decode_fragment;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(fragment) = std::str::from_utf8(data) else {
        return;
    };
    match decode_fragment(fragment) {
        Ok(Some(scenario)) => {
            // What loads must survive its own link.
            let again = kafka_sim::share::encode_fragment(&scenario.scenario);
            assert!(decode_fragment(&again).is_ok_and(|s| s.is_some()));
        }
        Ok(None) => {}
        Err(error) => assert!(
            !error.path.is_empty(),
            "a rejection without a field: {error}"
        ),
    }
});
