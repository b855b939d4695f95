//! Synthetic sources for tests and benchmarks: stories of 100 to 2,000 characters about using
//! services, with names, NHS numbers, phone numbers, emails, postcodes, National Insurance numbers,
//! dates of birth and addresses planted at realistic rates. Everything is made up: NHS numbers in
//! the 999 range kept for testing, Ofcom's drama phone ranges, `example.org` emails. The same seed
//! always gives the same sources.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use super::redaction::{PiiKind, Span};

/// One synthetic source and where its personal data was planted (char offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub text: String,
    pub planted: Vec<Span>,
}

/// A mix of search queries for benchmarks over these sources, as (class, query): words from the
/// generator's sentences, some in most sources and some in few; one word, several words, phrases.
pub const SEARCH_QUERIES: &[(&str, &str)] = &[
    ("one word", "waiting"),
    ("one word", "respite"),
    ("one word", "paperwork"),
    ("one word", "clinic"),
    ("one word", "housing"),
    ("one word", "hospital"),
    ("multi-word", "social worker"),
    ("multi-word", "care plan review"),
    ("multi-word", "buses walk stop"),
    ("multi-word", "mental health team"),
    ("multi-word", "library carers tuesdays"),
    ("phrase", "\"waiting list\""),
    ("phrase", "\"direct payments\""),
    ("phrase", "\"day centre\""),
    ("phrase", "\"green spaces\""),
    ("phrase", "\"budget changes\" transport"),
];

/// A deterministic stream of synthetic sources.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: StdRng,
    dialable_phones: bool,
}

const GIVEN: &[&str] = &[
    "Sarah", "Amina", "James", "Priya", "Oliver", "Fatima", "David", "Chloe", "Mohammed", "Margaret", "Liam",
    "Bethany", "Thomas", "Zainab", "Kevin", "Eleanor", "Rhys", "Niamh", "Tariq", "Joan",
];
const SURNAMES: &[&str] = &[
    "Patel", "Okafor", "Jones", "Khan", "Davies", "Murphy", "Nowak", "Robinson", "Hussain", "Campbell", "Evans",
    "Begum", "Thompson", "Osei", "Walsh", "Singh", "Edwards", "Fletcher",
];
const RELATIONS: &[&str] = &["son", "daughter", "mum", "dad", "husband", "wife", "carer", "neighbour", "nan"];
const STREETS: &[&str] = &["Station", "Mill", "Oak", "Victoria", "Meadow", "Chapel", "Orchard", "Willow", "Albert"];
const SUFFIXES: &[&str] = &["Road", "Street", "Avenue", "Close", "Lane", "Way", "Drive", "Crescent", "Court"];
const MONTH_NAMES: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const AREAS: &[&str] = &["LS", "M", "B", "NE", "CF", "EH", "BS", "NG", "LE", "SW", "YO", "HU"];
const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
const NI_PREFIXES: &[&str] = &["AB", "CE", "JT", "MW", "PR", "SH", "WL", "HN", "EY", "RT"];

