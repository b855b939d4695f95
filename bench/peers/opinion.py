"""Opinion-grouping peer: scikit-learn groups the same votes Heard groups, the way Pol.is does.

Usage:
  opinion.py run --votes V.bin --participants P --statements S --runs N --labels OUT.bin --results R.jsonl
  opinion.py ari --heard H.bin --peer K.bin --participants P --results R.jsonl [--truth T.bin]

V.bin holds little-endian int32 triples (participant, statement, vote), vote 1 agree, -1 disagree,
0 pass, one per (participant, statement). The pipeline, timed from the triples in memory to the labels:
- a dense P x S float64 matrix, NaN where a participant did not vote;
- participants count in when they voted on at least min(7, S) statements (Heard's rule, Pol.is's);
- SimpleImputer(strategy="mean") -> PCA(n_components=2, random_state=0);
- for k in 2..5: KMeans(n_clusters=k, random_state=0) with scikit-learn's default n_init ("auto":
  one k-means++ start), the library as a user gets it, so we do not slow the peer down tenfold,
  then silhouette_score on the 2-D projection; the k with the best silhouette wins.
- silhouette_score on a sample of min(n, 10000) points (random_state=0): the full score is O(n^2):
  it took 15 s a k on 33,000 points on one thread here (2026-11-27), the 10,000 sample 1.7 s, and
  the two scores differed by 0.0002.
Each timed run is a fresh child process (the `child` subcommand, which `run` starts), so the peak
memory it reports (its own ru_maxrss, the Python interpreter and its libraries included) belongs to
that run alone. The child is pinned to one thread (OpenMP and BLAS) unless --threads says
otherwise, as Heard's side is measured on one thread.
Reading the file is not timed. OUT.bin gets the last run's groups: int32 per participant 0..P-1,
-1 for a participant not counted in.

`ari` writes the adjusted Rand index between Heard's groups and the peer's (over the participants
both counted in) and each tool's number of groups. Given --truth (T.bin: int32 per participant, its
camp in the synthetic conversation, as Heard's generator knows it), it also writes each tool's ARI
against the camps (metric "ari_truth"), each over the participants that tool counted in: a
participant a tool left out (-1) is left out of that tool's score, not counted as a wrong group
(both tools count in by the same rule, so they leave out the same people). A tool that counted
nobody in gets no ari_truth line.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
# Imported here, not in group(), so that loading scikit-learn is never part of a timed run.
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.metrics import adjusted_rand_score, silhouette_score

from common import append_result, peak_rss_mib

SEED = 0
MIN_VOTES = 7
SILHOUETTE_SAMPLE = 10_000


def group(votes, participants, statements):
    """Labels per participant (-1: not counted in), from an (n, 3) int32 array of votes."""
    matrix = np.full((participants, statements), np.nan)
    matrix[votes[:, 0], votes[:, 1]] = votes[:, 2]
    counted = (~np.isnan(matrix)).sum(axis=1) >= min(MIN_VOTES, statements)
    labels = np.full(participants, -1, dtype="<i4")
    n = int(counted.sum())
    if n < 3:
        return labels  # too few people to form two groups
    projected = PCA(n_components=2, random_state=SEED).fit_transform(
        SimpleImputer(strategy="mean").fit_transform(matrix[counted])
    )
    best = None
    for k in range(2, min(5, n - 1) + 1):
        found = KMeans(n_clusters=k, random_state=SEED).fit_predict(projected)
        if len(set(found)) < 2:
            continue  # silhouette needs two groups; identical points can collapse them
        score = silhouette_score(projected, found, sample_size=min(n, SILHOUETTE_SAMPLE),
                                 random_state=SEED)
        if best is None or score > best[0]:
            best = (score, found)
    labels[counted] = best[1] if best else 0
    return labels


def child(args):
    """One timed run; prints {"seconds", "peak_mib"} as JSON for the parent."""
    votes = np.fromfile(args.votes, dtype="<i4").reshape(-1, 3)
    started = time.perf_counter()
    labels = group(votes, args.participants, args.statements)
    seconds = time.perf_counter() - started
    labels.tofile(args.labels)
    print(json.dumps({"seconds": seconds, "peak_mib": peak_rss_mib()}))


def run(args):
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(args.threads)
    case = str(args.participants)
    for number in range(args.first_run, args.first_run + args.runs):
        out = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "child", "--votes", args.votes,
             "--participants", case, "--statements", str(args.statements), "--labels", args.labels],
            env=env, check=True, capture_output=True, text=True,
        )
        measured = json.loads(out.stdout.strip().splitlines()[-1])
        append_result(args.results, "opinion", "scikit-learn", "seconds", case, number,
                      measured["seconds"], "s")
        append_result(args.results, "opinion", "scikit-learn", "peak_mib", case, number,
                      measured["peak_mib"], "MiB")


def against_truth(labels, truth):
    """ARI of a tool's groups against the camps, over the participants it counted in (label >= 0)."""
    counted = labels >= 0
    return adjusted_rand_score(truth[counted], labels[counted])


