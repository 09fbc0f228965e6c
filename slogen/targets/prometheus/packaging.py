"""The same rule groups, packaged for how a team runs its rules (`slogen build --format`).

- `prometheus` (default): the plain rule files only (`prometheus/rules/`). Prometheus and
  Thanos Ruler read them as they are.
- `prometheus-operator`: one `PrometheusRule` object per service in `prometheus-operator/`, with
  the namespace and labels (for the Prometheus `ruleSelector`) given on the command line.
- `mimir`: one rule namespace per service in `mimir/`, the `namespace:` + `groups:` files that
  mimirtool (and cortex-tools) load and sync.

The plain files are written in every format: the generated promtool tests read them, and the
packaged forms hold exactly the same groups (the tests extract and check them)."""
from __future__ import annotations

import re

from slogen.model import Bundle
from slogen.targets.prometheus.rules import rule_groups
from slogen.files import File

OPERATOR_API = "monitoring.coreos.com/v1"


def k8s_name(service: str) -> str:
    """Object names are DNS labels: lowercase letters, digits and '-'."""
    return ("slogen-" + re.sub(r"[^a-z0-9-]+", "-", service.lower())).strip("-")[:63].rstrip("-")


def prometheus_rule(service, bundle: Bundle) -> dict:
    out = bundle.output
    labels = {"app.kubernetes.io/managed-by": "slogen"} | dict(sorted(out.labels.items()))
    return {"apiVersion": OPERATOR_API, "kind": "PrometheusRule",
            "metadata": {"name": k8s_name(service.name), "namespace": out.namespace, "labels": labels},
            "spec": {"groups": rule_groups(service, bundle)}}


def service_files(bundle: Bundle, services) -> list[File]:
    fmt = bundle.output.format
    if fmt == "prometheus-operator":
        return [File(f"prometheus-operator/{s.name}.yaml", prometheus_rule(s, bundle), source=s.source, service=s.name)
                for s in services]
    if fmt == "mimir":
        return [File(f"mimir/{s.name}.yaml", {"namespace": s.name, "groups": rule_groups(s, bundle)},
                     source=s.source, service=s.name)
                for s in services]
    return []
