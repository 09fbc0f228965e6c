"""Refuse literal secrets in specs, before anything else reads them.

Specs are committed and `out/` is committed, so a webhook URL or routing key written into a spec
leaks twice. Receivers name files instead (`api_url_file`, `routing_key_file`, ...) that live
under `secrets_dir` on the Alertmanager host. This scan looks at every key and string value of
every document: fields that only ever hold a secret, and values that look like one wherever they
are. Messages never repeat the secret itself (diagnostics end up in CI logs)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from slogen.diagnostics import Diagnostics
from slogen.load import Source

CODE = "secret/literal"

# Field name → the `*_file` field to use instead. These names hold a secret wherever they appear.
SECRET_FIELDS = {
    "api_url": "api_url_file",
    "webhook_url": "api_url_file",
    "routing_key": "routing_key_file",
    "service_key": "routing_key_file",
    "integration_key": "routing_key_file",
    "auth_password": "auth_password_file",
    "password": "auth_password_file",
    "token": "a `*_file` field",
    "api_key": "a `*_file` field",
}
# `url` is a secret only where the URL itself carries the credential (Slack, generic webhooks);
# PagerDuty's `url` is the public events endpoint.
SECRET_URL_PARENTS = {"slack": "api_url_file", "webhook": "url_file"}


@dataclass(frozen=True)
class Pattern:
    what: str
    regex: re.Pattern
    instead: str


PATTERNS = (
    Pattern("a Slack webhook URL", re.compile(r"hooks\.slack\.com/(?:services|workflows|triggers)/\S+", re.I),
            "api_url_file"),
    Pattern("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), "a `*_file` field"),
    # Events v2 integration keys are 32 hex characters; global ruleset keys are R0 + 30 characters.
    Pattern("a PagerDuty key", re.compile(r"(?<![A-Za-z0-9])(?:[0-9a-f]{32}|R0[0-9A-Z]{30})(?![A-Za-z0-9])"),
            "routing_key_file"),
)


def _walk(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _walk(value, path + (i,))


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _field_instead(path: tuple) -> str | None:
    if not path or not isinstance(path[-1], str):
        return None
    key = path[-1]
    if len(path) >= 2 and path[-2] == "labels":
        # A label's name says how alerts are routed, not what the value holds (Sloth users route
        # on `routing_key: team-x`); its value is still checked against PATTERNS below.
        return None
    if key in SECRET_FIELDS:
        return SECRET_FIELDS[key]
    if key == "url" and len(path) >= 2 and path[-2] in SECRET_URL_PARENTS:
        return SECRET_URL_PARENTS[path[-2]]
    return None


def scan(source: Source, diags: Diagnostics) -> int:
    """Report every literal secret in one document; returns how many were found."""
    found = 0
    for path, value in _walk(source.data):
        if value is None or isinstance(value, (dict, list)):
            continue
        instead = _field_instead(path)
        if instead is not None:
            found += 1
            diags.error(CODE, f"`{_dotted(path)}` holds a secret literally; specs and out/ are committed",
                        source.at(path),
                        hint=f"write the value into a file under `secrets_dir` and name that file with "
                             f"{instead if instead.startswith('a ') else '`' + instead + '`'}")
            continue
        if not isinstance(value, str):
            continue
        for pattern in PATTERNS:
            if pattern.regex.search(value):
                found += 1
                instead = pattern.instead if pattern.instead.startswith("a ") else f"`{pattern.instead}`"
                diags.error(CODE, f"`{_dotted(path)}` contains {pattern.what}; specs and out/ are committed",
                            source.at(path),
                            hint=f"move it into a file under `secrets_dir` and reference it with {instead}")
                break
    return found


def find_in_text(text: str) -> list[str]:
    """What looks like a secret in generated text (used by tests on out/): the kinds found."""
    return [p.what for p in PATTERNS if p.regex.search(text)]
