"""`python -m bench`: measure every scale, print the tables and a summary line, write JSON.

Always exits 0: it reports, it does not judge the build.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench import auth, backfill, feed, record_round, report
from bench.run import PLANS, ScaleResult, run

DEFAULT_OUTPUT = Path("test-artifacts/bench.json")
FEED_OUTPUT = Path("test-artifacts/bench-feed.json")
AUTH_OUTPUT = Path("test-artifacts/bench-auth.json")
BACKFILL_OUTPUT = Path("test-artifacts/bench-backfill.json")
RECORD_OUTPUT = Path("test-artifacts/bench-record.json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--scale",
        action="append",
        choices=[plan.scale for plan in PLANS],
        help="measure only this scale (repeatable; default: all three)",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON figures")
    parser.add_argument(
        "--feed",
        action="store_true",
        help="measure only --source feed (the public feed at Adobe's size)",
    )
    parser.add_argument(
        "--auth",
        action="store_true",
        help="measure only basic auth under a flood of strangers (a first login's wait)",
    )
    parser.add_argument(
        "--backfill",
        action="store_true",
        help="measure only `backfill` of 40 days (forty-day scale, 60 s steps)",
    )
    parser.add_argument(
        "--record",
        action="store_true",
        help="measure only the collection due for everything (catalog, events, last 30 days)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    everything = not (args.scale or args.feed or args.auth or args.backfill or args.record)
    if args.auth or everything:
        print("measuring basic auth under a flood ...", file=sys.stderr, flush=True)
        auth_result = auth.run()
        print(auth.table(auth_result) + "\n", flush=True)
        AUTH_OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        document = {**asdict(auth_result), "passed": auth.passed(auth_result)}
        AUTH_OUTPUT.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        verdict = "PASS" if auth.passed(auth_result) else "FAIL"
        print(f"basic auth: {verdict}; figures in {AUTH_OUTPUT}", flush=True)
    if args.backfill or everything:
        print("measuring backfill ...", file=sys.stderr, flush=True)
        backfill_result = backfill.run()
        print(backfill.table(backfill_result) + "\n", flush=True)
        BACKFILL_OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        BACKFILL_OUTPUT.write_text(
            json.dumps(asdict(backfill_result), indent=2) + "\n", encoding="utf-8"
        )
        verdict = "PASS" if backfill_result.passed else "FAIL"
        print(f"backfill: {verdict}; figures in {BACKFILL_OUTPUT}", flush=True)
    if args.record or everything:
        print("measuring the collections due for everything ...", file=sys.stderr, flush=True)
        rounds = record_round.run()
        print(record_round.table(rounds) + "\n", flush=True)
        RECORD_OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        figures = [{**asdict(one), "ratio": one.ratio, "passed": one.passed} for one in rounds]
        RECORD_OUTPUT.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        verdict = "PASS" if all(one.passed for one in rounds) else "FAIL"
        print(f"collections due for everything: {verdict}; figures in {RECORD_OUTPUT}", flush=True)
    if (args.auth or args.backfill or args.record) and not (args.scale or args.feed):
        return 0
    if args.feed or everything:
        print("measuring the feed source ...", file=sys.stderr, flush=True)
        feed_result = feed.run()
        print(feed.table(feed_result) + "\n", flush=True)
        FEED_OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        FEED_OUTPUT.write_text(json.dumps(asdict(feed_result), indent=2) + "\n", encoding="utf-8")
        verdict = "PASS" if feed.passed(feed_result) else "FAIL"
        print(f"feed: {verdict}; figures in {FEED_OUTPUT}", flush=True)
        if args.feed:
            return 0
    plans = [plan for plan in PLANS if not args.scale or plan.scale in args.scale]
    results: list[ScaleResult] = []
    for plan in plans:
        print(f"measuring {plan.scale} ...", file=sys.stderr, flush=True)
        result = run(plan)
        results.append(result)
        print(report.table(result) + "\n", flush=True)
    line = report.summary(results)
    report.write_json(args.output, results, line)
    print(f"{line}; {time.monotonic() - started:.0f}s; figures in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
