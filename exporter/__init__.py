"""Prometheus exporter for the Adobe Status API.

Imports flow one way, in the order one scrape walks through them:

    cli/                 command line: serve, check, simulate, history, backfill (the only
                         reader of options and environment; `config` holds what it validated)
    wiring               builds the Service: a source, the cache over it, the web app
    web/, app, page      HTTP(S) server and TLS/auth; the WSGI app (/metrics, probes); the page
    cache, snapshot      when to collect (shared, cached, Retry-After, --max-stale); what is kept
    collector            a Snapshot's metric families and the per-scrape gauges, as CONTRACT.md
    sources/             where a StatusReport comes from, behind one interface (`Source`):
        api/                 the Status API: `source` asks through `client` (its token from
                             `token`, its HTTP from `fetch`); Adobe's texts through `messages`
        feed                 the public feed, through `fetch`
        catalog              what both share: the product catalog, the selection, log-once
        past                 the last 30 days of Adobe's record, at most every --registry-ttl
    history, backfill,   Adobe's record over a window: rows and per-product totals (`past`),
    timeline, page_past  OpenMetrics series; spans of a replay; the page's "Last 30 days"
    report               catalog + open events + selection -> StatusReport
    parse, impacts,      Adobe's JSON shapes (API; feed_*: public feed) read into the model,
    feed_events,         value by value (`jsonstream`): one `record` per event and product,
    feed_registry        replayed to the instant of reading (`replay`) for the open events
    record, replay       pure: an event's record per product; `impact_at(record, t)`
    model, texts         pure: Adobe's vocabulary as the contract's states; Adobe's words

Beside the chain: `upstream_metrics` (the exporter's own counters), `errors`, `deadline`,
`secret`, `logs`, `memory`; `simulator/` is the embedded Adobe for demo and tests, `demo`
its made-up credentials.
"""

__version__ = "0.1.0"
