"""Bundle receivers → Alertmanager receivers. Secrets are referenced by absolute file path under
`secrets_dir`; slogen never opens those files, so nothing secret can reach `out/`."""
from __future__ import annotations

import posixpath

from slogen import conventions as C
from slogen.model.types import Receiver, Settings
from slogen.prose import go_escape
from slogen.targets.alertmanager import templates as T

def secret_path(settings: Settings, file: str) -> str:
    return posixpath.normpath(posixpath.join(settings.secrets_dir, file))


def catch_all(settings: Settings) -> str:
    return settings.default_receiver or C.RECEIVER_CATCH_ALL


def _pagerduty(spec, settings: Settings) -> dict:
    out = {"send_resolved": True, "routing_key_file": secret_path(settings, spec.routing_key_file)}
    if spec.url:
        out["url"] = spec.url
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


def _slack(spec, settings: Settings) -> dict:
    return {"send_resolved": True, "api_url_file": secret_path(settings, spec.api_url_file),
            "channel": go_escape(spec.channel), "title": T.use(T.SLACK_TITLE), "title_link": T.use(T.RUNBOOK_URL),
            "text": T.use(T.SLACK_TEXT)}


def _webhook(spec, settings: Settings) -> dict:
    return {"send_resolved": True, "url_file": secret_path(settings, spec.url_file)}


def _email(spec, settings: Settings) -> dict:
    # Alertmanager executes `channel`, `to` and `from` as templates: the spec's text stays literal
    out = {"send_resolved": True, "to": go_escape(spec.to), "from": go_escape(spec.from_),
           "smarthost": spec.smarthost}
    if spec.auth_username:
        out["auth_username"] = spec.auth_username
    if spec.auth_password_file:
        out["auth_password_file"] = secret_path(settings, spec.auth_password_file)
    return out | {"headers": {"Subject": T.use(T.EMAIL_SUBJECT)}, "text": T.use(T.EMAIL_TEXT)}


_INTEGRATIONS = (("pagerduty", "pagerduty_configs", _pagerduty), ("slack", "slack_configs", _slack),
                 ("webhook", "webhook_configs", _webhook), ("email", "email_configs", _email))


def receiver(r: Receiver, settings: Settings) -> dict:
    out: dict = {"name": r.name}
    for field, key, build in _INTEGRATIONS:
        spec = getattr(r.spec, field)
        if spec is not None:
            out[key] = [build(spec, settings)]
    return out


def receivers(settings: Settings) -> list[dict]:
    """Every bundle receiver, plus the catch-all when the bundle does not name one."""
    out = [receiver(r, settings) for r in sorted(settings.receivers, key=lambda r: r.name)]
    if catch_all(settings) not in {r.name for r in settings.receivers}:
        out.append({"name": catch_all(settings)})  # no integrations: visible in the UI, never dropped
    return out
