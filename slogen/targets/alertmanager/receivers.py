"""Bundle receivers → Alertmanager receivers. Secrets are referenced by absolute file path under
`secrets_dir` (made absolute in the model); slogen never opens those files, so nothing secret can
reach `out/`."""
from __future__ import annotations

from slogen import conventions as C
from slogen.model.types import Email, PagerDuty, Receiver, Settings, Slack, Webhook
from slogen.prose import go_escape
from slogen.targets.alertmanager import templates as T


def catch_all(settings: Settings) -> str:
    return settings.default_receiver or C.RECEIVER_CATCH_ALL


def _pagerduty(pd: PagerDuty) -> dict:
    out = {"send_resolved": True, "routing_key_file": pd.routing_key_file}
    if pd.url:
        out["url"] = pd.url
    return out | {
        "client": C.GENERATOR,
        "description": T.use(T.PAGERDUTY_DESCRIPTION),
        "severity": T.use(T.PAGERDUTY_SEVERITY),
        "component": "{{ .CommonLabels.%s }}" % C.LABEL_SERVICE,
        "group": "{{ .CommonLabels.%s }}" % C.LABEL_TEAM,
        "class": T.use(T.PAGERDUTY_CLASS),
        "details": {
            "summary": T.use(T.SUMMARY),
            "description": T.use(T.DESCRIPTION),
            "service": "{{ .CommonLabels.%s }}" % C.LABEL_SERVICE,
            "slo": "{{ .CommonLabels.%s }}" % C.LABEL_SLO,
            "severity": "{{ .CommonLabels.%s }}" % C.LABEL_SEVERITY,
            C.ANNOTATION_RUNBOOK: T.use(T.RUNBOOK_URL),
            C.ANNOTATION_DASHBOARD: T.use(T.DASHBOARD_URL),
            "firing": T.use(T.ALERT_LIST),
        },
        "links": [{"href": T.use(T.RUNBOOK_URL), "text": "Runbook"},
                  {"href": T.use(T.DASHBOARD_URL), "text": "Dashboard"}],
    }


def _slack(slack: Slack) -> dict:
    return {"send_resolved": True, "api_url_file": slack.api_url_file, "channel": go_escape(slack.channel), "title": T.use(T.SLACK_TITLE), "title_link": T.use(T.RUNBOOK_URL),
            "text": T.use(T.SLACK_TEXT)}


def _webhook(hook: Webhook) -> dict:
    return {"send_resolved": True, "url_file": hook.url_file}


def _email(mail: Email) -> dict:
    # Alertmanager executes `channel`, `to` and `from` as templates: the spec's text stays literal
    out = {"send_resolved": True, "to": go_escape(mail.to), "from": go_escape(mail.sender), "smarthost": mail.smarthost}
    if mail.auth_username:
        out["auth_username"] = mail.auth_username
    if mail.auth_password_file:
        out["auth_password_file"] = mail.auth_password_file
    return out | {"headers": {"Subject": T.use(T.EMAIL_SUBJECT)}, "text": T.use(T.EMAIL_TEXT)}


def receiver(r: Receiver) -> dict:
    out: dict = {"name": r.name}
    if r.pagerduty is not None:
        out["pagerduty_configs"] = [_pagerduty(r.pagerduty)]
    if r.slack is not None:
        out["slack_configs"] = [_slack(r.slack)]
    if r.webhook is not None:
        out["webhook_configs"] = [_webhook(r.webhook)]
    if r.email is not None:
        out["email_configs"] = [_email(r.email)]
    return out


def receivers(settings: Settings) -> list[dict]:
    """Every bundle receiver, plus the catch-all when the bundle does not name one."""
    out = [receiver(r) for r in sorted(settings.receivers, key=lambda r: r.name)]
    if catch_all(settings) not in {r.name for r in settings.receivers}:
        out.append({"name": catch_all(settings)})  # no integrations: visible in the UI, never dropped
    return out
