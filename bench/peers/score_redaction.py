"""Scores one tool's redaction predictions against the corpus's gold spans (Heard and Presidio alike).

Usage: score_redaction.py --corpus C.jsonl --predictions P.jsonl --tool NAME --results R.jsonl

Matching is by overlap within a kind: a predicted span and a gold span of the same kind match when
they share at least one character (offsets are Python str indices, end exclusive). Per kind:
  precision = predicted spans that overlap a gold span of their kind / predicted spans of that kind
  recall    = gold spans overlapped by a prediction of their kind / gold spans of that kind
Overlap rather than exact boundaries, because for redaction what matters is that the personal data
is hit; tools differ harmlessly on edges ("Mr Smith" vs "Smith").
Case "ALL" is the micro average: the same counts summed over every kind.

Edge cases, chosen so that no number is invented: a kind with no predicted spans gets no precision
line (nothing was claimed, so there is nothing to be right or wrong about) but, if it has gold spans,
a recall of 0; a kind with no gold spans gets no recall line, and its precision (0 if it predicted
anything) still shows false alarms. Predictions of a kind outside Heard's eight are an error.
"""

import argparse

from common import append_result, read_jsonl

KINDS = [
    "PERSON", "NHS_NUMBER", "NI_NUMBER", "POSTCODE",
    "PHONE", "EMAIL", "DATE_OF_BIRTH", "ADDRESS",
]


def overlaps(a, b):
    return a["start"] < b["end"] and b["start"] < a["end"]


def count(gold_docs, predicted_docs):
    """Per kind: [predicted, predicted that hit, gold, gold that were hit]."""
    counts = {kind: [0, 0, 0, 0] for kind in KINDS}
    for gold, predicted in zip(gold_docs, predicted_docs):
        for span in gold + predicted:
            if span["kind"] not in counts:
                raise SystemExit(f"unknown kind {span['kind']!r} (expected one of {KINDS})")
        for p in predicted:
            counts[p["kind"]][0] += 1
            counts[p["kind"]][1] += any(g["kind"] == p["kind"] and overlaps(p, g) for g in gold)
        for g in gold:
            counts[g["kind"]][2] += 1
            counts[g["kind"]][3] += any(p["kind"] == g["kind"] and overlaps(p, g) for p in predicted)
    return counts


def scores(counts):
    """(case, metric, value) for each kind and for ALL, following the header's edge-case rules."""
    total = [sum(c[i] for c in counts.values()) for i in range(4)]
    for case, (predicted, hits, gold, found) in [*counts.items(), ("ALL", total)]:
        if predicted:
            yield case, "precision", hits / predicted
        if gold:
            yield case, "recall", found / gold


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True, help="JSON Lines of {text, spans}")
    parser.add_argument("--predictions", required=True, help="JSON Lines of {spans}, one per text")
    parser.add_argument("--tool", required=True, help="tool name for the results, e.g. heard")
    parser.add_argument("--results", required=True, help="results file to append to")
    args = parser.parse_args()

    gold = [doc["spans"] for _, doc in read_jsonl(args.corpus)]
    predicted = [doc["spans"] for _, doc in read_jsonl(args.predictions)]
    if len(gold) != len(predicted):
        raise SystemExit(f"{args.predictions}: {len(predicted)} lines for {len(gold)} texts")

    for case, metric, value in scores(count(gold, predicted)):
        append_result(args.results, "redaction", args.tool, metric, case, 0, value, "")


if __name__ == "__main__":
    main()