/// Sentences with no personal data, some with traps: ordinary capitalised words at sentence
/// starts, months, dates without birth context, long numbers that are not NHS numbers.
const FILLER: &[&str] = &[
    "The waiting list for the assessment was much longer than anyone told us.",
    "We rang the council three times before someone called back.",
    "Will anyone actually read this, I wonder?",
    "March was the worst month, with the heating broken and no respite care.",
    "The day centre closed on 14/02/2023 and nothing replaced it.",
    "Getting to the clinic means two buses and a long walk from the stop.",
    "Staff at the surgery were kind but clearly stretched.",
    "Nobody explained what the care plan meant or who would review it.",
    "Our reference was 1234567890 but it never matched anything on their system.",
    "The café next to the library runs a carers' group on Tuesdays.",
    "It felt like we had to tell our story again to every new professional.",
    "Green spaces near the estate matter more than people realise.",
    "May brought a new social worker, the fourth in a year.",
    "The letter said the review would happen in 6 to 8 weeks; it took five months.",
    "Transport to the day service was cut after the budget changes.",
    "We found out about direct payments from another parent, not from anyone official.",
    "Hope is what keeps you going when the phone just rings and rings.",
    "The mental health team were brilliant once we finally got to see them.",
    "Sometimes the paperwork takes longer than the care itself.",
    "Young people need somewhere to go after school that feels safe.",
    "Naïve as it sounds, I thought the hospital would arrange everything at discharge.",
    "There were 23 of us at the listening event and everyone had a similar story 🙂.",
    "The GP referred us on 3 March 2021, and the appointment came in July.",
    "Housing repairs and health problems are tangled together for families like ours.",
];

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator { rng: StdRng::seed_from_u64(seed), dialable_phones: false }
    }

    /// Phone numbers only from Ofcom's drama ranges that libphonenumber, and so tools built on it
    /// such as Presidio, accept as valid numbers (London 020 7946 0xxx, Leeds 0113 496 0xxx,
    /// Manchester 0161 496 0xxx, Bristol 0117 496 0xxx; nationally or with +44), so that a
    /// comparison does not turn on the fictional ranges it rejects (01632 960xxx, 07700 900xxx).
    pub fn with_dialable_phones(mut self) -> Generator {
        self.dialable_phones = true;
        self
    }

    /// The next source: between 100 and 2,000 characters, most around 300 to 800.
    pub fn source(&mut self) -> Sample {
        let target = match self.rng.random_range(0..10) {
            0..=5 => self.rng.random_range(100..600),
            6..=8 => self.rng.random_range(600..1200),
            _ => self.rng.random_range(1200..2000),
        };
        let mut out = Builder { text: String::with_capacity(target + 200), chars: 0, planted: Vec::new() };
        while out.chars < target {
            if out.chars > 0 {
                out.push(" ");
            }
            self.sentence(&mut out);
        }
        Sample { text: out.text, planted: out.planted }
    }

    fn sentence(&mut self, out: &mut Builder) {
        let roll = self.rng.random_range(0..1000);
        match roll {
            0..=119 => {
                let name = self.full_name();
                out.push("I spoke to ");
                out.plant(&name, PiiKind::Person);
                out.push(" at the front desk and she was really helpful.");
            }
            120..=199 => {
                let relation = self.pick(RELATIONS);
                let given = self.pick(GIVEN);
                out.push(&format!("My {relation} "));
                out.plant(given, PiiKind::Person);
                out.push(" waited eleven weeks for a first appointment.");
            }
            200..=239 => {
                let surname = self.pick(SURNAMES);
                out.push("Dr ");
                out.plant(surname, PiiKind::Person);
                out.push(" finally listened to what we were saying.");
            }
            240..=264 => {
                let nhs = self.nhs_number();
                out.push("His NHS number is ");
                out.plant(&nhs, PiiKind::NhsNumber);
                out.push(" if you need to look him up.");
            }
            265..=289 => {
                let phone = self.phone();
                out.push("You can ring me on ");
                out.plant(&phone, PiiKind::Phone);
                out.push(" most afternoons.");
            }
            290..=304 => {
                let email = self.email();
                out.push("Please email ");
                out.plant(&email, PiiKind::Email);
                out.push(" with any updates.");
            }
            305..=329 => {
                let postcode = self.postcode();
                out.push("We live out at ");
                out.plant(&postcode, PiiKind::Postcode);
                out.push(" and the nearest clinic is miles away.");
            }
            330..=339 => {
                let ni = self.ni_number();
                out.push("They kept asking for my National Insurance number, ");
                out.plant(&ni, PiiKind::NiNumber);
                out.push(", on every form.");
            }
            340..=354 => {
                let date = self.date();
                out.push("She was born on ");
                out.plant(&date, PiiKind::DateOfBirth);
                out.push(" and has needed support since she was small.");
            }
            355..=369 => {
                let address = self.address();
                out.push("The carers came to ");
                out.plant(&address, PiiKind::Address);
                out.push(" twice a day.");
            }
            _ => {
                let filler = self.pick(FILLER);
                out.push(filler);
            }
        }
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from.choose(&mut self.rng).copied().unwrap_or_default()
    }

    fn full_name(&mut self) -> String {
        format!("{} {}", self.pick(GIVEN), self.pick(SURNAMES))
    }

    /// A valid NHS number in the 999 range, spaced 3-3-4 or not.
    fn nhs_number(&mut self) -> String {
        loop {
            let mut digits = [9u32, 9, 9, 0, 0, 0, 0, 0, 0, 0];
            for d in &mut digits[3..9] {
                *d = self.rng.random_range(0..10);
            }
            let sum: u32 = digits[..9].iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
            let check = match 11 - sum % 11 {
                11 => 0,
                10 => continue,
                check => check,
            };
            digits[9] = check;
            let s: String = digits.iter().filter_map(|d| char::from_digit(*d, 10)).collect();
            return if self.rng.random_bool(0.7) { format!("{} {} {}", &s[..3], &s[3..6], &s[6..]) } else { s };
        }
    }

    fn phone(&mut self) -> String {
        let n = self.rng.random_range(0..1000);
        if self.dialable_phones {
            let (area, local) = *[("20", "7946 0"), ("113", "496 0"), ("161", "496 0"), ("117", "496 0")]
                .choose(&mut self.rng)
                .unwrap_or(&("20", "7946 0"));
            return if self.rng.random_bool(0.8) {
                format!("0{area} {local}{n:03}")
            } else {
                format!("+44 {area} {local}{n:03}")
            };
        }
        match self.rng.random_range(0..4) {
            0 => format!("01632 960{n:03}"),
            1 => format!("020 7946 0{n:03}"),
            2 => format!("07700 900{n:03}"),
            _ => format!("+44 7700 900{n:03}"),
        }
    }

    fn email(&mut self) -> String {
        let given = self.pick(GIVEN).to_lowercase();
        let surname = self.pick(SURNAMES).to_lowercase();
        format!("{given}.{surname}{}@example.org", self.rng.random_range(1..100))
    }

    fn postcode(&mut self) -> String {
        let area = self.pick(AREAS);
        let district = self.rng.random_range(1..30);
        let sector = self.rng.random_range(0..10);
        let a = INWARD_LETTERS[self.rng.random_range(0..INWARD_LETTERS.len())] as char;
        let b = INWARD_LETTERS[self.rng.random_range(0..INWARD_LETTERS.len())] as char;
        format!("{area}{district} {sector}{a}{b}")
    }

    fn ni_number(&mut self) -> String {
        let prefix = self.pick(NI_PREFIXES);
        let digits: u32 = self.rng.random_range(0..1_000_000);
        let suffix = ['A', 'B', 'C', 'D'][self.rng.random_range(0..4)];
        let d = format!("{digits:06}");
        if self.rng.random_bool(0.5) {
            format!("{prefix} {} {} {} {suffix}", &d[..2], &d[2..4], &d[4..])
        } else {
            format!("{prefix}{d}{suffix}")
        }
    }

    fn date(&mut self) -> String {
        let day = self.rng.random_range(1..29);
        let month = self.rng.random_range(1..13);
        let year = self.rng.random_range(1930..2020);
        if self.rng.random_bool(0.5) {
            format!("{day} {} {year}", MONTH_NAMES[month - 1])
        } else {
            format!("{day:02}/{month:02}/{year}")
        }
    }

    fn address(&mut self) -> String {
        format!("{} {} {}", self.rng.random_range(1..200), self.pick(STREETS), self.pick(SUFFIXES))
    }
}

impl Iterator for Generator {
    type Item = Sample;

    fn next(&mut self) -> Option<Sample> {
        Some(self.source())
    }
}

struct Builder {
    text: String,
    chars: usize,
    planted: Vec<Span>,
}

impl Builder {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.chars += s.chars().count();
    }

    fn plant(&mut self, s: &str, kind: PiiKind) {
        let start = self.chars;
        self.push(s);
        self.planted.push(Span { start, end: self.chars, kind });
    }
}
