"""`slogen explain --plot`: detection time against burn rate, one line per alert.

matplotlib with the Agg backend (no display needed) and fixed metadata and SVG hash salt, so
the same specs give the same bytes and a committed plot only changes when the alerts do.
matplotlib is an optional extra (`slogen[plot]`): only this flag needs it."""
from __future__ import annotations

from pathlib import Path

from slogen.diagnostics import Diagnostics
from slogen.durations import format_duration
from slogen.model import SLO
from slogen.model.detection import detection_seconds
from slogen.model.types import BurnWindow
from slogen.review.explain import BURNS, SLOExplanation, outage_burn

FORMATS = {".png": {"Software": None}, ".svg": {"Date": None, "Creator": None}}
POINTS = 200


def _curve(slo: SLO, w: BurnWindow, base: float, top: float) -> tuple[list[float], list[float]]:
    """Burn rates just above the factor up to `top` (log-spaced), and detection times in hours."""
    low = w.factor * 1.001
    if top <= low:
        return [], []
    xs = [low * (top / low) ** (i / (POINTS - 1)) for i in range(POINTS)]
    ys = [detection_seconds(slo, w, x, base) for x in xs]
    return [x for x, y in zip(xs, ys) if y is not None], [y / 3600 for y in ys if y is not None]


def _pyplot(diags: Diagnostics):
    try:
        import matplotlib
    except ImportError:
        diags.error("explain/plot-missing", "`--plot` needs matplotlib, which is not installed",
                    hint="pip install 'slogen[plot]' (in a clone: pip install -e '.[plot]')")
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_plot(explanations: list[SLOExplanation], path: Path, diags: Diagnostics) -> bool:
    meta = FORMATS.get(path.suffix.lower())
    if meta is None:
        diags.error("explain/plot-format", f"cannot write a plot to {path}: use a .png or .svg file name")
        return False
    plt = _pyplot(diags)
    if plt is None:
        return False
    plt.rcParams["svg.hashsalt"] = "slogen"
    n = len(explanations)
    fig, axes = plt.subplots(n, 1, figsize=(8, 4.5 * n), squeeze=False)
    for ax, x in zip(axes[:, 0], explanations):
        slo, top = x.slo, outage_burn(x.slo)
        for e in x.alerts:
            w = e.alert.window
            xs, ys = _curve(slo, w, x.base, top)
            label = (f"{e.alert.severity} {format_duration(w.long)}/{format_duration(w.short)} "
                     f"(> {w.factor:g}x, for {format_duration(w.for_seconds) if w.for_seconds else '0s'})")
            line, = ax.plot(xs, ys, label=label)
            marks = [(r.burn, r.detect / 3600) for r in e.rows if r.possible and r.detect is not None]
            ax.plot([m[0] for m in marks], [m[1] for m in marks], "o", color=line.get_color(), markersize=4)
            ax.axvline(w.factor, color=line.get_color(), linestyle=":", linewidth=0.8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("burn rate (× the rate that spends the budget in exactly one period)")
        ax.set_ylabel("time until the alert fires (hours)")
        ax.set_title(f"{slo.service} / {slo.name}: objective {slo.objective_percent:g}% over "
                     f"{format_duration(slo.period)} (total outage = {top:g}x)")
        ticks = [b for b in (1, *BURNS, top) if b <= top]
        ax.set_xticks(ticks, [f"{b:g}x" for b in ticks])
        ax.grid(True, which="both", linewidth=0.3)
        if x.alerts:
            ax.legend(fontsize="small")
    fig.tight_layout()
    try:
        fig.savefig(path, metadata=meta)
    except OSError as exc:
        diags.error("explain/plot-write", f"cannot write {path}: {exc.strerror or exc}")
        return False
    finally:
        plt.close(fig)
    return True
