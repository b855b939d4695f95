//! Fuzzes the Kumu JSON reader for cause maps: any text must read without panicking, both from a
//! string and from a stream (with the same answer), and a blueprint that makes a cause map must
//! keep the map's invariants and read back the same after being written as Kumu JSON.
#![no_main]

use heard_domain::causes::kumu::{Blueprint, MAX_CONNECTIONS, MAX_ELEMENTS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else { return };
    let parsed = Blueprint::parse(json);
    let streamed = Blueprint::from_reader(data);
    assert_eq!(parsed.is_ok(), streamed.is_ok());
    let Ok(blueprint) = parsed else { return };
    assert_eq!(Ok(&blueprint), streamed.as_ref().map_err(|_| ()));
    assert!(blueprint.elements.len() <= MAX_ELEMENTS);
    assert!(blueprint.connections.len() <= MAX_CONNECTIONS);
    let Ok(parts) = blueprint.map_parts(None) else { return };
    let count = parts.labels.len();
    assert!(count >= 1 && parts.central < count);
    assert_eq!(parts.descriptions.len(), count);
    assert_eq!(parts.tags.len(), count);
    for &(from, to) in &parts.arrows {
        assert!(from < count && to < count && from != to);
    }
    // What Heard writes, it reads back as the same map.
    let written = Blueprint::from_parts(&parts).to_json();
    let again = Blueprint::parse(&written).expect("written Kumu JSON parses");
    assert_eq!(again.map_parts(None).expect("written Kumu JSON makes a map"), parts);
});
