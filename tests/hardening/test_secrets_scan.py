"""Nothing that looks like a secret is ever in a built bundle, specs holding one are refused
wherever it sits, and a routing label named `routing_key` is not mistaken for one."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from slogen import api
from slogen.spec.secrets import find_in_text

ROOT = Path(__file__).resolve().parents[2]
PD_KEY = "0123456789abcdef0123456789abcdef"
SLACK_URL = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"
# Wider than the spec scanner on purpose: anything credential-shaped in generated text.
BROAD = [re.compile(p) for p in (
    r"hooks\.slack\.com/", r"xox[abposr]-", r"(?<![A-Za-z0-9])[0-9a-f]{32}(?![A-Za-z0-9])",
    r"(?i)(?:api[_-]?key|token|password|secret)\s*[:=]\s*['\"]?[A-Za-z0-9/+_-]{16,}",
    r"https?://[^/\s:@]+:[^/\s@]+@", r"-----BEGIN [A-Z ]*PRIVATE KEY-----", r"AKIA[0-9A-Z]{16}")]

SPEC = """\
apiVersion: slogen/v1
service: api
team: platform
labels: {labels}
slos:
  - name: availability
    description: {description}
    objective: 99.9
    sli: {{kind: availability, total: 'x_total{{job="api"}}', bad: 'x_total{{job="api",code=~"5.."}}'}}
"""


def test_the_shipped_bundle_holds_nothing_secret_looking(built_specs):
    files = [p for p in built_specs.rglob("*") if p.is_file()]
    assert len(files) > 50
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not find_in_text(text), path
        hits = [m.group(0) for rx in BROAD for m in rx.finditer(text)]
        assert not hits, (path.relative_to(built_specs), hits[:3])


def _build(tmp: Path, labels: str = "{}", description: str = "ok") -> api.Result:
    (tmp / "specs").mkdir(exist_ok=True)
    (tmp / "specs" / "api.yaml").write_text(SPEC.format(labels=labels, description=description))
    return api.build([tmp / "specs"], tmp / "out")


@pytest.mark.parametrize("labels,description", [
    ("{owner: x}", f"see {SLACK_URL}"),
    (f"{{routing_key: '{PD_KEY}'}}", "ok"),
    ("{routing_key: 'R0ABCDEFGHIJKLMNOPQRSTUVWXYZ0123'}", "ok"),
    ("{chat: 'xoxb-1234567890-abcdefghij'}", "ok"),
], ids=["a Slack webhook in a description", "a PagerDuty key in a routing_key label",
        "a ruleset key in a routing_key label", "a Slack token in a label"])
def test_a_spec_with_a_secret_is_refused_and_nothing_is_written(tmp_path, labels, description):
    result = _build(tmp_path, labels, description)
    secrets = [d for d in result.diagnostics if d.code == "secret/literal"]
    assert secrets and secrets[0].position.line in (4, 7), [(d.code, d.position) for d in result.diagnostics]
    assert PD_KEY not in secrets[0].message and SLACK_URL not in secrets[0].message  # not repeated in CI logs
    assert not (tmp_path / "out").exists()


def test_a_routing_key_label_with_a_plain_value_is_allowed(tmp_path):
    """Sloth users route on a `routing_key` label (e.g. `team-payments`): that is not a secret."""
    result = _build(tmp_path, "{routing_key: team-payments}")
    assert result.ok, [(d.code, d.message) for d in result.diagnostics]
    rules = (tmp_path / "out" / "prometheus" / "rules" / "api.rules.yml").read_text()
    assert "routing_key: team-payments" in rules
