"""Benchmarks of the exporter against its simulator, figures printed next to their targets.

`make bench` (or `python -m bench`) runs, at three scales of the simulated Adobe feed:

- cold scrapes (`--cache-ttl 0`, every scrape asks upstream) against their floor: fetching
  /api/v1/events over HTTP and `json.loads` of the same bytes;
- warm scrapes (`--cache-ttl` set) against their floor: `generate_latest` of a static
  registry holding the same series;
- the upstream requests caused by 10 concurrent scrapes;
- the token requests over a simulated day (fake clock shared by simulator and exporter);
- the peak RSS of the exporter process and its series count.

Scrapes are end to end over real HTTP: the simulator and the exporter (`python -m exporter
serve`) each run as their own process, so the exporter's memory is measured alone. It is a
report, not a test: it always exits 0, prints a summary line, and writes the figures to
`test-artifacts/bench.json`.
"""
