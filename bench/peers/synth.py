"""Tiny synthetic inputs for test_peers.py and for trying the peers by hand (not bench/run's data).

`python3 synth.py redaction N OUT.jsonl` writes N made-up stories with gold spans in Heard's kinds.
Every person, number and address here is invented: NHS numbers in the 999 range with a valid check
digit, phone numbers in Ofcom's drama ranges, example.org email addresses.
"""

import json
import random
import struct
import sys

FIRST = ["Aisha", "Tom", "Priya", "Gareth", "Megan", "Kwame", "Siobhan", "Dylan", "Fatima", "Owen"]
LAST = ["Hughes", "Okafor", "Patel", "Jones", "Murphy", "Campbell", "Evans", "Khan", "Wright"]
STREETS = ["Mill Lane", "Station Road", "Church Street", "Victoria Avenue", "Park Crescent"]
POSTCODES = ["NE1 4ST", "LS6 2AB", "M14 5RQ", "CF10 3AT", "BS8 1TH", "SW1A 1AA", "B15 2TT"]
MONTHS = ["January", "March", "May", "July", "September", "November"]


def nhs_number(rng):
    """A 999-range NHS number with a valid modulus-11 check digit, spaced 3-3-4."""
    while True:
        digits = [9, 9, 9] + [rng.randrange(10) for _ in range(6)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if check == 11:
            check = 0
        if check != 10:
            s = "".join(map(str, digits + [check]))
            return f"{s[:3]} {s[3:6]} {s[6:]}"


def story(rng):
    """One story and its gold spans, assembled piece by piece so the offsets are exact."""
    text, spans = "", []

    def say(plain, kind=None, value=None):
        nonlocal text
        text += plain
        if kind:
            spans.append({"kind": kind, "start": len(text), "end": len(text) + len(value)})
            text += value

    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    say("My name is ", "PERSON", name)
    say(" and I care for my mother. Her NHS number is ", "NHS_NUMBER", nhs_number(rng))
    born = f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(1930, 1960)}"
    say(". She was born on ", "DATE_OF_BIRTH", born)
    say(" and lives at ", "ADDRESS", f"{rng.randint(1, 120)} {rng.choice(STREETS)}")
    say(", ", "POSTCODE", rng.choice(POSTCODES))
    # The four drama-range forms Heard's own generator uses (heard-analysis voice/synthetic.rs).
    n = rng.randint(0, 999)
    phone = rng.choice([f"01632 960{n:03d}", f"020 7946 0{n:03d}", f"07700 900{n:03d}",
                        f"+44 7700 900{n:03d}"])
    say(". The social worker said to ring ", "PHONE", phone)
    say(" or email ", "EMAIL", f"{name.split()[0].lower()}.{rng.randint(1, 99)}@example.org")
    digits = " ".join(str(rng.randint(10, 99)) for _ in range(3))
    nino = f"{rng.choice(['AB', 'CE', 'JT'])} {digits} {rng.choice('ABCD')}"
    say(". My national insurance number is ", "NI_NUMBER", nino)
    say(". " + "The day centre closed and we waited months for a review. " * rng.randint(0, 4))
    return {"text": text, "spans": spans}


def write_redaction(n, path, seed=1):
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        for _ in range(n):
            out.write(json.dumps(story(rng)) + "\n")


def write_votes(participants, statements, path, seed=1, truth=None):
    """Two camps that disagree on every statement, some missing votes; int32 LE triples. Given
    `truth`, each participant's camp (0 or 1) is written there, an int32 LE each."""
    rng = random.Random(seed)
    with open(path, "wb") as out:
        for p in range(participants):
            camp = 1 if p % 2 else -1
            for s in range(statements):
                if rng.random() < 0.15:
                    continue  # not voted
                vote = camp if s % 3 else rng.choice([-1, 0, 1])
                out.write(struct.pack("<iii", p, s, vote))
    if truth:
        with open(truth, "wb") as out:
            out.write(struct.pack(f"<{participants}i", *(p % 2 for p in range(participants))))


def write_coding(n, path, seed=1):
    """n comments with three codes (by their words), folds 0..4, and the code list first."""
    rng = random.Random(seed)
    codes = ["Staff manner & personal attributes", "Waiting time", "Food"]
    words = [["kind", "caring", "rude", "friendly"], ["wait", "waited", "delay", "queue"],
             ["food", "meal", "lunch", "tea"]]
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps({"codes": codes}) + "\n")
        for i in range(n):
            chosen = [c for c in range(3) if rng.random() < 0.45] or [rng.randrange(3)]
            text = " ".join(rng.choice(words[c]) + " " + rng.choice(["the", "a", "very"])
                            for c in chosen for _ in range(2))
            out.write(json.dumps({"text": f"The {text} ward.", "codes": [codes[c] for c in chosen],
                                  "fold": i % 5}) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("redaction", "coding"):
        raise SystemExit("usage: synth.py redaction|coding N OUT.jsonl")
    {"redaction": write_redaction, "coding": write_coding}[sys.argv[1]](int(sys.argv[2]), sys.argv[3])
