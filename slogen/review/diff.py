"""`slogen diff`: what a change to the specs does to the alerts, per service, for a reviewer.

The "after" side is always the specs as they are; the "before" side is the same specs at a git
revision (built with this slogen, so only spec changes show) or a committed out/ folder.

Pairing before with after, most certain first:
  1. same service, alert name, severity and window pair: the same alert;
  2. same identity under another name: renamed. An SLO alert's identity is its service, SLO,
     severity and window pair; a threshold alert's is its service, kind, severity and expression
     with the numbers taken out (so a new level still pairs);
  3. same service, name and severity (window pairs in order): its windows changed;
  4. SLO alerts of the same service, SLO and severity, in order: renamed and changed.
The rest were added or removed."""
from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from slogen.diagnostics import Diagnostics
from slogen.durations import format_duration
from slogen.review.snapshot import AlertView, Snapshot, from_bundle, from_out, numbers

# --- the two sides ----------------------------------------------------------------------------


def snapshot_of_specs(paths: list[Path], label: str, diags: Diagnostics) -> Snapshot | None:
    from slogen import api

    bundle = api.load_bundle(paths, diags)
    return None if bundle is None else from_bundle(bundle, label)


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120)


def snapshot_at_revision(paths: list[Path], ref: str, diags: Diagnostics) -> Snapshot | None:
    """The same spec paths at a git revision, exported into a temporary folder and built there."""
    first = paths[0].resolve()
    here = first if first.is_dir() else first.parent
    top = _git(["rev-parse", "--show-toplevel"], here)
    if top.returncode:
        diags.error("diff/not-git", f"{paths[0]} is not inside a git repository, so `--against {ref}` has no "
                    "meaning", hint="compare with a built folder instead: --against out/")
        return None
    root = Path(top.stdout.decode().strip())
    commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    if commit.returncode:
        diags.error("diff/unknown-ref", f"`{ref}` is neither a folder nor a git revision",
                    hint="e.g. --against origin/main, --against HEAD~1 or --against out/")
        return None
    sha = commit.stdout.decode().strip()
    rel = [p.resolve().relative_to(root).as_posix() for p in paths]
    label = f"{ref} ({sha[:7]})"
    tmp = Path(tempfile.mkdtemp(prefix="slogen-diff-"))
    try:
        present = [r for r in rel if not _git(["cat-file", "-e", f"{sha}:{r}"], root).returncode]
        if not present:
            diags.warning("diff/new-specs", f"{', '.join(rel)} did not exist at {ref}; everything is new")
            return Snapshot(label, routes_known=True)
        archive = _git(["archive", "--format=tar", sha, "--", *present], root)
        if archive.returncode:
            diags.error("diff/git", f"git archive {ref} failed: {archive.stderr.decode().strip()}")
            return None
        with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        inner = Diagnostics()
        snap = snapshot_of_specs([tmp / r for r in present], label, inner)
        for d in inner:  # problems of the old specs are worth knowing, but are not this change's
            where = f" ({d.position.file.replace(str(tmp) + '/', '')}:{d.position.line})" if d.position else ""
            (diags.error if snap is None else diags.warning)(
                d.code, f"at {ref}{where}: {d.message}", hint=d.hint)
        return snap
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def before_snapshot(paths: list[Path], against: str, diags: Diagnostics) -> Snapshot | None:
    folder = Path(against)
    if folder.is_dir() and (folder / "prometheus").is_dir():
        return from_out(folder, diags)
    return snapshot_at_revision(paths, against, diags)


# --- pairing and changes ----------------------------------------------------------------------

@dataclass
class Change:
    kind: str                      # "added" | "removed" | "renamed" | "changed"
    subject: str                   # "AvailabilityBudgetBurn [page 1h/5m]"
    details: list[tuple[str, str, str]] = field(default_factory=list)   # (what, before, after)


@dataclass
class ServiceDiff:
    service: str
    status: str = ""               # "added" | "removed" | ""
    changes: list[Change] = field(default_factory=list)


def _subject(a: AlertView) -> str:
    return f"{a.name} [{a.severity}{' ' + a.window if a.window else ''}]"


def _identity(a: AlertView) -> tuple:
    if a.kind == "slo":
        return ("slo", a.service, a.slo, a.severity, a.window)
    return ("threshold", a.service, a.kind, a.severity, a.shape)


def _long_seconds(a: AlertView) -> float:
    from slogen.durations import parse_duration

    try:
        return parse_duration((a.window or "0s/0s").split("/")[0])
    except ValueError:
        return 0


