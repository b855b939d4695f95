//! Fuzzes the redaction engine: any UTF-8 text, with and without known names, must redact
//! without panicking and keep `check_invariants` (spans in bounds, sorted, not overlapping, the
//! redacted text is the original with its spans applied, no email or NHS number left in it).
#![no_main]

use std::sync::LazyLock;

use heard_analysis::voice::redaction::{Redactor, check_invariants};
use libfuzzer_sys::fuzz_target;

static PLAIN: LazyLock<Redactor> = LazyLock::new(Redactor::new);
static WITH_KNOWN: LazyLock<Redactor> =
    LazyLock::new(|| Redactor::new().with_known_names(["Kai Moreno (demo)", "Zoë Quill", "Will"]));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for redactor in [&*PLAIN, &*WITH_KNOWN] {
        let redacted = redactor.redact(text);
        if let Err(problem) = check_invariants(redactor, text, &redacted) {
            panic!("{problem}");
        }
    }
});
