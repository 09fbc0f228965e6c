"""Grafana dashboards: one per service plus the SLO overview, from jsonnet, in ONE evaluation.

slogen's jsonnet (`main.jsonnet` + `lib/`) ships inside the package (`jsonnet/`, in this repository
a symlink to the top-level `dashboards/` folder where it is maintained). A team's own folder
(`dashboards/` next to the specs, or `--dashboards DIR`) may add two things, never a copy of
slogen's library:
  config.libsonnet            overrides of lib/config.libsonnet for every dashboard
  custom/<stem>.libsonnet     extra panels / overrides for `<stem>.json` (a service, or slo-overview)
Each jsonnet start-up costs ~30 ms, so every dashboard comes out of a single evaluate_snippet
call; a snippet built here imports the team's files by absolute path.
"""
from __future__ import annotations

import json
from pathlib import Path

from slogen.diagnostics import Diagnostics, TargetError, relative
from slogen.model import Bundle
from slogen.targets.grafana.model_json import model_json
from slogen.writer import File

LIBRARY = Path(__file__).resolve().parent / "jsonnet"
FOLDER = "grafana"
CUSTOM = "custom"
CONFIG = "config.libsonnet"


def locate(spec_paths: list[Path], explicit: Path | None, diags: Diagnostics) -> str | None:
    """The team's dashboards folder: `--dashboards`, else `dashboards/` inside or next to the
    first specs folder. None when there is none (slogen's defaults only)."""
    if explicit is not None:
        if not explicit.is_dir():
            diags.error("grafana/dashboards-missing", f"--dashboards {explicit}: no such folder")
            return None
        return str(explicit.resolve())
    for p in spec_paths[:1]:
        folder = p if p.is_dir() else p.parent
        for candidate in (folder / "dashboards", folder.resolve().parent / "dashboards"):
            if candidate.is_dir():
                return str(candidate.resolve())
    return None


def _string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a jsonnet string literal


def snippet(model: dict, user_dir: str | None) -> str:
    """The one program evaluated per build: slogen's main.jsonnet applied to the team's files."""
    stems = {s["stem"] for s in model["services"]} | {model["overview"]["stem"]}
    config, custom = "{}", []
    if user_dir:
        root = Path(user_dir)
        if (root / CONFIG).is_file():
            config = f"import {_string(str(root / CONFIG))}"
        folder = root / CUSTOM
        for f in sorted(folder.glob("*.libsonnet")) if folder.is_dir() else []:
            if f.stem not in stems:
                raise TargetError("grafana/custom-unknown",
                                  f"{relative(f)}: no dashboard is called {f.stem}.json",
                                  hint="name it after a service or slo-overview: " + ", ".join(sorted(stems)))
            custom.append(f"{_string(f.stem)}: import {_string(str(f))}")
    main = _string(str(LIBRARY / "main.jsonnet"))
    return f"function(model) (import {main})(model, {config}, {{{', '.join(custom)}}})\n"


def evaluate(bundle: Bundle) -> dict[str, dict]:
    import _jsonnet

    model = model_json(bundle)
    user_dir = getattr(bundle, "dashboards", None)
    program = snippet(model, user_dir)
    try:
        # jpathdir: a team's custom file can `import 'lib/panels.libsonnet'` (slogen's helpers)
        text = _jsonnet.evaluate_snippet("slogen-dashboards.jsonnet", program, jpathdir=[str(LIBRARY)],
                                         tla_codes={"model": json.dumps(model)})
    except RuntimeError as exc:
        raise TargetError("grafana/jsonnet", f"dashboards do not evaluate: {str(exc).strip()}",
                          hint=f"check the files in {relative(Path(user_dir))}" if user_dir else "") from None
    return json.loads(text)


def files(bundle: Bundle) -> list[File]:
    sources = {s.name: s.source for s in bundle.services}
    out = []
    for name, dashboard in evaluate(bundle).items():
        out.append(File(f"{FOLDER}/{name}", dashboard, kind="json",
                        source=sources.get(name.removesuffix(".json"), bundle.settings.source)))
    return out
