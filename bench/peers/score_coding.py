"""Scores one tool's coding predictions against the comments' codes (Heard and scikit-learn alike).

Usage: score_coding.py --data D.jsonl --predictions P.jsonl --tool NAME --results R.jsonl

Gold and predicted codes become binary indicator matrices over the file's code list (49 codes for
the NHS patient-feedback file); micro-F1 (every decision counts the same, so common codes weigh
most) and macro-F1 (every code counts the same, so rare codes weigh as much as common ones) over
the codes some comment truly has, as `heard coding cross-validate` and docs/quality.md compute it;
both with scikit-learn's f1_score and zero_division=0.
"""

import argparse

from sklearn.metrics import f1_score
from sklearn.preprocessing import MultiLabelBinarizer

from coding import read_data
from common import append_result, read_jsonl


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="JSON Lines: code list, then comments")
    parser.add_argument("--predictions", required=True, help="JSON Lines of {codes}, one per comment")
    parser.add_argument("--tool", required=True, help="tool name for the results, e.g. heard")
    parser.add_argument("--results", required=True, help="results file to append to")
    args = parser.parse_args()

    codes, comments = read_data(args.data)
    predicted = []
    for number, line in read_jsonl(args.predictions):
        unknown = set(line["codes"]) - set(codes)
        if unknown:
            raise SystemExit(f"{args.predictions}:{number}: unknown codes {sorted(unknown)}")
        predicted.append(line["codes"])
    if len(predicted) != len(comments):
        raise SystemExit(f"{args.predictions}: {len(predicted)} lines for {len(comments)} comments")

    binarizer = MultiLabelBinarizer(classes=codes)
    gold = binarizer.fit_transform([c["codes"] for c in comments])
    guess = binarizer.transform(predicted)
    present = [c for c in range(gold.shape[1]) if gold[:, c].any()]
    append_result(args.results, "coding", args.tool, "micro_f1", "", 0,
                  f1_score(gold, guess, average="micro", zero_division=0), "")
    append_result(args.results, "coding", args.tool, "macro_f1", "", 0,
                  f1_score(gold, guess, average="macro", labels=present, zero_division=0), "")


if __name__ == "__main__":
    main()
