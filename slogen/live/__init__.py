"""Reading a live Prometheus: the HTTP client and the shared command-line options."""
from slogen.live.client import Connection, Prometheus, PrometheusError, RangeSeries, Sample

__all__ = ["Connection", "Prometheus", "PrometheusError", "RangeSeries", "Sample"]
