//! Tests of the redaction engine: each kind's true positives and tricky negatives, placeholders,
//! offsets in chars, reviewed spans, and properties over arbitrary text.

use proptest::prelude::*;

use super::known::KnownNames;
use super::names::{Gazetteer, capitalised_words_scanning};
use super::patterns::{Patterns, is_nhs_number, phone_len};
use super::*;
use crate::voice::synthetic::Generator;

/// Compiling the patterns takes a while unoptimised: once for all tests.
static REDACTOR: std::sync::LazyLock<Redactor> = std::sync::LazyLock::new(Redactor::new);
static WITH_KNOWN: std::sync::LazyLock<Redactor> =
    std::sync::LazyLock::new(|| Redactor::new().with_known_names(["Kai Moreno"]));
static GAZETTEER: std::sync::LazyLock<Gazetteer> = std::sync::LazyLock::new(Gazetteer::new);

fn kinds(text: &str) -> Vec<(String, PiiKind)> {
    let chars: Vec<char> = text.chars().collect();
    REDACTOR.detect(text).into_iter().map(|s| (chars[s.start..s.end].iter().collect(), s.kind)).collect()
}

fn found(text: &str, surface: &str, kind: PiiKind) -> bool {
    kinds(text).iter().any(|(s, k)| s == surface && *k == kind)
}

fn none_of(text: &str, kind: PiiKind) -> bool {
    kinds(text).iter().all(|(_, k)| *k != kind)
}

#[test]
fn kind_codes_round_trip() {
    for kind in PiiKind::ALL {
        assert_eq!(PiiKind::from_code(kind.code()), Some(kind));
    }
    assert_eq!(PiiKind::from_code("NAME"), None);
}

#[test]
fn nhs_numbers_need_a_valid_check_digit() {
    // 943 476 5919 is the NHS Data Dictionary's worked example.
    assert!(is_nhs_number("9434765919"));
    assert!(found("NHS no 943 476 5919 on file", "943 476 5919", PiiKind::NhsNumber));
    assert!(found("NHS no 943-476-5919.", "943-476-5919", PiiKind::NhsNumber));
    assert!(found("(9434765919)", "9434765919", PiiKind::NhsNumber));
    // Same digits, wrong check digit; a remainder of 10 (never issued); mixed separators.
    assert!(none_of("reference 9434765918 here", PiiKind::NhsNumber));
    assert!(!is_nhs_number("1000000010"));
    assert!(none_of("number 943 4765919", PiiKind::NhsNumber));
    assert!(none_of("number 943-476 5919", PiiKind::NhsNumber));
    // Part of a longer run of digits; glued to letters it still counts.
    assert!(none_of("serial 94347659190", PiiKind::NhsNumber));
    assert!(found("ref9434765919x", "9434765919", PiiKind::NhsNumber));
}

#[test]
fn national_insurance_numbers_skip_excluded_prefixes() {
    assert!(found("NI number AB123456C.", "AB123456C", PiiKind::NiNumber));
    assert!(found("NI: JT 12 34 56 A", "JT 12 34 56 A", PiiKind::NiNumber));
    assert!(found("ni ce123456d", "ce123456d", PiiKind::NiNumber));
    for excluded in [
        "DA123456A",
        "FA123456A",
        "QQ123456C",
        "AO123456A",
        "BG123456A",
        "GB123456A",
        "NK123456A",
        "TN123456A",
        "ZZ123456A",
    ] {
        assert!(none_of(&format!("ref {excluded} ok"), PiiKind::NiNumber), "{excluded}");
    }
    // Suffix must be A-D.
    assert!(none_of("ref AB123456E ok", PiiKind::NiNumber));
}

