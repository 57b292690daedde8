"""Helpers the tests share: one place a newcomer looks for them.

- `process`: start `serve`/`simulate` processes and wait for them; `live`: a real Prometheus
  (and Alertmanager) scraping an exporter on the simulator; `prometheus`: promtool and
  Prometheus runs; `helm`: the chart through helm-python-sdk and Kubernetes schemas;
  `tls`: certificates (trustme) and TLS clients.
- `payloads`: Adobe-shaped JSON built in code; `spec_strategies`: hypothesis strategies
  from Adobe's spec; `adobe_spec`: where that spec is read from; `contract`: the metrics
  table of ../shared/CONTRACT.md.
- `tools`: the external tools the integration tests drive, their check, and the stand-ins
  that make a unit test running one fail.

Fixtures live in tests/conftest.py; real-shaped Adobe data in tests/fixtures/.
"""
