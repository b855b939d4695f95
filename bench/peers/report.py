"""Turns bench/run's results file into one Markdown table per part: Heard beside its peer.

Usage: report.py --results R.jsonl --meta M.json --out TABLE.md   (the table is printed too)

Timed metrics (run >= 1) show median (min-max, n runs); quality metrics (run 0) a single value.
The ratio is oriented so that > 1 means Heard is better: throughput heard/peer, time and memory
peer/heard; quality metrics show a difference (heard - peer) instead, e.g. +0.05. Opinion's
"ari" compares the two groupings (one cell); its "ari_truth" scores each against the synthetic
camps, a quality metric like the others (> 0: Heard's groups closer to the camps).
Targets are issue 9's; web has no peer and no target. A part with no lines is left out; a
malformed line stops the report with its file and line number.
"""

import argparse
import json
import statistics

from common import read_jsonl

PARTS = ["redaction", "opinion", "coding", "search", "web"]
PEER = {"redaction": "presidio", "opinion": "scikit-learn", "coding": "scikit-learn",
        "search": "postgresql", "web": None}
HIGHER_IS_BETTER = {"docs_per_s", "mb_per_s", "rps"}
LOWER_IS_BETTER = {"seconds", "train_seconds", "predict_seconds", "p50_ms", "p99_ms",
                   "peak_mib", "rss_mib"}
FIELDS = {"part": str, "tool": str, "metric": str, "case": str, "run": int,
          "value": (int, float), "unit": str}


def load(path):
    """The results as a list of dicts, each checked against the line format."""
    rows = []
    for number, row in read_jsonl(path):
        where = f"{path}:{number}"
        if not isinstance(row, dict):
            raise SystemExit(f"{where}: expected a JSON object")
        for field, kind in FIELDS.items():
            if field not in row:
                raise SystemExit(f"{where}: missing field {field!r}")
            if not isinstance(row[field], kind) or isinstance(row[field], bool):
                raise SystemExit(f"{where}: field {field!r} has the wrong type: {row[field]!r}")
        if row["part"] not in PARTS:
            raise SystemExit(f"{where}: unknown part {row['part']!r} (expected one of {PARTS})")
        rows.append(row)
    return rows


def target(part, metric, case):
    """(wording, test of heard and peer values and ratio) of issue 9's target for a row, or None."""
    if part == "redaction" and metric == "docs_per_s":
        return "ratio >= 100", lambda heard, peer, ratio: ratio >= 100
    if part == "redaction" and metric == "recall" and case != "ALL":
        return "heard >= presidio", lambda heard, peer, ratio: heard >= peer
    if part == "redaction" and metric == "precision" and case in ("NHS_NUMBER", "PHONE"):
        return "heard > presidio", lambda heard, peer, ratio: heard > peer
    if part == "opinion" and metric == "seconds":
        return "ratio >= 10", lambda heard, peer, ratio: ratio >= 10
    if part == "coding" and metric in ("micro_f1", "macro_f1"):
        return "heard >= peer", lambda heard, peer, ratio: heard >= peer
    if part == "coding" and metric == "train_seconds":
        return "ratio >= 10", lambda heard, peer, ratio: ratio >= 10
    if part == "search" and metric == "p99_ms":
        return "heard <= postgresql", lambda heard, peer, ratio: heard <= peer
    return None


def number(value):
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def summary(values, timed):
    """The cell for one tool and its middle value (None when the tool has no line)."""
    if not values:
        return "—", None
    middle = statistics.median(values)
    if not timed:
        return (f"{middle:.3f}" if len(values) == 1 else f"{middle:.3f} (median of {len(values)})"), middle
    return f"{number(middle)} ({number(min(values))}-{number(max(values))}, n={len(values)})", middle


def comparison(metric, heard, peer):
    """(cell, ratio or None): a ratio for speed and memory, a difference for quality."""
    if heard is None or peer is None:
        return "—", None
    if metric in HIGHER_IS_BETTER:
        ratio = heard / peer if peer else float("inf")
    elif metric in LOWER_IS_BETTER:
        ratio = peer / heard if heard else float("inf")
    else:
        return f"{heard - peer:+.3f}", heard - peer
    return f"{ratio:.2f}x", ratio


