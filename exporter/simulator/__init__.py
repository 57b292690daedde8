"""A simulator of Adobe IMS, the Adobe Status API and its public feed, for the demo and tests.

It serves over real HTTP what the exporter talks to, as Adobe documents it:

- ``POST /ims/token/v3``: form body; ``client_id`` in the query or the body,
  ``client_secret``, ``grant_type=client_credentials`` and ``scope`` in the body. Answers
  ``{"access_token", "token_type": "bearer", "expires_in"}``, or 401 ``invalid_client``,
  400 ``unsupported_grant_type`` / ``invalid_scope`` / ``invalid_request``.
- ``GET /api/v1/events`` (filters ``productIds``, ``cloudIds``, ``regionIds``, repeated or
  comma-separated, and ``search``; ``environmentIds``, ``offeringIds``, ``serviceIds``,
  ``from`` and ``to`` are accepted and ignored), ``/api/v1/events/incidents``,
  ``/api/v1/events/maintenance`` (maintenances not merely scheduled),
  ``/api/v1/events/scheduled``, ``/api/v1/products`` (``productId``, ``cloudId``,
  ``productName``), ``/api/v1/clouds`` (``cloudId``, ``cloudName``), ``/api/v1/regions``,
  ``/api/v1/locales`` (``LocaleDto``: ``en``, ``fr``, ``de``), ``/api/v1/messages`` and
  ``/api/v1/messages/{locale}`` (``MessagesDto`` per locale, optional repeatable or
  comma-separated ``messageToken``; an unknown locale answers ``[]``): the texts behind
  every ``titleToken`` / ``messageToken`` of the events shown now, canned ones in every
  locale, custom ones in English; the feed's ``messages{locale}{token}`` hold the same.
  Each needs ``Authorization: Bearer <token>`` (else 401) and the API key
  ``StatusAdobeIOClient`` in query ``api_key`` or header ``x-api-key`` (else 403). More
  than 50 requests in 5 s per token (per client for IMS) get 429 with ``Retry-After``.

Public feed (what status.adobe.com reads; no credentials, none needed, any accepted):

- ``GET /adobestatus/StatusEvents``: the events in the spec's ``Events`` map shape, epoch
  seconds, from the same scenario as ``/api/v1/events``.
- ``GET /adobestatus/SnowServiceRegistry``: ``clouds``, ``products``, ``offerings``,
  ``services`` and ``environments``, each a map keyed by id, from the same catalog as
  ``/api/v1/products``.

Both send ``ETag`` (a hash of the body: it changes exactly when the document changes) and
``Last-Modified``, and answer ``304 Not Modified`` to a matching ``If-None-Match`` (or,
without one, an ``If-Modified-Since`` no older than the document). `SimulatorServer.feed_url`
is their base URL.

Endpoint names, for faults (`Simulator.inject`) and request counts: ``token``, ``events``,
``incidents``, ``maintenance``, ``scheduled``, ``products``, ``clouds``, ``regions``,
``messages``, ``locales``, ``feed_events`` (StatusEvents) and ``feed_registry``
(SnowServiceRegistry).

The catalog is Adobe's (5 clouds, 73 products). Regions are Adobe's three, keyed by name
(id = name): ``Americas``, ``EMEA``, ``APAC``; most products serve all three, some fewer.
Environments, offerings and services are this simulator's invention (at ``forty-day``
scale about 19,000 environments, a 2.3 MB registry, as Adobe's). Events carry Adobe's
vocabulary (see `event_dto` and `event_feed`): ids like ``202608040123`` and
``CHG005822158``, each product's own regions in its history (sometimes fewer than the
event's), maintenances Scheduled → Reminder → Started → Completed (a canceled one says
``status: Completed``, ``cmrStatus: Canceled`` in the feed), root-cause (CFS) entries
weeks after an incident closed.

Control API, for a simulator running as its own process (``python -m exporter.simulator``
or the CLI's ``simulate``). Bodies are JSON objects whose keys are the keyword arguments
of the `Simulator` method named; no authentication (serve it on loopback):

- ``GET /_sim/stats``: ``requests`` per endpoint, ``not_modified`` (304 answers) per
  endpoint, ``credentials`` (per endpoint, how many requests carried ``authorization``,
  ``x-api-key``, ``api_key``), ``last_headers`` (per endpoint, credentials redacted),
  ``message_requests`` (locale and tokens of every /messages request, in order), tokens
  issued, events in the feed.
- ``GET /_sim/events``: `Simulator.payload_events`; ``GET /_sim/feed?epoch_ms=1``:
  `Simulator.payload_feed`.
- ``POST /_sim/incidents`` (`add_incident` kwargs) and ``POST /_sim/maintenances``
  (`add_maintenance` kwargs): 201 ``{"id": ...}``. Texts: ``message`` (custom text,
  ``message_html`` for its HTML), ``message_token`` (a token of your choosing; alone, one
  nobody has a text for), ``title`` / ``title_token``; ``product_regions`` narrows one
  product's own regions. `texts.HOSTILE` is a hostile text (script tag, unbalanced HTML,
  10 KB) to pass as ``message`` / ``message_html``.
- ``PATCH /_sim/events/<id>``: `update_incident` or `update_maintenance` kwargs (texts as
  above, ``message_type``; a root cause: ``status=Closed, message_type=CFS, cfs_url=...``).
- ``DELETE /_sim/events/<id>``: 204, or 404 for an unknown id; ``DELETE /_sim/events``
  removes every added event.
- ``POST /_sim/faults`` (`inject` kwargs; ``body`` as text, or ``body_base64`` for any
  bytes); ``DELETE /_sim/faults`` clears them.
- ``POST /_sim/reset``: clear faults, request counts and throttle windows.
- ``POST /_sim/revoke``: revoke every issued token.
- ``POST /_sim/expires-in`` ``{"seconds": N}``: lifetime of tokens issued from now on.

Errors: 400 ``{"error": ...}`` for a bad body or argument, 404 for an unknown event.

Modules, by role:

- `world`: the simulated world (`Simulator`), thread-safe; `added_events` is its half that
  tests drive. `scenario` generates events from the seed, `plans` models one event's
  timeline, `snapshot` holds the feed at one moment; `catalog`, `scale`, `texts`, `auth`
  (tokens, throttle), `faults` and `counts` hold the rest of its state.
- `event_dto` and `catalog_dto` render events and the catalog as the Status API's DTOs,
  `event_feed` events as the public feed's maps, `public_feed` the feed's documents with
  their conditional GET.
- `routes` sends a request to its handler (IMS, Status API, feed, `control` for /_sim/);
  `exchange` is the request and reply they pass; `httpd` serves all of it over real HTTP
  (`SimulatorServer`); `runner` as a long-lived process (`run_simulator`).
- `__main__`: ``python -m exporter.simulator``, the CLI's ``simulate`` command.
"""

from exporter.simulator.httpd import SimulatorServer
from exporter.simulator.runner import run_simulator
from exporter.simulator.scale import Scale
from exporter.simulator.world import API_KEY, Simulator

__all__ = ["API_KEY", "Scale", "Simulator", "SimulatorServer", "run_simulator"]
