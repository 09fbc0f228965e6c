"""`kind: Bundle`: settings for the whole bundle (one file in the specs folder, optional).

Receivers are declared once here; services refer to them by name, through their team."""
from __future__ import annotations

from typing import Literal

from slogen.spec.common import Name, Strict, doc


class PagerDutyReceiver(Strict):
    routing_key_file: str = doc("""File holding the PagerDuty Events v2 routing key, relative to
        `secrets_dir` (or absolute). The key itself never appears in a spec or in `out/`.""")
    url: str | None = doc("PagerDuty events URL (default: PagerDuty's own).", default=None)


class SlackReceiver(Strict):
    channel: str = doc("Slack channel, e.g. `#mcp-production-alerts`.")
    api_url_file: str = doc("File holding the Slack webhook URL, relative to `secrets_dir` (or absolute).")


class WebhookReceiver(Strict):
    url_file: str = doc("File holding the webhook URL, relative to `secrets_dir` (or absolute).")


class EmailReceiver(Strict):
    to: str = doc("Address, e.g. `mcp-alerts@company.com`.")


class ReceiverSpec(Strict):
    name: Name = doc("Receiver name; teams and tiers refer to it.")
    pagerduty: PagerDutyReceiver | None = doc("Send to a PagerDuty service.", default=None)
    slack: SlackReceiver | None = doc("Send to a Slack channel.", default=None)
    webhook: WebhookReceiver | None = doc("Send to a generic webhook.", default=None)
    email: EmailReceiver | None = doc("Send e-mail (needs smtp settings in `alertmanager.global`).",
                                      default=None)


class TeamSpec(Strict):
    name: Name = doc("Team name as used by services' `team`.")
    page: Name = doc("Receiver for pages (SLO page alerts, critical threshold levels).")
    ticket: Name = doc("Receiver for tickets (SLO ticket alerts, warning threshold levels).")


class BundleSpec(Strict):
    apiVersion: Literal["slogen/v1"] = doc("Spec format version.")
    kind: Literal["Bundle"] = doc("`Bundle`: bundle-wide settings.")
    runbook_base_url: str = doc("""Base URL of the runbooks folder as people browse it, e.g. the monitoring
        repo's web URL of `out/runbooks`. Each alert's `runbook_url` is this plus
        `<service>/<Alert>.md`.""", default="https://example.invalid/monitoring/out/runbooks")
    grafana_url: str = doc("Grafana base URL for dashboard links, e.g. `https://grafana.example.com`.",
                           default="https://grafana.example.invalid")
    secrets_dir: str = doc("""Folder on the Alertmanager host holding the secret files that receivers
        name (`routing_key_file`, `api_url_file`).""", default="/etc/alertmanager/secrets")
    receivers: list[ReceiverSpec] = doc("Where notifications go.", default_factory=list)
    teams: list[TeamSpec] = doc("Each team's page and ticket receivers.", default_factory=list)
    default_receiver: Name | None = doc("""Catch-all receiver for alerts no route matches (nothing is dropped
        silently). Default: a receiver named `slogen-catch-all` with no integrations.""", default=None)
