"""Prometheus exporter for the Adobe Status API.

Imports flow one way, in the order one scrape walks through them; the tree is the plan:

    cli/                 command line: one module per command (serve, check, simulate,
                         history, backfill); the only reader of options and environment,
                         each option declared once (`declare`, `options`)
    wiring               builds the Service: a source, the cache over it, the web app
    web/                 HTTP(S) server, TLS and basic auth; `app` (/metrics, probes), `page`
                         and `page_past` (the status page and its "Last 30 days")
    cache, snapshot      when to collect (shared, cached, Retry-After, --max-stale); what is kept
    collector            a Snapshot's metric families and the per-scrape gauges, as CONTRACT.md
    record_series        Adobe's record as those status series over a window (backfill)
    sources/             where a StatusReport comes from, behind one interface (`Source`)
        api/                 the Status API: `api_source` asks through `client` (its token from
                             `token`) and reads with `dto`; Adobe's texts through `text_cache`
        feed/                the public feed: `feed_source` reads StatusEvents
                             (`status_events`) and SnowServiceRegistry (`service_registry`)
        fetch, spare_buffer, what both share: bounded HTTP reads into one reused buffer;
        jsonstream, reading  JSON read value by value; Events, ShapeError, the drift checks
        catalog_cache,       the catalog kept for --registry-ttl, log-once; the one wait
        backoff, past_keeper after an auxiliary failure; the last 30 days
    model/               pure: `vocabulary` (Adobe's words as the contract's states),
                         `impacts` (one event -> a `record` per product), `replay`
                         (`impact_at(record, t)`: live at now, history before), `timeline`
                         (spans of a replay), `window` and `past` (rows and totals),
                         `replay_cache` (replays of unchanged events kept between readings),
                         `report`, `texts`

Beside the chain: `upstream_metrics` (the exporter's own counters), `errors`, `deadline`,
`secret`, `logs`, `memory`. `simulator/` stands apart: the embedded Adobe (IMS, Status API,
feed) for `serve --demo`, `simulate` and the tests; of the exporter it imports only `demo`
(its made-up credentials) and the socket binding of `web.listen`.
"""

__version__ = "0.1.0"
