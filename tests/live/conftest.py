"""Tests of the commands that read a live Prometheus; each module starts its own server."""