def part_table(part, rows):
    """Markdown lines of one part's table, plus (met, missed) target counts."""
    peer = PEER[part]
    # Rows grouped by metric, metrics and cases in the order bench/run first wrote them.
    metrics = list(dict.fromkeys(r["metric"] for r in rows))
    cases = list(dict.fromkeys(r["case"] for r in rows))
    keys = sorted(dict.fromkeys((r["metric"], r["case"]) for r in rows),
                  key=lambda key: (metrics.index(key[0]), cases.index(key[1])))
    if peer is None:
        lines = ["| metric | case | Heard median (min-max, n runs) |", "|---|---|---|"]
    else:
        lines = [f"| metric | case | Heard median (min-max, n runs) | {peer} median (min-max, n) "
                 "| ratio (> 1: Heard better) | target |", "|---|---|---|---|---|---|"]
    met = missed = 0
    for metric, case in keys:
        same = [r for r in rows if r["metric"] == metric and r["case"] == case]
        unit = next((r["unit"] for r in same if r["unit"]), "")
        label = f"{metric} ({unit})" if unit else metric
        timed = any(r["run"] >= 1 for r in same)

        def values(tool):
            return [r["value"] for r in same if r["tool"] == tool and (r["run"] >= 1) == timed]

        # Lines comparing the two tools (e.g. ARI, tool "heard vs scikit-learn") stand alone.
        joint = sorted({r["tool"] for r in same} - {"heard", peer})
        if joint:
            cell, _ = summary([r["value"] for r in same if r["tool"] in joint], timed)
            extra = " | — | — | —" if peer else ""
            lines.append(f"| {label} ({', '.join(joint)}) | {case} | {cell}{extra} |")
            continue
        heard_cell, heard = summary(values("heard"), timed)
        if peer is None:
            lines.append(f"| {label} | {case} | {heard_cell} |")
            continue
        peer_cell, peer_value = summary(values(peer), timed)
        compared, ratio = comparison(metric, heard, peer_value)
        rule = target(part, metric, case)
        if rule is None:
            goal = "—"
        elif heard is None or peer_value is None:
            # e.g. a tool that predicted no span of a kind has no precision for it
            goal = f"{rule[0]}: no data"
        elif rule[0].startswith("heard >") and not rule[0].startswith("heard >=") and heard == peer_value == 1:
            # "Higher precision" cannot be had over a perfect peer: a tie at 1 is neither.
            goal = f"{rule[0]}: both perfect"
        else:
            ok = rule[1](heard, peer_value, ratio)
            goal = f"{rule[0]}: {'met' if ok else 'MISSED'}"
            met, missed = met + ok, missed + (not ok)
        lines.append(f"| {label} | {case} | {heard_cell} | {peer_cell} | {compared} | {goal} |")
    return lines, met, missed


def report(rows, meta):
    lines = ["# Heard beside its peers", "",
             f"- date: {meta.get('date', '?')}", f"- machine: {meta.get('machine', '?')}",
             f"- command: `{meta.get('command', '?')}`"]
    versions = meta.get("versions", {})
    if versions:
        lines.append("- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    total_met = total_missed = 0
    for part in PARTS:
        mine = [r for r in rows if r["part"] == part]
        if not mine:
            continue  # this run did not measure that part
        table, met, missed = part_table(part, mine)
        total_met, total_missed = total_met + met, total_missed + missed
        peer = PEER[part] or "no peer"
        lines += ["", f"## {part} (Heard vs {peer})", "", *table]
    lines += ["", f"Targets: {total_met} met, {total_missed} missed (rows without data, and ties at a "
              "perfect score where Heard was to be higher, not counted)."]
    return "\n".join(lines) + "\n"


# What a whole run must have measured, by part: (tool, metric) pairs; `--check` fails without one.
REQUIRED = {
    "redaction": [(tool, metric) for tool in ("heard", "presidio")
                  for metric in ("docs_per_s", "precision", "recall")],
    "opinion": [(tool, metric) for tool in ("heard", "scikit-learn") for metric in ("seconds", "peak_mib")]
    + [("heard vs scikit-learn", "ari"), ("heard", "ari_truth"), ("scikit-learn", "ari_truth")],
    "coding": [(tool, metric) for tool in ("heard", "scikit-learn")
               for metric in ("train_seconds", "predict_seconds", "micro_f1", "macro_f1")],
    "search": [(tool, metric) for tool in ("heard", "postgresql") for metric in ("p50_ms", "p99_ms")],
    "web": [("heard", metric) for metric in ("rps", "p99_ms", "rss_mib")],
}


def check(rows):
    """The figures a whole run must have that these rows lack, as readable lines."""
    lacking = []
    for part, pairs in REQUIRED.items():
        for tool, metric in pairs:
            if not any(r["part"] == part and r["tool"] == tool and r["metric"] == metric for r in rows):
                lacking.append(f"{part}: no {metric} from {tool}")
    for backend in ("SQLite", "PostgreSQL"):
        if not any(r["part"] == "web" and r["case"].endswith(backend) for r in rows):
            lacking.append(f"web: nothing on {backend}")
    return lacking


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", required=True, help="JSON Lines of results")
    parser.add_argument("--meta", required=True, help="JSON: date, machine, command, versions")
    parser.add_argument("--out", required=True, help="Markdown file to write")
    parser.add_argument("--check", action="store_true",
                        help="fail unless every part has every figure from every tool (smoke runs)")
    args = parser.parse_args()

    try:
        with open(args.meta, encoding="utf-8") as file:
            meta = json.load(file)
    except json.JSONDecodeError as error:
        raise SystemExit(f"{args.meta}: not valid JSON: {error}") from None
    rows = load(args.results)
    text = report(rows, meta)
    with open(args.out, "w", encoding="utf-8") as out:
        out.write(text)
    print(text, end="")
    lacking = check(rows) if args.check else []
    if lacking:
        raise SystemExit("report.py: the run is missing figures:\n  " + "\n  ".join(lacking))


if __name__ == "__main__":
    main()
