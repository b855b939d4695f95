"""Coding peer: a TF-IDF + linear SVM classifier codes the NHS patient-feedback comments Heard codes.

Usage: coding.py --data D.jsonl --runs N [--first-run K] --predictions OUT.jsonl --results R.jsonl

D.jsonl: a first line {"codes": [the code names in order]}, then one line per comment
{"text": ..., "codes": [...], "fold": 0..4}.
The peer is the common strong baseline for multi-label text coding: TfidfVectorizer(sublinear_tf=True,
ngram_range=(1, 2), min_df=2) and OneVsRestClassifier(LinearSVC()), one binary SVM per code, on one
thread (n_jobs=None), scikit-learn's defaults otherwise (LinearSVC's random_state fixed at 0).
Each of N runs times training on the whole file (vectorizer fit + classifier fit: train_seconds)
and predicting the whole file (transform + predict: predict_seconds). Then the given 5 folds give
out-of-fold predictions (train on the other four each time), written to OUT.jsonl one line per
comment in order: {"codes": [...]}. Runs are numbered from K (default 1), so that runs interleaved
with Heard's keep their numbers; past 1 only the timed runs are made, run 1 having written OUT.jsonl.
"""

import argparse
import json
import time
import warnings

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.svm import LinearSVC

from common import append_result, read_jsonl

# A code no training comment has (or every one has) is learnt as a constant by OneVsRestClassifier,
# which says so once per code and fold: hundreds of lines that hide the run's progress.
warnings.filterwarnings("ignore", message="Label not .* is present in all training examples",
                        category=UserWarning)


def read_data(path):
    """(code names, comments) from the data file; each comment a dict with text, codes, fold."""
    lines = list(read_jsonl(path))
    if not lines or "text" in lines[0][1]:
        raise SystemExit(f"{path}:1: expected the first line to be {{\"codes\": [...]}}")
    codes = lines[0][1]["codes"]
    comments = [comment for _, comment in lines[1:]]
    for number, comment in lines[1:]:
        unknown = set(comment["codes"]) - set(codes)
        if unknown:
            raise SystemExit(f"{path}:{number}: codes not in the first line: {sorted(unknown)}")
    return codes, comments


def model():
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    # LinearSVC can stop at max_iter on a rare code; the model is still usable and the
    # warning would flood the log once per code.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    return make_pipeline(
        TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2),
        OneVsRestClassifier(LinearSVC(random_state=0), n_jobs=None),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="JSON Lines: code list, then comments")
    parser.add_argument("--runs", type=int, required=True, help="timed train/predict runs")
    parser.add_argument("--first-run", type=int, default=1,
                        help="the number of the first run (runs interleaved with Heard's)")
    parser.add_argument("--predictions", required=True, help="out-of-fold codes (JSON Lines)")
    parser.add_argument("--results", required=True, help="results file to append to")
    args = parser.parse_args()

    codes, comments = read_data(args.data)
    binarizer = MultiLabelBinarizer(classes=codes)
    texts = [c["text"] for c in comments]
    labels = binarizer.fit_transform([c["codes"] for c in comments])

    for run in range(args.first_run, args.first_run + args.runs):
        classifier = model()
        started = time.perf_counter()
        classifier.fit(texts, labels)
        trained = time.perf_counter()
        classifier.predict(texts)
        predicted = time.perf_counter()
        append_result(args.results, "coding", "scikit-learn", "train_seconds", "", run,
                      trained - started, "s")
        append_result(args.results, "coding", "scikit-learn", "predict_seconds", "", run,
                      predicted - trained, "s")

    if args.first_run > 1:
        return

    out_of_fold = [None] * len(comments)
    for fold in sorted({c["fold"] for c in comments}):
        train = [i for i, c in enumerate(comments) if c["fold"] != fold]
        test = [i for i, c in enumerate(comments) if c["fold"] == fold]
        classifier = model().fit([texts[i] for i in train], labels[train])
        for i, row in zip(test, binarizer.inverse_transform(classifier.predict([texts[i] for i in test]))):
            out_of_fold[i] = list(row)

    with open(args.predictions, "w", encoding="utf-8") as out:
        for row in out_of_fold:
            out.write(json.dumps({"codes": row}) + "\n")


if __name__ == "__main__":
    main()