def pair(before: list[AlertView], after: list[AlertView]) -> tuple[list[tuple[AlertView, AlertView]],
                                                                   list[AlertView], list[AlertView]]:
    left, right = list(before), list(after)
    pairs: list[tuple[AlertView, AlertView]] = []

    def match(key, only=lambda a: True):
        nonlocal left, right
        buckets: dict = {}
        for a in sorted((a for a in left if only(a)), key=_long_seconds):
            buckets.setdefault(key(a), []).append(a)
        keep = []
        for a in sorted(right, key=_long_seconds):
            found = buckets.get(key(a)) if only(a) else None
            if found:
                pairs.append((found.pop(0), a))
            else:
                keep.append(a)
        taken = {id(b) for b, _ in pairs}
        left, right = [a for a in left if id(a) not in taken], keep

    match(lambda a: (a.service, a.name, a.severity, a.window))
    match(_identity)
    match(lambda a: (a.service, a.name, a.severity))
    match(lambda a: (a.service, a.slo, a.severity), only=lambda a: a.kind == "slo")
    return pairs, left, right


def _grouping(s) -> str:
    return f"per {', '.join(s.group_by)} (one budget and alert set each)" if s.group_by else "one SLO, all series summed"


def _pct(ratio: float) -> str:
    return f"{ratio * 100:.4g}%"


def _for(seconds: float) -> str:
    return format_duration(seconds) if seconds else "0s"


_COMPARE = re.compile(r"(>=|<=|==|!=|>|<)\s*(-?[0-9.e+]+)\s*$")


def condition(a: AlertView) -> str:
    if a.kind == "slo":
        return f"burn rate > {a.factor:g}x (error ratio > {_pct(a.threshold)})" if a.factor else a.expr
    m = _COMPARE.search(a.expr)
    return f"{m.group(1)} {m.group(2)}" if m else a.expr


def facts(a: AlertView, routes_known: bool, removed: bool) -> list[tuple[str, str, str]]:
    """What a reviewer needs of an added alert (in the "after" column) or a removed one ("before")."""
    out = [("fires when", condition(a)), ("for", _for(a.for_seconds))]
    if routes_known:
        out.append(("route", a.receiver or "(none)"))
    return [(what, v, "") if removed else (what, "", v) for what, v in out]


def compare(b: AlertView, a: AlertView, routes: bool) -> list[tuple[str, str, str]]:
    d = []
    if b.window != a.window:
        d.append(("windows", b.window or "", a.window or ""))
    if b.kind == a.kind == "slo":
        if (b.factor, b.budget) != (a.factor, a.budget):
            d.append(("threshold", condition(b), condition(a)))
        elif b.expr != a.expr and b.window == a.window:
            d.append(("expression", b.expr, a.expr))
    elif b.expr != a.expr:
        if b.shape == a.shape and _COMPARE.search(b.expr) and numbers(b.expr)[:-1] == numbers(a.expr)[:-1]:
            d.append(("level", condition(b), condition(a)))
        else:
            d.append(("expression", b.expr, a.expr))
    if b.for_seconds != a.for_seconds:
        d.append(("for", _for(b.for_seconds), _for(a.for_seconds)))
    if routes and b.receiver != a.receiver:
        d.append(("route", b.receiver or "(none)", a.receiver or "(none)"))
    lb, la = dict(b.labels), dict(a.labels)
    for k in sorted(set(lb) | set(la)):
        if k not in ("window",) and lb.get(k) != la.get(k):
            d.append((f"label {k}", lb.get(k, "(unset)"), la.get(k, "(unset)")))
    return d


