"""Notification templates (Go text/template, rendered by Alertmanager), written as one file.

Receivers call them by name (`{{ template "slogen.slack.title" . }}`), so the receiver config
stays short and the wording lives in one place. A group holds alerts of one alertname, service
and SLO (the route's group_by), so links are taken from its first firing alert."""
from __future__ import annotations

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


def _first(field: str) -> str:
    """An annotation of the group's first firing alert (its first alert once all resolved)."""
    return ("{{- $a := index .Alerts 0 -}}{{- if .Alerts.Firing }}{{ $a = index .Alerts.Firing 0 }}{{ end -}}"
            f"{{{{ $a.Annotations.{field} }}}}")


def text(source: str | None) -> str:
    sev, svc, slo, win = C.LABEL_SEVERITY, C.LABEL_SERVICE, C.LABEL_SLO, C.LABEL_WINDOW
    defs = {
        SUMMARY: _first(C.ANNOTATION_SUMMARY),
        DESCRIPTION: _first(C.ANNOTATION_DESCRIPTION),
        RUNBOOK_URL: _first(C.ANNOTATION_RUNBOOK),
        DASHBOARD_URL: _first(C.ANNOTATION_DASHBOARD),
        TITLE: ("[{{ .Status | toUpper }}{{ if eq .Status \"firing\" }}:{{ .Alerts.Firing | len }}{{ end }}] "
                f"{{{{ .CommonLabels.alertname }}}} · {{{{ .CommonLabels.{svc} }}}}"
                f"{{{{ with .CommonLabels.{slo} }}}} / {{{{ . }}}}{{{{ end }}}} ({{{{ .CommonLabels.{sev} }}}})"),
        ALERT_LIST: ("{{ range .Alerts }}- [{{ .Status }}] {{ .Labels.alertname }}"
                     f"{{{{ with .Labels.{win} }}}} over {{{{ . }}}}{{{{ end }}}} since {{{{ .StartsAt }}}}\n"
                     "{{ end }}"),
        SLACK_TITLE: use(TITLE),
        SLACK_TEXT: ("{{ range .Alerts -}}\n"
                     "{{ if eq .Status \"firing\" }}:rotating_light:{{ else }}:white_check_mark:{{ end }} "
                     f"*{{{{ .Annotations.{C.ANNOTATION_SUMMARY} }}}}*\n"
                     f"{{{{ .Annotations.{C.ANNOTATION_DESCRIPTION} }}}}\n"
                     f"*Service:* `{{{{ .Labels.{svc} }}}}`"
                     f"{{{{ with .Labels.{slo} }}}}  *SLO:* `{{{{ . }}}}`{{{{ end }}}}"
                     f"  *Severity:* `{{{{ .Labels.{sev} }}}}`"
                     f"{{{{ with .Labels.{win} }}}}  *Window:* `{{{{ . }}}}`{{{{ end }}}}\n"
                     f"<{{{{ .Annotations.{C.ANNOTATION_RUNBOOK} }}}}|Runbook> · "
                     f"<{{{{ .Annotations.{C.ANNOTATION_DASHBOARD} }}}}|Dashboard>\n"
                     "{{ end }}"),
        PAGERDUTY_DESCRIPTION: f"{use(TITLE)}: {use(SUMMARY)}",
        PAGERDUTY_SEVERITY: (f"{{{{ if eq .CommonLabels.{C.LABEL_TIER} \"{C.TIER_PAGE}\" }}}}critical"
                             "{{ else }}warning{{ end }}"),
        PAGERDUTY_CLASS: (f"{{{{ with .CommonLabels.{slo} }}}}slo:{{{{ . }}}}"
                          f"{{{{ else }}}}{{{{ .CommonLabels.{C.LABEL_ALERT_KIND} }}}}{{{{ end }}}}"),
        EMAIL_SUBJECT: use(TITLE),
        EMAIL_TEXT: (f"{use(SUMMARY)}\n\n{use(DESCRIPTION)}\n\nRunbook: {use(RUNBOOK_URL)}\n"
                     f"Dashboard: {use(DASHBOARD_URL)}\n\n{use(ALERT_LIST)}"),
    }
    header = HEADER.format(source=source or "the bundle settings")
    body = "\n\n".join(f'{{{{ define "{name}" }}}}{defs[name]}{{{{ end }}}}' for name in NAMES)
    return f"{{{{/* {header} */}}}}\n\n{body}\n"
