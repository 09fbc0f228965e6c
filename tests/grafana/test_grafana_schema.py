"""Every generated dashboard type-checks against the types Grafana publishes (npm @grafana/schema,
version pinned in tsc/package.json): `tsc --noEmit --strict` over a generated .ts file that
declares each dashboard as the schema's Dashboard and each panel as its panel kind's Options /
FieldConfig. With SLOGEN_REQUIRE_TOOLS=1 (CI) a missing npm fails the test instead of skipping."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from helpers import require

TSC = Path(__file__).resolve().parent / "tsc"
SCHEMA = "@grafana/schema"
PANELCFG = SCHEMA + "/dist/esm/raw/composable/{0}/panelcfg/x/{1}PanelCfg_types.gen"
PANEL_TYPES = {"stat": "Stat", "timeseries": "TimeSeries", "table": "Table", "text": "Text"}

PRELUDE = f"""\
import type {{ Dashboard, Panel, RowPanel, DataQuery }} from '{SCHEMA}';
{chr(10).join(f"import type * as {k} from '{PANELCFG.format(k, v)}';" for k, v in PANEL_TYPES.items())}

// JSON cannot spell a TypeScript string-enum member (ThresholdsMode.Absolute); it writes the value
// ("absolute"). Json<T> accepts exactly the enum's values there and is T everywhere else.
type Json<T> = T extends string ? `${{T}}` : T extends (infer U)[] ? Json<U>[]
  : T extends object ? {{ [K in keyof T]: Json<T[K]> }} : T;
// A panel of a known kind: its options and custom field config typed by that kind's schema.
type Kind<O, F> = Json<Omit<Panel<O, F>, 'options' | 'targets'> & {{
  options?: Partial<O>; targets?: Array<DataQuery & Record<string, unknown>>;
}}>;
"""


def _install() -> Path:
    """`npm ci` into tests/grafana/tsc once; reused while the installed versions match the pins."""
    require("npm")
    pins = json.loads((TSC / "package.json").read_text())["devDependencies"]
    installed = {name: TSC / "node_modules" / name / "package.json" for name in pins}
    if not all(p.is_file() and json.loads(p.read_text())["version"] == pins[n] for n, p in installed.items()):
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=TSC, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
    return TSC / "node_modules" / ".bin" / "tsc"


def typescript(dashboards: dict[str, dict]) -> str:
    """One .ts module: each panel checked as its kind, each dashboard as Dashboard."""
    lines = [PRELUDE]
    for i, (name, d) in enumerate(sorted(dashboards.items())):
        refs = []
        for p in d.get("panels", []):
            kind = p["type"]
            t = "Json<RowPanel>" if kind == "row" else (
                f"Kind<{kind}.Options, {kind}.FieldConfig>" if kind in ("timeseries", "table")
                else f"Kind<{kind}.Options, {{}}>" if kind in PANEL_TYPES else "Json<Panel>")
            ref = f"p{i}_{p['id']}"
            lines.append(f"// {name}: {p.get('title', '')}\nconst {ref} = {json.dumps(p)} satisfies {t};")
            refs.append(ref)
        body = dict(d, panels="__PANELS__")
        lines.append(f"// {name}\nexport const d{i} = "
                     + json.dumps(body).replace('"__PANELS__"', "[" + ", ".join(refs) + "]")
                     + " satisfies Json<Dashboard>;")
    return "\n".join(lines) + "\n"


def tsc(files: dict[str, dict[str, dict]]) -> dict[str, list[str]]:
    """Type-check each group of dashboards in its own file, in one tsc run; errors per file."""
    binary = _install()
    gen = TSC / ".generated"
    gen.mkdir(exist_ok=True)
    for old in gen.glob("*.ts"):
        old.unlink()
    for stem, dashboards in files.items():
        (gen / f"{stem}.ts").write_text(typescript(dashboards))
    cmd = [str(binary), "--noEmit", "--strict", "--target", "es2022", "--module", "esnext",
           "--moduleResolution", "bundler", "--skipLibCheck", *sorted(str(p) for p in gen.glob("*.ts"))]
    done = subprocess.run(cmd, cwd=TSC, capture_output=True, text=True, timeout=600)
    errors: dict[str, list[str]] = {stem: [] for stem in files}
    for line in done.stdout.splitlines():
        m = re.match(r"\.generated/([^.]+)\.ts\(\d+,\d+\): error", line)
        if m:
            errors[m.group(1)].append(line)
        elif re.match(r"\S.*error TS", line):
            errors.setdefault("other", []).append(line)
    assert done.returncode in (0, 2), done.stdout + done.stderr
    return errors


def _broken(dashboard: dict) -> dict[str, dict]:
    """One defect per dashboard copy, each of a kind Grafana's types must refuse."""
    out = {}
    d = json.loads(json.dumps(dashboard))
    next(p for p in d["panels"] if p["type"] == "stat")["options"]["colorMode"] = "rainbow"
    out["stat colour mode"] = d
    d = json.loads(json.dumps(dashboard))
    next(p for p in d["panels"] if p["type"] == "timeseries")["fieldConfig"]["defaults"]["unitt"] = "s"
    out["misspelt field"] = d
    d = json.loads(json.dumps(dashboard))
    d["panels"][0]["gridPos"].pop("h")
    out["gridPos without h"] = d
    d = json.loads(json.dumps(dashboard))
    d["schemaVersion"] = "42"
    out["schemaVersion as text"] = d
    return out


def test_dashboards_type_check_against_grafana_schema(built_specs):
    dashboards = {p.name: json.loads(p.read_text()) for p in sorted((built_specs / "grafana").glob("*.json"))}
    broken = _broken(dashboards["ggen-mcp.json"])
    files = {"generated": dashboards} | {f"broken{i}": {k: v} for i, (k, v) in enumerate(broken.items())}
    errors = tsc(files)
    assert errors["generated"] == [], "\n".join(errors["generated"])
    assert not errors.get("other"), errors.get("other")
    for i, what in enumerate(broken):
        assert errors[f"broken{i}"], f"tsc accepted a dashboard with a broken {what}"


def test_schema_version_is_the_pinned_packages_own():
    """The schemaVersion slogen writes is the default Dashboard's of the pinned @grafana/schema."""
    from slogen.targets.grafana.model_json import SCHEMA_VERSION

    _install()
    found = set()
    for f in (TSC / "node_modules" / "@grafana" / "schema" / "dist" / "esm").rglob("*.mjs"):
        found |= {int(n) for n in re.findall(r"schemaVersion: (\d+)", f.read_text())}
    assert found == {SCHEMA_VERSION}
