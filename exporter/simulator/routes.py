"""Request routing: IMS token, Status API and fault injection, independent of the transport."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import parse_qs

from exporter.simulator import control, event_dto, public_feed
from exporter.simulator.exchange import STATUS_JSON, Reply, Request, json_reply
from exporter.simulator.faults import Fault
from exporter.simulator.feed_snapshot import Entry
from exporter.simulator.world import Simulator

log = logging.getLogger(__name__)

IMS_TOKEN_PATH = "/ims/token/v3"  # noqa: S105 (a path, not a password)
API_PREFIX = "/api/v1/"
# Status API path (after /api/v1/) -> endpoint name used for counts and faults.
API_ENDPOINTS = {
    "events": "events",
    "events/incidents": "incidents",
    "events/maintenance": "maintenance",
    "events/scheduled": "scheduled",
    "products": "products",
    "clouds": "clouds",
    "regions": "regions",
    "messages": "messages",
    "locales": "locales",
}
MESSAGES_BY_LOCALE = "messages/"  # /api/v1/messages/{locale}
IMS_JSON = "application/json;charset=utf-8"
FORM = "application/x-www-form-urlencoded"


def _api_error(status: int, code: str, message: str) -> Reply:
    # The Adobe I/O gateway's error shape (the spec's `Error` schema).
    return json_reply(status, {"error_code": code, "message": message})


def _ims_error(status: int, error: str, description: str) -> Reply:
    return json_reply(status, {"error": error, "error_description": description}, IMS_JSON)


def handle(sim: Simulator, request: Request) -> Reply:
    """The answer to one request; never raises."""
    try:
        if request.path.startswith(control.PREFIX):
            return control.handle(sim, request)
        if request.path == IMS_TOKEN_PATH:
            return _with_faults(sim, "token", request, _token)
        feed = public_feed.FEED_ENDPOINTS.get(request.path.rstrip("/"))
        if feed is not None:
            return _with_faults(sim, feed, request, lambda s, r: _feed(s, feed, r))
        if request.path.startswith(API_PREFIX):
            rest = request.path[len(API_PREFIX) :].rstrip("/")
            endpoint = API_ENDPOINTS.get(rest)
            if rest.startswith(MESSAGES_BY_LOCALE) and "/" not in rest[len(MESSAGES_BY_LOCALE) :]:
                endpoint = "messages"
            if endpoint is not None:
                return _with_faults(sim, endpoint, request, lambda s, r: _api(s, endpoint, r))
        return _api_error(404, "404000", "Not Found")
    except Exception:
        log.exception("simulator failed on %s %s", request.method, request.path)
        return _api_error(500, "500000", "Internal Server Error")


def _with_faults(
    sim: Simulator,
    endpoint: str,
    request: Request,
    answer: Callable[[Simulator, Request], Reply],
) -> Reply:
    sim.count(endpoint, request.headers, request.query)
    fault = sim.take_fault(endpoint)
    if fault is None:
        return answer(sim, request)
    if fault.status is not None:
        body = fault.body
        if body is None:
            # A small error in the shape the real endpoint would use.
            body = event_dto.to_bytes(
                {"error": "server_error", "error_description": "injected fault"}
                if endpoint == "token"
                else {"error_code": str(fault.status), "message": "injected fault"}
            )
        reply = Reply(fault.status, body, fault.content_type)
    else:
        if fault.slow_body or fault.body is not None:
            # A body to spoil: the whole document, whatever the client's validators say.
            request = _unconditional(request)
        reply = answer(sim, request)
        if fault.body is not None:
            reply.body, reply.content_type = fault.body, fault.content_type
    return _spoil(reply, fault)


def _unconditional(request: Request) -> Request:
    headers = {
        name: value
        for name, value in request.headers.items()
        if name not in ("if-none-match", "if-modified-since")
    }
    return replace(request, headers=headers)


def _spoil(reply: Reply, fault: Fault) -> Reply:
    reply.headers.extend(fault.headers.items())
    if fault.retry_after is not None:
        reply.headers.append(("Retry-After", str(fault.retry_after)))
    reply.drop = fault.drop
    if fault.slow_body:
        reply.slow_seconds = fault.trickle_seconds
    else:
        reply.delay = fault.delay
    return reply


# The public feed: no credentials asked for (a client that sends some is still answered).


def _feed(sim: Simulator, endpoint: str, request: Request) -> Reply:
    document = sim.feed_events() if endpoint == "feed_events" else sim.feed_registry()
    reply = public_feed.answer(request, document)
    if reply.status == 304:
        sim.count_not_modified(endpoint)
    return reply


# IMS.


def _token(sim: Simulator, request: Request) -> Reply:
    if request.method != "POST":
        reply = _ims_error(405, "method_not_allowed", "use POST")
        reply.headers.append(("Allow", "POST"))
        return reply
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM:
        return _ims_error(400, "invalid_request", f"Content-Type must be {FORM}")
    form = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    client_id = (request.query.get("client_id") or form.get("client_id") or [""])[0]
    client_secret = (form.get("client_secret") or [""])[0]
    wrong = sim.check_client(client_id, client_secret)
    if wrong is not None:
        return _ims_error(401, "invalid_client", f"invalid {wrong} parameter")
    grant_type = (form.get("grant_type") or [""])[0]
    if grant_type != "client_credentials":
        return _ims_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    scopes = [s for s in (form.get("scope") or [""])[0].replace(" ", ",").split(",") if s]
    if not scopes:
        return _ims_error(400, "invalid_scope", "scope is required")
    retry_after = sim.throttled(f"client:{client_id}")
    if retry_after is not None:
        return _throttled(retry_after, IMS_JSON)
    token, expires_in = sim.issue_token()
    reply = json_reply(
        200, {"access_token": token, "token_type": "bearer", "expires_in": expires_in}, IMS_JSON
    )
    reply.headers.append(("Cache-Control", "no-store"))
    return reply


def _throttled(retry_after: int, content_type: str) -> Reply:
    reply = json_reply(429, {"error_code": "429050", "message": "Too many requests"}, content_type)
    reply.headers.append(("Retry-After", str(retry_after)))
    return reply


# Status API.


def _api(sim: Simulator, endpoint: str, request: Request) -> Reply:
    if request.method not in ("GET", "HEAD"):
        reply = _api_error(405, "405000", "Method Not Allowed")
        reply.headers.append(("Allow", "GET"))
        return reply
    keys = [*request.query.get("api_key", []), request.headers.get("x-api-key", "")]
    if not any(keys):
        return _api_error(403, "403000", "Api Key is required")
    if sim.api_key not in keys:
        return _api_error(403, "403003", "Api Key is invalid")
    scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not sim.token_valid(token.strip()):
        reply = _api_error(401, "401013", "Oauth token is not valid")
        reply.headers.append(("WWW-Authenticate", 'Bearer error="invalid_token"'))
        return reply
    retry_after = sim.throttled(f"token:{token.strip()}")
    if retry_after is not None:
        return _throttled(retry_after, STATUS_JSON)
    if endpoint in ("products", "clouds", "regions"):
        return Reply(200, sim.registry_body(endpoint, request.query))
    if endpoint == "locales":
        return json_reply(200, sim.locales())
    if endpoint == "messages":
        locale = request.path[len(API_PREFIX) :].rstrip("/")[len("messages/") :]
        return json_reply(200, sim.messages(locale, request.query.get("messageToken", [])))
    filters = sim.filters(request.query)
    snapshot = sim.snapshot()
    if endpoint == "events" and ("from" in request.query or "to" in request.query):
        window = _window(request.query)
        if window is None:
            return _api_error(400, "400001", "from and to must be dates (yyyy-MM-dd)")
        return Reply(200, snapshot.events_between(filters, *window))
    if endpoint == "events":
        return Reply(200, snapshot.events_body(filters))
    return Reply(200, snapshot.list_body(endpoint, filters, _KEEP[endpoint]))


def _window(query: Mapping[str, Sequence[str]]) -> tuple[float, float] | None:
    """[from, to + 1 day) in Unix seconds, from the spec's dates (yyyy-MM-dd); None if bad."""
    bounds = []
    for name, default, extra in (("from", -math.inf, 0), ("to", math.inf, 86400)):
        values = query.get(name)
        if not values:
            bounds.append(default)
            continue
        try:
            day = datetime.strptime(values[0], "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            return None
        bounds.append(day.timestamp() + extra)
    return bounds[0], bounds[1]


def _is_scheduled(entry: Entry) -> bool:
    steps = entry.plan.steps[: entry.phase]
    return entry.plan.kind == "maintenance" and event_dto.maintenance_status(steps) == "Scheduled"


_KEEP: dict[str, Callable[[Entry], bool]] = {
    "incidents": lambda e: e.plan.kind == "incident",
    "maintenance": lambda e: e.plan.kind == "maintenance" and not _is_scheduled(e),
    "scheduled": _is_scheduled,
}
