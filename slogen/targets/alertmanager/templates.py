"""Notification templates (Go text/template, rendered by Alertmanager), written as one file.

Receivers call them by name (`{{ template "slogen.slack.title" . }}`), so the receiver config
stays short and the wording lives in one place: slogen/templates/alertmanager/slogen.tmpl. That
file is Go template text; slogen fills in only its `[[ ... ]]` placeholders (label and annotation
names from slogen.conventions, the generated-file header) with Jinja2, whose own `{{ }}` syntax
is switched off so Go's passes through untouched. A group holds alerts of one alertname, service
and SLO (the route's group_by), and of one group of a grouped SLO, so links are taken from its
first firing alert and the `group` annotation is common to the notification."""
from __future__ import annotations

import jinja2

from slogen import conventions as C
from slogen.files import HEADER

PATH = "templates/slogen.tmpl"   # relative to alertmanager.yml; Alertmanager resolves it there

SUMMARY = "slogen.summary"
DESCRIPTION = "slogen.description"
RUNBOOK_URL = "slogen.runbook_url"
DASHBOARD_URL = "slogen.dashboard_url"
TITLE = "slogen.title"
ALERT_LIST = "slogen.alerts"
SLACK_TITLE = "slogen.slack.title"
SLACK_TEXT = "slogen.slack.text"
PAGERDUTY_DESCRIPTION = "slogen.pagerduty.description"
PAGERDUTY_SEVERITY = "slogen.pagerduty.severity"
PAGERDUTY_CLASS = "slogen.pagerduty.class"
EMAIL_SUBJECT = "slogen.email.subject"
EMAIL_TEXT = "slogen.email.text"

NAMES = (SUMMARY, DESCRIPTION, RUNBOOK_URL, DASHBOARD_URL, TITLE, ALERT_LIST, SLACK_TITLE, SLACK_TEXT,
         PAGERDUTY_DESCRIPTION, PAGERDUTY_SEVERITY, PAGERDUTY_CLASS, EMAIL_SUBJECT, EMAIL_TEXT)


def use(name: str) -> str:
    return '{{ template "%s" . }}' % name


def _env() -> jinja2.Environment:
    # Jinja2's own delimiters are replaced by ones Go templates never use, so `{{ }}` is plain text.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("slogen", "templates/alertmanager"), undefined=jinja2.StrictUndefined,
        variable_start_string="[[", variable_end_string="]]", block_start_string="[%", block_end_string="%]",
        comment_start_string="[#", comment_end_string="#]", keep_trailing_newline=True, autoescape=False)


def text(source: str | None) -> str:
    header = HEADER.format(source=source or "the bundle settings")
    return _env().get_template("slogen.tmpl").render(header=header, C=C)
