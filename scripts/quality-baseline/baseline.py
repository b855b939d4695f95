"""The scikit-learn baseline for docs/quality.md: TF-IDF + one-vs-rest LinearSVC, scored on the
same folds as `heard coding cross-validate` (read from the folds file it writes).

Usage: baseline.py DATA.csv FOLDS.csv
  DATA.csv   the patient-feedback file (text "FFT answer", codes "Organisation & efficiency" to
             "Positive experience & gratitude", blank or 0 for no, 1 for yes)
  FOLDS.csv  "row,fold" for every data row (row 2 is the first data row, as a spreadsheet counts)

Scores are computed as Heard computes them: micro-F1 over all (text, code) decisions of the five
folds pooled, macro-F1 the mean F1 of the codes some text truly has.
"""

import csv
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC

TEXT = "FFT answer"
FIRST, LAST = "Organisation & efficiency", "Positive experience & gratitude"


def load(data_path, folds_path):
    with open(data_path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        text, first, last = header.index(TEXT), header.index(FIRST), header.index(LAST)
        rows = list(reader)
    texts = [r[text] for r in rows]
    y = np.array([[1 if r[c].strip() == "1" else 0 for c in range(first, last + 1)] for r in rows])
    with open(folds_path, newline="", encoding="utf-8") as f:
        folds = {int(r["row"]): int(r["fold"]) for r in csv.DictReader(f)}
    fold = np.array([folds[i + 2] for i in range(len(rows))])
    return texts, y, fold


def models():
    """The baseline (word 1-2-grams, as in the published TF-IDF + SVC), and the same SVC over
    Heard's features (words and char_wb 2-5), to tell features from learner."""
    words = dict(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    yield "TF-IDF words 1-2 + OneVsRest LinearSVC", lambda: make_pipeline(
        TfidfVectorizer(**words), OneVsRestClassifier(LinearSVC()))
    yield "TF-IDF words 1-2 + char_wb 2-5 + OneVsRest LinearSVC", lambda: make_pipeline(
        make_union(TfidfVectorizer(**words),
                   TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
        OneVsRestClassifier(LinearSVC()))


def main():
    texts, y, fold = load(sys.argv[1], sys.argv[2])
    present = [c for c in range(y.shape[1]) if y[:, c].any()]
    print(f"{len(texts)} texts, {y.shape[1]} codes ({len(present)} present), folds {sorted(int(f) for f in set(fold))}")
    for name, make in models():
        predicted = np.zeros_like(y)
        started = time.perf_counter()
        for k in sorted(set(fold)):
            train, test = fold != k, fold == k
            # LinearSVC cannot learn a code no training text has: it is never predicted.
            learnable = [c for c in range(y.shape[1]) if y[train, c].any() and not y[train, c].all()]
            model = make().fit([t for t, m in zip(texts, train) if m], y[train][:, learnable])
            predicted[np.ix_(test, learnable)] = model.predict([t for t, m in zip(texts, test) if m])
        seconds = time.perf_counter() - started
        micro = f1_score(y, predicted, average="micro", zero_division=0)
        macro = f1_score(y, predicted, average="macro", labels=present, zero_division=0)
        p = precision_score(y, predicted, average="micro", zero_division=0)
        r = recall_score(y, predicted, average="micro", zero_division=0)
        print(f"{name}: micro-F1 {micro:.4f} (precision {p:.4f}, recall {r:.4f}), "
              f"macro-F1 {macro:.4f} over {len(present)} codes; {seconds:.1f} s for 5 folds")


if __name__ == "__main__":
    main()
