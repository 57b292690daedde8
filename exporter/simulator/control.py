"""The control API under /_sim/, for driving a simulator that runs as its own process.

Bodies are JSON objects whose keys are the keyword arguments of the matching `Simulator`
method; errors come back as 400 (bad request) or 404 (no such event) with {"error": ...}.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from exporter.simulator.exchange import Reply, Request, json_reply
from exporter.simulator.world import Simulator

PREFIX = "/_sim/"

_Action = Callable[[Simulator, dict[str, Any]], Reply]


def _ok(payload: object = None, status: int = 200) -> Reply:
    return json_reply(status, {"ok": True} if payload is None else payload)


def _added(event_id: str) -> Reply:
    return json_reply(201, {"id": event_id})


def _fault(sim: Simulator, args: dict[str, Any]) -> Reply:
    # JSON has no bytes: `body` is text, `body_base64` carries any bytes (invalid UTF-8 ...).
    if "body_base64" in args:
        try:
            args["body"] = base64.b64decode(args.pop("body_base64"), validate=True)
        except (binascii.Error, TypeError) as exc:
            raise ValueError("body_base64 is not base64") from exc
    sim.inject(**args)
    return _ok()


def _reset(sim: Simulator, args: dict[str, Any]) -> Reply:
    sim.clear_faults()
    sim.reset_counts()
    return _ok()


def _revoke(sim: Simulator, args: dict[str, Any]) -> Reply:
    sim.revoke_tokens()
    return _ok()


def _clear_faults(sim: Simulator, args: dict[str, Any]) -> Reply:
    sim.clear_faults()
    return _ok()


def _clear_events(sim: Simulator, args: dict[str, Any]) -> Reply:
    sim.clear_events()
    return _ok()


def _expires_in(sim: Simulator, args: dict[str, Any]) -> Reply:
    sim.set_expires_in(**args)
    return _ok()


_ROUTES: dict[tuple[str, str], _Action] = {
    ("GET", "stats"): lambda sim, args: _ok(sim.stats()),
    ("GET", "events"): lambda sim, args: _ok(sim.payload_events()),
    ("GET", "feed"): lambda sim, args: _ok(sim.payload_feed(**args)),
    ("POST", "incidents"): lambda sim, args: _added(sim.add_incident(**args)),
    ("POST", "maintenances"): lambda sim, args: _added(sim.add_maintenance(**args)),
    ("POST", "faults"): _fault,
    ("DELETE", "faults"): _clear_faults,
    ("POST", "reset"): _reset,
    ("POST", "revoke"): _revoke,
    ("POST", "expires-in"): _expires_in,
    ("DELETE", "events"): _clear_events,
}


def _event_route(sim: Simulator, method: str, event_id: str, args: dict[str, Any]) -> Reply:
    """/_sim/events/<id>: DELETE removes, PATCH updates (incident or maintenance kwargs)."""
    if method == "DELETE":
        sim.remove_event(event_id)
        return Reply(204)
    if method == "PATCH":
        if sim.event_kind(event_id) == "incident":
            sim.update_incident(event_id, **args)
        else:
            sim.update_maintenance(event_id, **args)
        return _ok()
    return json_reply(405, {"error": "use DELETE or PATCH"})


def handle(sim: Simulator, request: Request) -> Reply:
    name = request.path[len(PREFIX) :].strip("/")
    try:
        args = _arguments(request)
        if name.startswith("events/"):
            return _event_route(sim, request.method, name[len("events/") :], args)
        action = _ROUTES.get((request.method, name))
        if action is None:
            return json_reply(
                404, {"error": f"no control endpoint {request.method} {request.path}"}
            )
        return action(sim, args)
    except KeyError as exc:
        return json_reply(404, {"error": f"no such event: {exc.args[0]}"})
    except (TypeError, ValueError) as exc:
        return json_reply(400, {"error": str(exc)})


def _arguments(request: Request) -> dict[str, Any]:
    """The JSON object in the body, or for GET the query string (`epoch_ms=1`)."""
    if request.method == "GET":
        return {key: values[-1] not in ("", "0", "false") for key, values in request.query.items()}
    if not request.body.strip():
        return {}
    try:
        args = json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"body is not JSON: {exc}") from exc
    if not isinstance(args, dict):
        raise ValueError("body must be a JSON object")
    return args
