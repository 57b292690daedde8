"""Helpers the tests share: one place a newcomer looks for them.

- `process`: run `python -m exporter`, start `serve` or an installed exporter, wait for it
  to be ready, stop it; `live`: a real Prometheus
  (and Alertmanager) scraping an exporter on the simulator; `prometheus`: promtool and
  Prometheus runs; `helm`: the chart through helm-python-sdk and Kubernetes schemas;
  `tls`: certificates (trustme) and TLS clients.
- `payloads`: Adobe-shaped JSON built in code; `impacts`: an `Impact` in one line; `spec_strategies`: hypothesis strategies
  from Adobe's spec; `adobe_spec`: where that spec is read from; `contract`: the metrics
  table of ../shared/CONTRACT.md.
- `readers`: a streaming reader compared with json.loads; `chart_values`: values for the
  chart tests; `simulator_http`: the simulator's own tests' fixtures; `cli`: the console
  script run in this process.
- `tools`: the external tools the integration tests drive, their check, and the stand-ins
  that make a unit test running one fail.

Fixtures live in tests/conftest.py; real-shaped Adobe data in tests/fixtures/.
"""
