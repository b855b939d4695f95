"""Smoke test of bench's Python side: each peer, scorer and the report on tiny inputs made here.

Run with the bench venv: /tmp/benchvenv/bin/python -m unittest discover -s bench/peers -v
(about 20-30 s, most of it loading spaCy and Presidio once).
"""

import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import synth  # noqa: E402  (after the path is set)
from score_redaction import KINDS, count, scores  # noqa: E402


def script(name, *args):
    """Run one of the peers' scripts as bench/run would; fail the test with its stderr."""
    done = subprocess.run([sys.executable, os.path.join(HERE, name), *map(str, args)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"{name} {' '.join(map(str, args))} failed:\n{done.stderr}")
    return done.stdout


def results(path):
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


class Peers(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.results = self.path("results.jsonl")

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def test_redaction_peer_and_scorer(self):
        corpus, predictions = self.path("corpus.jsonl"), self.path("presidio.jsonl")
        synth.write_redaction(12, corpus)
        script("redaction.py", "--corpus", corpus, "--runs", 2,
               "--predictions", predictions, "--results", self.results)
        script("score_redaction.py", "--corpus", corpus, "--predictions", predictions,
               "--tool", "presidio", "--results", self.results)

        with open(predictions, encoding="utf-8") as lines:
            spans = [json.loads(line)["spans"] for line in lines]
        self.assertEqual(len(spans), 12)
        kinds = {s["kind"] for doc in spans for s in doc}
        self.assertLessEqual(kinds, set(KINDS))
        self.assertIn("NHS_NUMBER", kinds, "Presidio's NhsRecognizer finds valid 999 numbers")

        rows = results(self.results)
        speed = [r for r in rows if r["metric"] == "docs_per_s"]
        self.assertEqual([r["run"] for r in speed], [1, 2])
        self.assertTrue(all(r["value"] > 0 for r in speed))
        quality = [r for r in rows if r["metric"] in ("precision", "recall")]
        self.assertTrue(quality)
        self.assertTrue(all(0 <= r["value"] <= 1 for r in quality))
        self.assertIn("ALL", {r["case"] for r in quality})

    def test_redaction_scorer_by_hand(self):
        gold = [[{"kind": "PERSON", "start": 0, "end": 5}, {"kind": "PERSON", "start": 10, "end": 15}]]
        # one prediction overlaps the first name by a character; one is in the wrong place
        predicted = [[{"kind": "PERSON", "start": 4, "end": 8}, {"kind": "PERSON", "start": 20, "end": 25},
                      {"kind": "EMAIL", "start": 10, "end": 15}]]
        got = {(case, metric): value for case, metric, value in scores(count(gold, predicted))}
        self.assertEqual(got[("PERSON", "precision")], 0.5)
        self.assertEqual(got[("PERSON", "recall")], 0.5)
        self.assertEqual(got[("EMAIL", "precision")], 0.0, "a prediction of the wrong kind is wrong")
        self.assertNotIn(("EMAIL", "recall"), got, "no gold email: no recall")
        self.assertNotIn(("PHONE", "precision"), got, "nothing predicted: no precision")
        self.assertAlmostEqual(got[("ALL", "precision")], 1 / 3)
        self.assertEqual(got[("ALL", "recall")], 0.5)

    def test_opinion_peer_and_ari(self):
        votes, labels, truth = self.path("votes.bin"), self.path("labels.bin"), self.path("truth.bin")
        synth.write_votes(40, 12, votes, truth=truth)
        script("opinion.py", "run", "--votes", votes, "--participants", 40, "--statements", 12,
               "--runs", 2, "--labels", labels, "--results", self.results)
        # A run interleaved with Heard's keeps its own number.
        script("opinion.py", "run", "--votes", votes, "--participants", 40, "--statements", 12,
               "--runs", 1, "--first-run", 3, "--labels", labels, "--results", self.results)
        script("opinion.py", "ari", "--heard", labels, "--peer", labels, "--participants", 40,
               "--truth", truth, "--results", self.results)

        with open(labels, "rb") as file:
            self.assertEqual(len(file.read()), 40 * 4)
        rows = results(self.results)
        self.assertEqual(sorted(r["run"] for r in rows if r["metric"] == "seconds"), [1, 2, 3])
        self.assertTrue(all(r["value"] > 0 for r in rows if r["metric"] == "peak_mib"))
        (ari,) = [r for r in rows if r["metric"] == "ari"]
        self.assertTrue(-1 <= ari["value"] <= 1)
        self.assertEqual(ari["value"], 1.0, "the same grouping agrees with itself")
        groups = [r["value"] for r in rows if r["metric"] == "groups"]
        self.assertEqual(groups, [2.0, 2.0], "two camps make two groups")
        truth_rows = {r["tool"]: r["value"] for r in rows if r["metric"] == "ari_truth"}
        self.assertEqual(truth_rows, {"heard": 1.0, "scikit-learn": 1.0}, "the two camps found exactly")

    def write_labels(self, name, labels):
        path = self.path(name)
        with open(path, "wb") as out:
            out.write(struct.pack(f"<{len(labels)}i", *labels))
        return path

    def test_opinion_ari_against_the_truth_leaves_out_who_was_not_counted_in(self):
        truth = self.write_labels("truth.bin", [0, 0, 1, 1, 1, 2])
        # Heard left the last two out; counted as a group of their own, they would spoil a perfect match.
        heard = self.write_labels("heard.bin", [0, 0, 1, 1, -1, -1])
        peer = self.write_labels("peer.bin", [1, 1, 0, 0, 0, 0])
        ari = ("opinion.py", "ari", "--heard", heard, "--peer", peer, "--participants", 6,
               "--results", self.results)

        script(*ari)
        self.assertEqual([r for r in results(self.results) if r["metric"] == "ari_truth"], [],
                         "no truth, no score against it")
        script(*ari, "--truth", truth)
        rows = results(self.results)
        got = {r["tool"]: r["value"] for r in rows if r["metric"] == "ari_truth"}
        self.assertEqual(got["heard"], 1.0, "scored over the four it counted in, all right")
        self.assertLess(got["scikit-learn"], 1.0, "it put camps 1 and 2 together")
        self.assertTrue(all(r["case"] == "6" and r["run"] == 0 for r in rows))
        # The two ARIs come before the group counts, so that the report's table keeps them together.
        self.assertEqual([r["metric"] for r in rows], ["ari", "groups", "groups",  # without --truth
                                                       "ari", "ari_truth", "ari_truth", "groups", "groups"])

        short = self.write_labels("short.bin", [0, 0, 1])
        done = subprocess.run([sys.executable, os.path.join(HERE, "opinion.py"), *map(str, ari[1:]),
                               "--truth", short], capture_output=True, text=True)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn(f"{short}: 3 labels for 6 participants", done.stderr)
        nobody = self.write_labels("nobody.bin", [0, 0, 1, -1, 1, 2])
        done = subprocess.run([sys.executable, os.path.join(HERE, "opinion.py"), *map(str, ari[1:]),
                               "--truth", nobody], capture_output=True, text=True)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("a participant with no camp", done.stderr)

    def test_coding_peer_and_scorer(self):
        data, predictions = self.path("coding.jsonl"), self.path("coding-predicted.jsonl")
        synth.write_coding(60, data)
        script("coding.py", "--data", data, "--runs", 2, "--predictions", predictions,
               "--results", self.results)
        with open(predictions, encoding="utf-8") as lines:
            written = lines.read()
        # A run interleaved with Heard's keeps its own number and leaves the predictions alone.
        script("coding.py", "--data", data, "--runs", 1, "--first-run", 3, "--predictions", predictions,
               "--results", self.results)
        with open(predictions, encoding="utf-8") as lines:
            self.assertEqual(lines.read(), written)
        script("score_coding.py", "--data", data, "--predictions", predictions,
               "--tool", "scikit-learn", "--results", self.results)

        with open(predictions, encoding="utf-8") as lines:
            self.assertEqual(len(lines.readlines()), 60)
        rows = results(self.results)
        self.assertEqual(sorted(r["run"] for r in rows if r["metric"] == "train_seconds"), [1, 2, 3])
        f1 = {r["metric"]: r["value"] for r in rows if r["metric"].endswith("_f1")}
        self.assertEqual(set(f1), {"micro_f1", "macro_f1"})
        self.assertTrue(all(0.5 < v <= 1 for v in f1.values()), f"codes follow words: {f1}")

    def test_report(self):
        lines = [
            ("redaction", "heard", "docs_per_s", "", 1, 9000.0, "docs/s"),
            ("redaction", "presidio", "docs_per_s", "", 1, 50.0, "docs/s"),
            ("redaction", "heard", "recall", "PHONE", 0, 0.9, ""),
            ("redaction", "presidio", "recall", "PHONE", 0, 0.95, ""),
            ("redaction", "heard", "precision", "NHS_NUMBER", 0, 1.0, ""),
            ("redaction", "presidio", "precision", "NHS_NUMBER", 0, 1.0, ""),
            ("opinion", "heard", "seconds", "1000", 1, 0.01, "s"),
            ("opinion", "scikit-learn", "seconds", "1000", 1, 0.5, "s"),
            ("opinion", "heard vs scikit-learn", "ari", "1000", 0, 0.97, ""),
            ("opinion", "heard", "ari_truth", "1000", 0, 0.8, ""),
            ("opinion", "scikit-learn", "ari_truth", "1000", 0, 0.6, ""),
            ("coding", "heard", "micro_f1", "", 0, 0.6, ""),
            ("coding", "scikit-learn", "micro_f1", "", 0, 0.55, ""),
            ("search", "heard", "p99_ms", "phrase", 1, 2.0, "ms"),
            ("search", "postgresql", "p99_ms", "phrase", 1, 3.0, "ms"),
            ("web", "heard", "rps", "programme page, SQLite", 1, 4000.0, "req/s"),
        ]
        keys = ("part", "tool", "metric", "case", "run", "value", "unit")
        with open(self.results, "w", encoding="utf-8") as out:
            for line in lines:
                out.write(json.dumps(dict(zip(keys, line))) + "\n")
        meta = self.path("meta.json")
        with open(meta, "w", encoding="utf-8") as out:
            json.dump({"date": "2026-11-27", "machine": "test", "command": "bench/run",
                       "versions": {"presidio-analyzer": "2.2.366"}}, out)
        table = self.path("table.md")
        printed = script("report.py", "--results", self.results, "--meta", meta, "--out", table)

        with open(table, encoding="utf-8") as file:
            self.assertEqual(file.read(), printed)
        for part in ("redaction", "opinion", "coding", "search", "web"):
            self.assertIn(f"## {part}", printed)
        self.assertIn("180.00x | ratio >= 100: met", printed)
        self.assertIn("-0.050 | heard >= presidio: MISSED", printed)
        self.assertIn("+0.000 | heard > presidio: both perfect", printed)
        self.assertIn("50.00x | ratio >= 10: met", printed)
        self.assertIn("| ari (heard vs scikit-learn) | 1000 | 0.970 | — | — | — |\n"
                      "| ari_truth | 1000 | 0.800 | 0.600 | +0.200 | — |", printed)
        self.assertIn("+0.050 | heard >= peer: met", printed)
        self.assertIn("1.50x | heard <= postgresql: met", printed)
        self.assertIn("presidio-analyzer 2.2.366", printed)

        # A smoke run's check: these lines lack, among others, the peer's search p50 and PostgreSQL's web.
        done = subprocess.run([sys.executable, os.path.join(HERE, "report.py"), "--results", self.results,
                               "--meta", meta, "--out", table, "--check"], capture_output=True, text=True)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("search: no p50_ms from postgresql", done.stderr)
        self.assertIn("web: nothing on PostgreSQL", done.stderr)
        self.assertNotIn("no docs_per_s from presidio", done.stderr)
        self.assertNotIn("no ari_truth", done.stderr)

    def test_report_names_a_malformed_line(self):
        with open(self.results, "w", encoding="utf-8") as out:
            out.write(json.dumps({"part": "web", "tool": "heard", "metric": "rps", "case": "",
                                  "run": 1, "value": 1.0, "unit": ""}) + "\n")
            out.write('{"part": "web", "tool": "heard"}\n')
        meta = self.path("meta.json")
        with open(meta, "w", encoding="utf-8") as out:
            out.write("{}")
        done = subprocess.run([sys.executable, os.path.join(HERE, "report.py"), "--results",
                               self.results, "--meta", meta, "--out", self.path("t.md")],
                              capture_output=True, text=True)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn(f"{self.results}:2: missing field 'metric'", done.stderr)


if __name__ == "__main__":
    unittest.main()
