"""Literal secrets in specs are refused at their line (`secret/literal`), with a hint naming the
`*_file` field to use; file references and public endpoints are fine."""
from __future__ import annotations

import textwrap

import pytest

from slogen.diagnostics import Diagnostics
from slogen.load import load_text
from slogen.spec import parse

BUNDLE = "apiVersion: slogen/v1\nkind: Bundle\nreceivers:\n"
HOOK = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
PD_KEY = "0123456789abcdef0123456789abcdef"


def _diags(text: str) -> Diagnostics:
    diags = Diagnostics()
    for source in load_text(textwrap.dedent(text), "spec.yaml", diags):
        parse(source, diags)
    return diags


REFUSED = [
    ("a Slack webhook in api_url", BUNDLE + f"  - name: s\n    slack: {{channel: '#a', api_url: '{HOOK}'}}\n",
     5, "api_url_file"),
    ("a Slack webhook in slack.url", BUNDLE + f"  - name: s\n    slack:\n      channel: '#a'\n      url: {HOOK}\n",
     7, "api_url_file"),
    ("a Slack webhook pasted into api_url_file",
     BUNDLE + f"  - name: s\n    slack:\n      channel: '#a'\n      api_url_file: {HOOK}\n", 7, "api_url_file"),
    ("a PagerDuty routing_key", BUNDLE + f"  - name: p\n    pagerduty:\n      routing_key: {PD_KEY}\n",
     6, "routing_key_file"),
    ("a PagerDuty service_key", BUNDLE + "  - name: p\n    pagerduty:\n      service_key: abc\n", 6, "routing_key_file"),
    ("a PagerDuty-looking key in any field", BUNDLE + f"  - name: p\n    pagerduty:\n      routing_key_file: {PD_KEY}\n",
     6, "routing_key_file"),
    ("a webhook url", BUNDLE + "  - name: w\n    webhook:\n      url: https://hooks.example.com/x?token=1\n",
     6, "url_file"),
    ("an SMTP password", BUNDLE + "  - name: e\n    email: {to: a@b.c, from: c@d.e, smarthost: 'h:25', auth_password: x}\n",
     5, "auth_password_file"),
    ("a Slack webhook in a service description",
     f"apiVersion: slogen/v1\nservice: x\nteam: t\ndescription: alerts go to {HOOK}\n", 4, "api_url_file"),
    ("a Slack token in a label", "apiVersion: slogen/v1\nservice: x\nteam: t\nlabels:\n  bot: xoxb-1234567890-abcdefghij\n",
     5, "*_file"),
]


@pytest.mark.parametrize(("text", "line", "instead"), [pytest.param(*c[1:], id=c[0]) for c in REFUSED])
def test_a_literal_secret_is_refused_at_its_line(text, line, instead):
    found = [d for d in _diags(text) if d.code == "secret/literal"]
    assert len(found) == 1, [str(d) for d in _diags(text)]
    assert found[0].position.line == line
    assert instead in found[0].hint
    assert HOOK not in found[0].message and PD_KEY not in found[0].message, "messages must not echo secrets"


@pytest.mark.parametrize(("text", "line"), [pytest.param(*c[1:3], id=c[0]) for c in REFUSED[:2]])
def test_a_refused_field_is_a_secret_error_not_an_unknown_field(text, line):
    codes = [d.code for d in _diags(text) if d.severity.value == "error"]
    assert "secret/literal" in codes and "spec/unknown-field" not in codes


ACCEPTED = [
    ("file references", BUNDLE + "  - name: s\n    slack: {channel: '#a', api_url_file: slack/a.url}\n"
                                 "  - name: p\n    pagerduty: {routing_key_file: /abs/pd.key}\n"),
    ("PagerDuty's public events URL", BUNDLE + "  - name: p\n    pagerduty: {routing_key_file: k, "
                                               "url: 'https://events.pagerduty.com/v2/enqueue'}\n"),
    ("a runbook URL", "apiVersion: slogen/v1\nkind: Bundle\nrunbook_base_url: https://git.example.com/r\n"),
    ("a 31-character hex label", "apiVersion: slogen/v1\nservice: x\nteam: t\nlabels:\n  build: "
                                 "0123456789abcdef0123456789abcde\n"),
]


@pytest.mark.parametrize("text", [pytest.param(c[1], id=c[0]) for c in ACCEPTED])
def test_no_false_alarm(text):
    assert not [d for d in _diags(text) if d.code == "secret/literal"]


def test_a_relative_secrets_dir_is_refused():
    diags = _diags("apiVersion: slogen/v1\nkind: Bundle\nsecrets_dir: secrets\n")
    assert [d.position.line for d in diags if d.severity.value == "error"] == [3]