#[test]
fn postcodes_in_every_format() {
    for postcode in ["M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "SW1A1AA", "ls6 2ab", "GIR 0AA"]
    {
        assert!(found(&format!("We live at {postcode}, near town."), postcode, PiiKind::Postcode), "{postcode}");
    }
    // Letters a position never has (Q first, C in the inward part), and mixed case prose.
    assert!(none_of("code QA1 1AB", PiiKind::Postcode));
    assert!(none_of("code M1 1CA", PiiKind::Postcode));
    assert!(none_of("junction M6 4th exit", PiiKind::Postcode));
}

#[test]
fn phone_numbers_uk_and_international() {
    for phone in [
        "01632 960123",
        "020 7946 0958",
        "07700 900123",
        "07700900123",
        "+44 7700 900123",
        "+44 (0)20 7946 0958",
        "0800 123 4567",
        "+1 555 010 0199",
        "+33 1 23 45 67 89",
        "(01632) 960123",
    ] {
        assert!(found(&format!("Ring {phone} today."), phone, PiiKind::Phone), "{phone}");
    }
    // A trailing number is not swallowed.
    assert!(found("Call 0161 496 0000 2 times", "0161 496 0000", PiiKind::Phone));
    assert!(none_of("There were 0 1 2 options", PiiKind::Phone));
    assert!(none_of("Ref 0512345678", PiiKind::Phone));
    assert_eq!(phone_len("0161 496"), None);
}

#[test]
fn emails() {
    assert!(found("write to jo.bloggs+care@example.org.uk now", "jo.bloggs+care@example.org.uk", PiiKind::Email));
    assert!(found("(a_b@sub.example.com)", "a_b@sub.example.com", PiiKind::Email));
    assert!(none_of("meet @ the centre", PiiKind::Email));
    assert!(none_of("user@localhost", PiiKind::Email));
}

#[test]
fn dates_count_only_with_birth_context() {
    assert!(found("She was born on 3 March 1987 in Leeds.", "3 March 1987", PiiKind::DateOfBirth));
    assert!(found("DOB: 12/03/1987", "12/03/1987", PiiKind::DateOfBirth));
    assert!(found("date of birth 1987-03-12.", "1987-03-12", PiiKind::DateOfBirth));
    assert!(found("his birthday is March 3rd, 2015", "March 3rd, 2015", PiiKind::DateOfBirth));
    assert!(found("12.03.1987 (date of birth)", "12.03.1987", PiiKind::DateOfBirth));
    // No birth context, or too far away, or not a word.
    assert!(none_of("The centre closed on 3 March 2023.", PiiKind::DateOfBirth));
    assert!(none_of("The review was on 12/03/2023.", PiiKind::DateOfBirth));
    assert!(none_of("He was stubborn on 12/03/2023.", PiiKind::DateOfBirth));
    assert!(none_of(
        "She was born in Leeds and grew up there, and many years later the clinic saw her on 12/03/2023.",
        PiiKind::DateOfBirth
    ));
    assert!(none_of("born on 45/13/1987", PiiKind::DateOfBirth));
}

#[test]
fn street_addresses() {
    assert!(found("She lives at 14 Station Road with her mum.", "14 Station Road", PiiKind::Address));
    assert!(found("Flat 3, 27B St Mary's Close", "Flat 3, 27B St Mary's Close", PiiKind::Address));
    assert!(found("at 2 High Street.", "2 High Street", PiiKind::Address));
    assert!(none_of("we waited 14 weeks on the road", PiiKind::Address));
    assert!(none_of("3 Roads merge", PiiKind::Address));
}

#[test]
fn names_from_the_gazetteer_and_context() {
    assert!(found("I spoke to Sarah Patel at reception.", "Sarah Patel", PiiKind::Person));
    assert!(found("Sarah said it was fine.", "Sarah", PiiKind::Person));
    assert!(found("Then Dr Okonkwo came in.", "Okonkwo", PiiKind::Person));
    assert!(found("Then Mrs. Ng came in.", "Ng", PiiKind::Person));
    assert!(found("my son Kai loves it", "Kai", PiiKind::Person));
    assert!(found("a lady called Joan helped", "Joan", PiiKind::Person));
    assert!(found("Will Smith was our worker.", "Will Smith", PiiKind::Person));
    assert!(found("Amina Okonkwo-Reid rang.", "Amina Okonkwo-Reid", PiiKind::Person));
    assert!(found("We told Sarah Green everything.", "Sarah Green", PiiKind::Person));
    assert!(found("O'Neill's team helped", "O'Neill", PiiKind::Person));
    assert!(found("Sarah's mum came", "Sarah", PiiKind::Person));
    // Ordinary capitalised words, months and ambiguous names without context.
    assert!(none_of("Will you call me back?", PiiKind::Person));
    assert!(none_of("March was hard. May was worse.", PiiKind::Person));
    assert!(none_of("Green spaces matter. Hope keeps you going.", PiiKind::Person));
    assert!(none_of("The NHS and the Council wrote.", PiiKind::Person));
    assert!(none_of("My son The", PiiKind::Person));
}

#[test]
fn every_gazetteer_name_is_found_in_any_case() {
    let list = |text: &'static str| text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
    let ambiguous: Vec<&str> = list(include_str!("ambiguous.txt")).collect();
    let names = list(include_str!("given_names.txt")).chain(list(include_str!("surnames.txt")));
    let mut checked = 0;
    for name in names.filter(|name| !ambiguous.contains(name)) {
        let upper_first: String =
            name.chars().take(1).chain(name.chars().skip(1).flat_map(char::to_lowercase)).collect();
        let text = format!("Then {upper_first} came.");
        let detected = kinds(&text);
        if detected.is_empty() {
            // The NEVER list wins over the gazetteer.
            continue;
        }
        assert_eq!(detected, [(upper_first.clone(), PiiKind::Person)], "{text}");
        checked += 1;
    }
    assert!(checked > 400, "{checked}");
}

#[test]
fn known_names_are_always_found() {
    let redactor = Redactor::new().with_known_names(["Kai Moreno (demo)", "Zoë Quill", "  "]);
    let text = "kai moreno (demo) met Zoë Quill; Zoë Quillson did not come.";
    let spans = redactor.detect(text);
    let chars: Vec<char> = text.chars().collect();
    let surfaces: Vec<String> = spans.iter().map(|s| chars[s.start..s.end].iter().collect()).collect();
    assert_eq!(surfaces, ["kai moreno (demo)", "Zoë Quill"]);
}

#[test]
fn overlaps_keep_the_longest_span() {
    // "Oak" is no name, but "Sarah" at the start of a street name is; the address wins.
    let spans = kinds("She lives at 12 Sarah Close now");
    assert_eq!(spans, [("12 Sarah Close".to_owned(), PiiKind::Address)]);
    // An email containing a name is one email.
    assert_eq!(kinds("mail Sarah.Patel@example.org"), [("Sarah.Patel@example.org".to_owned(), PiiKind::Email)]);
}

#[test]
fn placeholders_are_stable_within_a_text() {
    let redacted = Redactor::new().redact(
        "Sarah Patel rang from 07700 900123. Later sarah  patel rang again from 07700900123; Tom Jones did not. Sarah Patel left.",
    );
    assert_eq!(
        redacted.text,
        "[NAME-1] rang from [PHONE-1]. Later sarah  patel rang again from [PHONE-1]; [NAME-2] did not. [NAME-1] left."
    );
}

#[test]
fn placeholders_count_past_nine() {
    let text = "a b c d e f g h i j k l a";
    let spans: Vec<Span> = (0..13).map(|i| Span { start: 2 * i, end: 2 * i + 1, kind: PiiKind::Person }).collect();
    assert_eq!(
        apply(text, &spans),
        "[NAME-1] [NAME-2] [NAME-3] [NAME-4] [NAME-5] [NAME-6] [NAME-7] [NAME-8] [NAME-9] [NAME-10] [NAME-11] [NAME-12] [NAME-1]"
    );
}

#[test]
fn offsets_count_chars_not_bytes() {
    let text = "Café 🙂 naïve: Sarah Patel, 943 476 5919.";
    let spans = Redactor::new().detect(text);
    assert_eq!(
        spans,
        [Span { start: 14, end: 25, kind: PiiKind::Person }, Span { start: 27, end: 39, kind: PiiKind::NhsNumber }]
    );
    let chars: Vec<char> = text.chars().collect();
    assert_eq!(chars[14..25].iter().collect::<String>(), "Sarah Patel");
    assert_eq!(Redactor::new().redact(text).text, "Café 🙂 naïve: [NAME-1], [NHS-NUMBER-1].");
}

#[test]
fn apply_reviewed_spans() {
    let text = "Zoë met Bob at the café on Tuesday.";
    // Added by a reviewer (Bob), a detected name (Zoë), in any order, by chars.
    let spans = [Span { start: 8, end: 11, kind: PiiKind::Person }, Span { start: 0, end: 3, kind: PiiKind::Person }];
    assert_eq!(apply(text, &spans), "[NAME-1] met [NAME-2] at the café on Tuesday.");
    // Overlapping spans merge; an end past the text is cut to its end; empty spans do nothing.
    let spans = [
        Span { start: 0, end: 5, kind: PiiKind::Person },
        Span { start: 3, end: 8, kind: PiiKind::Address },
        Span { start: 30, end: 99, kind: PiiKind::Address },
        Span { start: 12, end: 12, kind: PiiKind::Email },
    ];
    assert_eq!(apply(text, &spans), "[NAME-1]Bob at the café on Tue[ADDRESS-1]");
    assert_eq!(apply(text, &[]), text);
}

#[test]
fn synthetic_sources_are_found_without_false_alarms() {
    let redactor = Redactor::new();
    let (mut planted, mut missed, mut extra) = (0, 0, 0);
    // Both phone styles: Ofcom's drama ranges, and only those libphonenumber takes for dialable.
    let dialable = Generator::new(12).with_dialable_phones().take(300);
    for sample in Generator::new(11).take(500).chain(dialable) {
        assert!((100..2300).contains(&sample.text.chars().count()));
        let spans = redactor.detect(&sample.text);
        for p in &sample.planted {
            planted += 1;
            if !spans.iter().any(|d| d.kind == p.kind && d.start <= p.start && d.end >= p.end) {
                missed += 1;
            }
        }
        extra += spans.iter().filter(|d| !sample.planted.iter().any(|p| d.start < p.end && p.start < d.end)).count();
    }
    assert!(planted > 1000);
    assert_eq!((missed, extra), (0, 0));
    assert_eq!(Generator::new(3).source(), Generator::new(3).source());
}

static PATTERNS: std::sync::LazyLock<Patterns> = std::sync::LazyLock::new(Patterns::new);

/// The pattern candidates by windows and skipped patterns, and by scanning everything, in one order.
fn windowed_and_full(text: &str) -> (Vec<Candidate>, Vec<Candidate>) {
    let (mut windowed, mut full) = (Vec::new(), Vec::new());
    PATTERNS.find(text, &mut windowed);
    PATTERNS.find_scanning_everything(text, &mut full);
    windowed.sort_by_key(|c| (c.start, c.end, c.kind));
    full.sort_by_key(|c| (c.start, c.end, c.kind));
    (windowed, full)
}

#[test]
fn windows_find_what_a_full_scan_finds() {
    for sample in Generator::new(5).take(300) {
        let (windowed, full) = windowed_and_full(&sample.text);
        assert_eq!(windowed, full);
    }
    // Each at the fewest digits its pattern needs, alone in its window.
    for text in [
        "at 3, Oak Road now",
        "Flat 3, 27B St Mary's Close",
        "apartment 12a, 1234a High Street",
        "we live at GIR 0AA now",
        "code m1 1ae here",
        "born 1/2/87 here",
        // A birth word as far after and before a date as counts.
        "12.03.1987 is, we were told, her: date of birth",
        "date of birth, as a form says in its small print, at its end 3rd of March, 1987",
        "call +1 555 0100 now",
        "ring 0800 12345 now",
        "NI JT123456A here",
        "NHS 9434765919 here",
    ] {
        let (windowed, full) = windowed_and_full(text);
        assert!(!full.is_empty(), "{text}");
        assert_eq!(windowed, full, "{text}");
    }
}

#[test]
fn capital_letters_find_the_words_a_full_tokenisation_finds() {
    for sample in Generator::new(6).take(300) {
        assert_eq!(GAZETTEER.capitalised_words(&sample.text), capitalised_words_scanning(&sample.text));
    }
    for text in [
        "Mr. Ng, Dr  Okonkwo, my son Kai, O'Neill's Mum, Sarah's Mum, x'Yves, a-'Bo, Smith- Kai, 3. Kai",
        "’Tis Zoë’s Ñandú ÉLODIE Élodie; l’Évêque d’Arc, McDonald iPhone A I NHS Mrs.Ng",
        "Ann-Marie Jones-Smith-Evans's Cat - Dog -- Eve ''Al ’’Bo Kai’ Li",
        "my fiancé Kai, FIANCÉE Bo, Fiancée Al, SON Jo, mr Li, MR Bo, Mrs Al, Nurse. Jo, Nurses Bo",
    ] {
        assert_eq!(GAZETTEER.capitalised_words(text), capitalised_words_scanning(text), "{text}");
    }
}

#[test]
fn known_names_are_found_around_their_rarest_bytes_as_by_a_full_scan() {
    // Four rarest bytes ("(", "q", "k", "m"), compared directly; then six, by a table.
    let few = ["Kai Moreno (demo)", "Robin Ashdown (demo)", "Zoë Quill", "Kai", "ai Mo"];
    let many = [&few[..], &["Jo Vance", "Sarah Patel"]].concat();
    for names in [&few[..], &many[..]] {
        let known = KnownNames::new(names).expect("names build an automaton");
        let texts = Generator::new(7).take(200).map(|sample| sample.text);
        let more =
            ["KAI moreno (DEMO) and kai, Zoë Quill; zoë quillson, bai mo kai moreno (demo), jo vance".to_owned()];
        for text in texts.chain(more) {
            let (mut windowed, mut full) = (Vec::new(), Vec::new());
            known.find(&text, &mut windowed);
            known.find_scanning_everything(&text, &mut full);
            assert_eq!(windowed, full, "{text}");
        }
    }
}

/// Text made of word-like pieces and the characters that join or separate words, for the name
/// scanner's edge cases.
fn word_like_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[A-Za-z]{1,6}",
        "[A-ZÉÑ][a-zéñ]{0,5}",
        "[ '’.,-]{1,3}",
        Just("Mr".to_owned()),
        Just("Dr. ".to_owned()),
        Just("son ".to_owned()),
        Just("'s ".to_owned()),
        Just("’S".to_owned()),
        "\\PC{0,3}",
    ];
    proptest::collection::vec(piece, 0..30).prop_map(|pieces| pieces.concat())
}

