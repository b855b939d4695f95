"""Shared helpers for the Python peers of bench/run: one results format and one memory measure.

Every script appends its measurements to a results file, one JSON object per line:
{"part": ..., "tool": ..., "metric": ..., "case": ..., "run": ..., "value": ..., "unit": ...}
report.py reads them back. Appending (never rewriting) lets the Rust, bash and Python sides
share one file.
"""

import json
import resource


def append_result(path, part, tool, metric, case, run, value, unit):
    """Append one measurement to the results file at `path` (JSON Lines)."""
    line = {
        "part": part,
        "tool": tool,
        "metric": metric,
        "case": str(case),
        "run": int(run),
        "value": float(value),
        "unit": unit,
    }
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def peak_rss_mib(who=resource.RUSAGE_SELF):
    """Peak resident set size of this process (or of its waited-for children) in MiB."""
    # Linux reports ru_maxrss in KiB (macOS would report bytes; we only run on Linux).
    return resource.getrusage(who).ru_maxrss / 1024


def read_jsonl(path):
    """Yield (line number, object) for each non-blank line, failing with the file and line."""
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                raise SystemExit(f"{path}:{number}: not valid JSON: {error}") from None
