"""`kind: Bundle`: settings for the whole bundle (one file in the specs folder, optional).

Receivers are declared once here; services refer to them by name, through their team."""
from __future__ import annotations

import posixpath
from typing import Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from slogen.spec.common import Name, Strict, doc


def _refused(instead: str):
    """A field that would hold a secret literally. Declared so the user gets one clear error
    (`secret/literal`, from slogen.spec.secrets) instead of "unknown field"."""
    return doc(f"Refused: a secret must not be written into a spec (error `secret/literal`). "
               f"Put it in a file under `secrets_dir` and use `{instead}`.", default=None)


def _absolute(value: str) -> str:
    if not posixpath.isabs(value):
        raise PydanticCustomError("absolute-path", "{v!r} is not an absolute path on the Alertmanager host",
                                  {"v": value})
    return posixpath.normpath(value)


class PagerDutyReceiver(Strict):
    """PagerDuty Events v2; the routing key is read from a file on the Alertmanager host."""
    routing_key_file: str = doc("""File holding the PagerDuty Events v2 routing key, relative to
        `secrets_dir` (or absolute). The key itself never appears in a spec or in `out/`.""")
    url: str | None = doc("""PagerDuty events API URL (default: PagerDuty's own). Not a secret; set it
        for a proxy or, in tests, a local stand-in.""", default=None)
    routing_key: str | None = _refused("routing_key_file")
    service_key: str | None = _refused("routing_key_file")


class SlackReceiver(Strict):
    """A Slack channel through an incoming webhook whose URL is read from a file."""
    channel: str = doc("Slack channel, e.g. `#mcp-production-alerts`.")
    api_url_file: str = doc("File holding the Slack webhook URL, relative to `secrets_dir` (or absolute).")
    api_url: str | None = _refused("api_url_file")
    url: str | None = _refused("api_url_file")


class WebhookReceiver(Strict):
    """A generic webhook whose URL is read from a file (needs Alertmanager 0.26 or later)."""
    url_file: str = doc("""File holding the webhook URL, relative to `secrets_dir` (or absolute). Written as
        Alertmanager's `url_file`, which needs Alertmanager 0.26 or later.""")
    url: str | None = _refused("url_file")


class EmailReceiver(Strict):
    """E-mail through an SMTP smarthost."""
    to: str = doc("Address, e.g. `mcp-alerts@company.com`.")
    smarthost: str = doc("SMTP server as `host:port`, e.g. `smtp.company.com:587`.")
    from_: str = Field(alias="from", description="Sender address, e.g. `alertmanager@company.com`.")
    auth_username: str | None = doc("SMTP user name, if the server needs one.", default=None)
    auth_password_file: str | None = doc("""File holding the SMTP password, relative to `secrets_dir` (or
        absolute).""", default=None)
    auth_password: str | None = _refused("auth_password_file")


class ReceiverSpec(Strict):
    """A named notification target with one integration."""
    name: Name = doc("Receiver name; teams and tiers refer to it.")
    pagerduty: PagerDutyReceiver | None = doc("Send to a PagerDuty service.", default=None)
    slack: SlackReceiver | None = doc("Send to a Slack channel.", default=None)
    webhook: WebhookReceiver | None = doc("Send to a generic webhook.", default=None)
    email: EmailReceiver | None = doc("Send e-mail through the SMTP server it names.", default=None)


class TeamSpec(Strict):
    """Where a team's pages and tickets go."""
    name: Name = doc("Team name as used by services' `team`.")
    page: Name = doc("Receiver for pages (SLO page alerts, critical threshold levels).")
    ticket: Name = doc("Receiver for tickets (SLO ticket alerts, warning threshold levels).")


class BundleSpec(Strict):
    """The bundle file (`kind: Bundle`): receivers, teams, links and the secrets folder."""
    apiVersion: Literal["slogen/v1"] = doc("Spec format version.")
    kind: Literal["Bundle"] = doc("`Bundle`: bundle-wide settings.")
    runbook_base_url: str = doc("""Base URL of the runbooks folder as people browse it, e.g. the monitoring
        repo's web URL of `out/runbooks`. Each alert's `runbook_url` is this plus
        `<service>/<Alert>.md`.""", default="https://example.invalid/monitoring/out/runbooks")
    grafana_url: str = doc("Grafana base URL for dashboard links, e.g. `https://grafana.example.com`.",
                           default="https://grafana.example.invalid")
    secrets_dir: Annotated[str, AfterValidator(_absolute)] = doc("""Absolute folder on the Alertmanager host
        holding the secret files that receivers name (`routing_key_file`, `api_url_file`, ...). The
        generated config names each file by its absolute path under this folder; slogen never reads
        them.""", default="/etc/alertmanager/secrets")
    receivers: list[ReceiverSpec] = doc("Where notifications go.", default_factory=list)
    teams: list[TeamSpec] = doc("Each team's page and ticket receivers.", default_factory=list)
    default_receiver: Name | None = doc("""Catch-all receiver for alerts no route matches (nothing is dropped
        silently). Default: a receiver named `slogen-catch-all` with no integrations.""", default=None)
