"""The public feed status.adobe.com reads: `feed_source` asks for its two documents and
reads them with `status_events` (StatusEvents) and `service_registry` (SnowServiceRegistry)."""