/// Text built from pieces that look like personal data, glued with noise, so that the properties
/// are tested where the detectors actually fire.
fn pii_like_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("943 476 5919".to_owned()),
        Just("9434765919".to_owned()),
        Just("jo@example.org".to_owned()),
        Just("Sarah Patel".to_owned()),
        Just("Mr ".to_owned()),
        Just("07700 900123".to_owned()),
        Just("+44 ".to_owned()),
        Just("AB123456C".to_owned()),
        Just("LS6 2AB".to_owned()),
        Just("born 3 March 1987".to_owned()),
        Just("12 Oak Road".to_owned()),
        Just("é🙂".to_owned()),
        "[0-9 @.+()-]{0,12}",
        "[A-Za-z]{0,8}",
        "\\PC{0,10}",
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn redaction_keeps_its_invariants_on_any_text(text in "\\PC{0,300}") {
        let redactor = &*REDACTOR;
        let redacted = redactor.redact(&text);
        prop_assert_eq!(check_invariants(redactor, &text, &redacted), Ok(()));
    }

    #[test]
    fn redaction_keeps_its_invariants_on_pii_like_text(text in pii_like_text()) {
        let redactor = &*WITH_KNOWN;
        let redacted = redactor.redact(&text);
        prop_assert_eq!(check_invariants(redactor, &text, &redacted), Ok(()));
        prop_assert_eq!(redactor.detect(&text), redacted.spans);
    }

    #[test]
    fn capital_letters_find_every_capitalised_word(text in word_like_text()) {
        prop_assert_eq!(GAZETTEER.capitalised_words(&text), capitalised_words_scanning(&text));
    }

    #[test]
    fn capital_letters_find_every_capitalised_word_in_any_text(text in "\\PC{0,200}") {
        prop_assert_eq!(GAZETTEER.capitalised_words(&text), capitalised_words_scanning(&text));
    }

    #[test]
    fn known_names_are_found_as_by_a_full_scan(
        names in proptest::collection::vec("[a-eA-EëQ() .-]{1,9}", 1..9),
        picks in proptest::collection::vec((0usize..8, 0usize..9, 0usize..9, any::<bool>()), 0..12),
        noise in "[a-eA-E .]{0,40}",
    ) {
        // Text of whole names, pieces of names and noise, in mixed case, so that matches overlap.
        let names: Vec<&str> = names.iter().map(|name| name.trim()).filter(|name| !name.is_empty()).collect();
        prop_assume!(!names.is_empty());
        let mut text = String::new();
        for (which, from, to, upper) in picks {
            let name = names[which % names.len()];
            let piece = name.get(from.min(to)..from.max(to)).filter(|_| which < 6).unwrap_or(name);
            text.push_str(&if upper { piece.to_ascii_uppercase() } else { piece.to_owned() });
            text.push_str(&noise[..noise.len().min(which * 3)]);
        }
        let known = KnownNames::new(&names).expect("names build an automaton");
        let (mut windowed, mut full) = (Vec::new(), Vec::new());
        known.find(&text, &mut windowed);
        known.find_scanning_everything(&text, &mut full);
        prop_assert_eq!(windowed, full);
    }

    #[test]
    fn windows_find_what_a_full_scan_finds_in_pii_like_text(text in pii_like_text()) {
        let (windowed, full) = windowed_and_full(&text);
        prop_assert_eq!(windowed, full);
    }

    #[test]
    fn windows_find_what_a_full_scan_finds_in_numbers_and_words(text in "([0-9]{1,5}|[A-Za-z]{1,4}|[ ,./()+@-]|born |DOB |Flat |[A-Z][a-z]{2,6} (Road|St|Close) ){0,30}") {
        let (windowed, full) = windowed_and_full(&text);
        prop_assert_eq!(windowed, full);
    }

    #[test]
    fn apply_never_panics(text in "\\PC{0,60}", spans in proptest::collection::vec((0usize..80, 0usize..80, 0usize..8), 0..6)) {
        let spans: Vec<Span> = spans.into_iter().map(|(a, b, k)| Span { start: a, end: b, kind: PiiKind::ALL[k] }).collect();
        let _ = apply(&text, &spans);
    }
}

#[test]
fn overlapping_candidates_are_covered_whole_by_the_winner() {
    // Found by the redact fuzz target: a run of capitalised words taken as a name swallowed the start
    // of an email address, and the address's tail ("7Ili@W.liiW") was left readable.
    let text = "Kai AJWWWAJKapJWWWAJWWWWWWWHHJ'Jd7Ili@W.liiW";
    for redactor in [&*REDACTOR, &*WITH_KNOWN] {
        let redacted = redactor.redact(text);
        assert_eq!(check_invariants(redactor, text, &redacted), Ok(()), "{}", redacted.text);
        assert!(!redacted.text.contains('@'), "{}", redacted.text);
    }
    // The longer candidate still names the kind, and the shorter one inside it adds nothing.
    let redacted = REDACTOR.redact("She lives at 12 Oak Road now");
    assert_eq!(redacted.text, "She lives at [ADDRESS-1] now");
}