def ari(args):
    heard = np.fromfile(args.heard, dtype="<i4")
    peer = np.fromfile(args.peer, dtype="<i4")
    truth = np.fromfile(args.truth, dtype="<i4") if args.truth else None
    files = [(args.heard, heard), (args.peer, peer)] + ([(args.truth, truth)] if args.truth else [])
    for path, labels in files:
        if len(labels) != args.participants:
            raise SystemExit(f"{path}: {len(labels)} labels for {args.participants} participants")
    if truth is not None and (truth < 0).any():
        raise SystemExit(f"{args.truth}: a participant with no camp (-1); the truth has one for everyone")
    both = (heard >= 0) & (peer >= 0)
    case = str(args.participants)
    append_result(args.results, "opinion", "heard vs scikit-learn", "ari", case, 0,
                  adjusted_rand_score(heard[both], peer[both]), "")
    # Written before the group counts so that report.py's table puts the two ARIs together.
    if truth is not None:
        for tool, labels in (("heard", heard), ("scikit-learn", peer)):
            if not (labels >= 0).any():
                # scikit-learn would call two empty groupings a perfect match (1.0); no score instead.
                print(f"opinion.py: {tool} counted nobody in; no ari_truth", file=sys.stderr)
                continue
            append_result(args.results, "opinion", tool, "ari_truth", case, 0,
                          against_truth(labels, truth), "")
    for tool, labels in (("heard", heard), ("scikit-learn", peer)):
        append_result(args.results, "opinion", tool, "groups", case, 0,
                      len(set(labels[labels >= 0].tolist())), "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "child"):
        sub = commands.add_parser(name, help={"run": "time the grouping, each run in a fresh process",
                                              "child": "one timed run (what run starts)"}[name])
        sub.add_argument("--votes", required=True, help="int32 LE triples (participant, statement, vote)")
        sub.add_argument("--participants", type=int, required=True)
        sub.add_argument("--statements", type=int, required=True)
        sub.add_argument("--labels", required=True, help="int32 group per participant (-1: out)")
        if name == "run":
            sub.add_argument("--runs", type=int, required=True)
            sub.add_argument("--first-run", type=int, default=1,
                             help="the number of the first run (runs interleaved with Heard's)")
            sub.add_argument("--results", required=True, help="results file to append to")
            sub.add_argument("--threads", type=int, default=1, help="OpenMP/BLAS threads (1)")
    compare = commands.add_parser("ari", help="agreement of Heard's groups with scikit-learn's "
                                  "(and of each with the camps, given --truth)")
    compare.add_argument("--heard", required=True)
    compare.add_argument("--peer", required=True)
    compare.add_argument("--participants", type=int, required=True)
    compare.add_argument("--results", required=True)
    compare.add_argument("--truth", help="int32 camp per participant; adds each tool's ARI against it")
    args = parser.parse_args()
    {"run": run, "child": child, "ari": ari}[args.command](args)


if __name__ == "__main__":
    main()
