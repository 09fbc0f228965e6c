"""Grafana dashboards: one per service plus the SLO overview, from jsonnet: one evaluation for all
the service dashboards a build renders and one for the overview.

slogen's jsonnet (`main.jsonnet` + `lib/`) ships inside the package (`jsonnet/`, in this repository
a symlink to the top-level `dashboards/` folder where it is maintained). A team's own folder
(`dashboards/` next to the specs, or `--dashboards DIR`: found by slogen.load.discover) may add two things, never a copy of
slogen's library:
  config.libsonnet            overrides of lib/config.libsonnet for every dashboard
  custom/<stem>.libsonnet     extra panels / overrides for `<stem>.json` (a service, or slo-overview)
Each jsonnet start-up costs ~30 ms, so the service dashboards come out of a single evaluate_snippet
call; a snippet built here imports the team's files by absolute path. slogen's own library is
inlined into that snippet (`library`): _jsonnet spends ~15 ms on every file it imports, whatever
its size, so importing the seven files cost 100 ms per evaluation, for the same output. The
overview is a separate call on a small model (`overview_summary` of every service), so an
incremental build (slogen.write.record) evaluates only the changed services' dashboards and the
overview.
The evaluator is the C++ jsonnet unless $SLOGEN_JSONNET picks jrsonnet (slogen.targets.grafana.engine):
the same parsed output, so the same bytes.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from slogen.diagnostics import TargetError, relative
from slogen.model import Bundle
from slogen.targets.grafana import engine, layout
from slogen.targets.grafana.model_json import (OVERVIEW_FILE, dashboard_file, overview_model, overview_summary,
                                               services_model)
from slogen.files import File

LIBRARY = Path(__file__).resolve().parent / "jsonnet"
FOLDER = "grafana"
CUSTOM = "custom"
CONFIG = "config.libsonnet"


def _string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a jsonnet string literal


def snippet(model: dict, user_dir: str | None) -> str:
    """The program evaluated: slogen's main.jsonnet applied to the team's files."""
    overview = model["render"] == "overview"
    stems = {model["overview"]["stem"]} if overview else {s["stem"] for s in model["services"]}
    config, custom = "{}", []
    if user_dir:
        root = Path(user_dir)
        if (root / CONFIG).is_file():
            config = f"import {_string(str(root / CONFIG))}"
        folder = root / CUSTOM
        for f in sorted(folder.glob("*.libsonnet")) if folder.is_dir() else []:
            if f.stem in stems:
                custom.append(f"{_string(f.stem)}: import {_string(str(f))}")
    return f"function(model) (\n{library()}\n)(model, {config}, {{{', '.join(custom)}}})\n"


@functools.lru_cache(maxsize=1)
def library() -> str:
    """main.jsonnet with every file of lib/ bound to a local instead of imported. The same program:
    an import is the file's expression evaluated on its own, and a local bound outside any object
    is that too (`$` in it is its own outermost object); the locals of one `local` may refer to
    each other, as the files import each other. A team's custom file still imports lib/ files."""
    names = sorted(p.stem for p in (LIBRARY / "lib").glob("*.libsonnet"))
    imports = re.compile(r"\bimport\s+'(?:lib/)?(%s)\.libsonnet'" % "|".join(map(re.escape, names)))

    def bound(text: str) -> str:
        return imports.sub(lambda m: f"slogen_lib_{m.group(1)}", text)

    files = ",\n".join(f"slogen_lib_{n} = (\n{bound((LIBRARY / 'lib' / f'{n}.libsonnet').read_text())}\n)"
                       for n in names)
    return f"local {files};\n{bound((LIBRARY / 'main.jsonnet').read_text())}"


def check_custom(user_dir: str | None, names: list[str]) -> None:
    """A custom file named after no dashboard is an error (it would silently do nothing)."""
    folder = Path(user_dir) / CUSTOM if user_dir else None
    if folder is None or not folder.is_dir():
        return
    stems = set(names) | {OVERVIEW_FILE.removesuffix(".json")}
    for f in sorted(folder.glob("*.libsonnet")):
        if f.stem not in stems:
            raise TargetError("grafana/custom-unknown", f"{relative(f)}: no dashboard is called {f.stem}.json",
                              hint="name it after a service or slo-overview: " + ", ".join(sorted(stems)))


def evaluate(model: dict, user_dir: str | None) -> dict[str, dict]:
    evaluate_snippet = engine.evaluate_snippet()
    program = snippet(model, user_dir)
    try:
        # jpathdir: a team's custom file can `import 'lib/panels.libsonnet'` (slogen's helpers)
        text = evaluate_snippet("slogen-dashboards.jsonnet", program, jpathdir=[str(LIBRARY)],
                                tla_codes={"model": json.dumps(model)})
    except RuntimeError as exc:
        raise TargetError("grafana/jsonnet", f"dashboards do not evaluate: {str(exc).strip()}",
                          hint=f"check the files in {relative(Path(user_dir))}" if user_dir else "") from None
    return {name: layout.place(dashboard) for name, dashboard in json.loads(text).items()}


def service_files(bundle: Bundle, services) -> list[File]:
    if not services:
        return []
    user_dir = bundle.dashboards
    by_file = {dashboard_file(s.name): s for s in services}
    out = []
    for name, dashboard in evaluate(services_model(bundle, services), user_dir).items():
        s = by_file[name]
        out.append(File(f"{FOLDER}/{name}", dashboard, kind="json", source=s.source, service=s.name))
    return out


def summary(service, bundle: Bundle) -> dict:
    return overview_summary(service, bundle)


def shared_files(bundle: Bundle, summaries: dict[str, dict]) -> list[File]:
    user_dir = bundle.dashboards
    check_custom(user_dir, list(summaries))
    model = overview_model(bundle, list(summaries.values()))
    return [File(f"{FOLDER}/{name}", dashboard, kind="json", source=bundle.settings.source)
            for name, dashboard in evaluate(model, user_dir).items()]
