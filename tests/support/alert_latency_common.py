"""What the unit and the integration tests of alert_latency share."""

from __future__ import annotations

MAJOR, MINOR = "AdobeProductMajorIncident", "AdobeProductMinorIncident"
SCALE = 10.0  # every interval of the defaults divided by this
