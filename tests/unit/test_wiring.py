"""The wiring (exporter/wiring.py): one Service from either source's configuration, the
Status API's with its token and secrets, the public feed's with neither."""

from __future__ import annotations

from exporter.collector import scrape_registry
from exporter.config import ApiConfig, CacheConfig, FeedConfig
from exporter.deadline import Deadline
from exporter.secret import Secret
from exporter.simulator import SimulatorServer
from exporter.wiring import Service, build_service
from tests.support.exporters import CLIENT_ID, CLIENT_SECRET


def api_config(sim_server: SimulatorServer) -> ApiConfig:
    return ApiConfig(
        CLIENT_ID,
        Secret(CLIENT_SECRET),
        ims_token_url=sim_server.ims_token_url,
        api_url=sim_server.api_url,
        timeout=5.0,
    )


def build(upstream: ApiConfig | FeedConfig) -> Service:
    return build_service(upstream, CacheConfig())


def families(service: Service) -> set[str]:
    """What one scrape of the service exposes."""
    view = service.cache.view(Deadline.after(10))
    assert view.up, view.error
    registry = scrape_registry(view, lambda: service.token_expiry, service.metrics.collector)
    return {family.name for family in registry.collect()}


def test_the_status_api_service_holds_a_token_and_its_secrets(
    sim_server: SimulatorServer,
) -> None:
    service = build(api_config(sim_server))
    try:
        assert service.tokens is not None
        assert service.token_expiry is None  # no token before the first collection
        service.warm_up().join(10)
        assert service.cache.first_attempt_done.is_set()
        assert service.token_expiry is not None
        held = [secret.reveal() for secret in service.secrets()]
        assert CLIENT_SECRET in held and len(held) == 2  # the client secret and the token
    finally:
        service.close()


def test_the_feed_service_needs_no_credential(sim_server: SimulatorServer) -> None:
    service = build(FeedConfig(feed_url=sim_server.feed_url, timeout=5.0))
    try:
        assert service.tokens is None
        assert service.secrets() == ()
        service.warm_up().join(10)
        assert service.cache.first_attempt_done.is_set()
        assert service.token_expiry is None
    finally:
        service.close()


def test_both_services_expose_the_same_status_families(sim_server: SimulatorServer) -> None:
    api = build(api_config(sim_server))
    feed = build(FeedConfig(feed_url=sim_server.feed_url, timeout=5.0))
    try:
        from_api, from_feed = families(api), families(feed)
    finally:
        api.close()
        feed.close()
    status = {
        name
        for name in from_api
        if not name.startswith(("adobe_status_api_", "adobe_status_token_"))
    }
    assert status <= from_feed
    assert "adobe_status_token_requests" in from_api
    assert "adobe_status_token_requests" not in from_feed
    assert "adobe_status_token_expiry_timestamp_seconds" not in from_feed