def diff(before: Snapshot, after: Snapshot) -> list[ServiceDiff]:
    routes = before.routes_known and after.routes_known
    out: dict[str, ServiceDiff] = {}

    def svc(name: str) -> ServiceDiff:
        if name not in out:
            status = "added" if name not in before.services else "removed" if name not in after.services else ""
            out[name] = ServiceDiff(name, status)
        return out[name]

    for key in sorted(set(before.slos) | set(after.slos)):
        b, a = before.slos.get(key), after.slos.get(key)
        if b is None or a is None:
            what = "added" if b is None else "removed"
            s = a or b
            svc(key[0]).changes.append(Change(what, f"SLO {key[1]}", [
                ("objective", "", f"{s.objective_percent:g}%" if s.objective_percent is not None else "?"),
                ("period", "", s.period or "?")] + ([("per group", "", _grouping(s))] if s.group_by else [])))
            continue
        details = []
        if b.objective_percent != a.objective_percent:
            details.append(("objective", f"{b.objective_percent:g}%", f"{a.objective_percent:g}%"))
        if b.period != a.period:
            details.append(("period", b.period or "?", a.period or "?"))
        if b.group_by != a.group_by:  # each group gets its own budget and alerts, or loses them
            details.append(("per group", _grouping(b), _grouping(a)))
        if details:
            svc(key[0]).changes.append(Change("changed", f"SLO {key[1]}", details))
    pairs, removed, added = pair(before.alerts, after.alerts)
    for b, a in pairs:
        details = compare(b, a, routes)
        if b.name != a.name:
            svc(a.service).changes.append(Change("renamed", f"{b.name} → {_subject(a)}", details))
        elif details:
            svc(a.service).changes.append(Change("changed", _subject(a), details))
    for a in removed:
        svc(a.service).changes.append(Change("removed", _subject(a), facts(a, before.routes_known, removed=True)))
    for a in added:
        svc(a.service).changes.append(Change("added", _subject(a), facts(a, after.routes_known, removed=False)))
    order = {"changed": 0, "renamed": 1, "added": 2, "removed": 3}
    for s in out.values():
        s.changes.sort(key=lambda c: (not c.subject.startswith("SLO "), order[c.kind], c.subject))
    return [out[k] for k in sorted(out) if out[k].changes or out[k].status]


# --- text and Markdown ------------------------------------------------------------------------

def _counts(diffs: list[ServiceDiff]) -> str:
    n: dict[str, int] = {}
    for s in diffs:
        for c in s.changes:
            if not c.subject.startswith("SLO "):
                n[c.kind] = n.get(c.kind, 0) + 1
    parts = [f"{n[k]} {k}" for k in ("added", "removed", "renamed", "changed") if n.get(k)]
    services = f"{len(diffs)} service{'s' * (len(diffs) != 1)}"
    return f"{services}; alerts: {', '.join(parts) or 'none changed'}"


MARK = {"added": "+", "removed": "-", "renamed": "~", "changed": "~"}
NOTHING = "No alerts, thresholds, windows, objectives or routes changed."


def render_text(diffs: list[ServiceDiff], before: Snapshot, after: Snapshot) -> str:
    lines = [f"slogen diff: {after.label} against {before.label}"]
    if not (before.routes_known and after.routes_known):
        lines.append("(routes not compared: no alertmanager config on one side)")
    if not diffs:
        return "\n".join(lines + [NOTHING]) + "\n"
    for s in diffs:
        lines.append("")
        lines.append(f"{s.service}{' (new service)' if s.status == 'added' else ' (service removed)' if s.status == 'removed' else ''}")
        for c in s.changes:
            lines.append(f"  {MARK[c.kind]} {c.kind} {c.subject}")
            for what, b, a in c.details:
                lines.append(f"      {what}: {b} → {a}" if b and a else f"      {what}: {b or a}")
    lines += ["", _counts(diffs)]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return "`" + text.replace("|", "\\|").replace("\n", " ").replace("`", "'") + "`" if text else ""


def render_markdown(diffs: list[ServiceDiff], before: Snapshot, after: Snapshot) -> str:
    lines = [f"### slogen diff: `{after.label}` against `{before.label}`", ""]
    if not (before.routes_known and after.routes_known):
        lines += ["_Routes not compared: no Alertmanager config on one side._", ""]
    if not diffs:
        return "\n".join(lines + [NOTHING]) + "\n"
    lines += [f"**{_counts(diffs)}**", ""]
    for s in diffs:
        status = " (new service)" if s.status == "added" else " (service removed)" if s.status == "removed" else ""
        lines += [f"#### {s.service}{status}", "", "| change | what | field | before | after |",
                  "|---|---|---|---|---|"]
        for c in s.changes:
            for i, (what, b, a) in enumerate(c.details or [("", "", "")]):
                head = (c.kind, f"**{c.subject}**") if i == 0 else ("", "")
                lines.append(f"| {head[0]} | {head[1]} | {what} | {_cell(b)} | {_cell(a)} |")
        lines.append("")
    return "\n".join(lines)


def run(paths: list[Path], against: str, markdown: bool, diags: Diagnostics) -> str | None:
    """The whole command: both sides, paired, rendered. None when a side could not be built."""
    after = snapshot_of_specs(paths, " ".join(str(p) for p in paths), diags)
    if after is None:
        return None
    before = before_snapshot(paths, against, diags)
    if before is None:
        return None
    diffs = diff(before, after)
    return (render_markdown if markdown else render_text)(diffs, before, after)
