"""Prometheus exporter for the Adobe Status API."""

__version__ = "0.1.0"
