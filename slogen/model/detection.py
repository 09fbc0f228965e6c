"""When a burn-rate alert really fires and stops: the generated rules evaluated step by step, as
Prometheus does it, instead of the continuous f·W/B of the SRE Workbook.

The scenario is the one `slogen explain`, the generated unit tests and benchmarks/detection.py
share: constant traffic, one sample and one evaluation per `interval`, every window clean, then
from one moment a fraction `e = burn × budget` of the events fail (a step), held until every
window is full, then none (recovery). Each recorded error ratio is a weighted share of the
counter increments it sees, the same weights on both sides of the ratio:

  raw window W (rate over W itself): the last W/interval increments, weight 1 each;
  derived window W (sum_over_time of the base-window rates): each sample of the base rate
      covers the last base/interval increments, so an increment weighs by how many of the
      W/interval + 1 samples in range cover it (a ramp over `base` at each edge).

The alert's expression holds at an evaluation when both windows exceed f·budget; it fires at
the first evaluation at least `for` after the first one where it held, and resolves at the first
evaluation where it does not hold. Times are exact multiples of `interval` (docs/alerting.md)."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from math import ceil, floor

from slogen.model.types import SLO, BurnWindow

INTERVAL = 60  # seconds: Prometheus's default evaluation interval, and promtool's test resolution


@dataclass(frozen=True)
class Profile:
    """Cumulative weight of a window's newest increments: `newest[n]` for the n newest."""
    newest: tuple[int, ...]

    @property
    def total(self) -> int:
        return self.newest[-1]

    def first_above(self, share: Fraction) -> int | None:
        """The fewest newest increments whose weight exceeds `share` of the total (None: never)."""
        n = bisect_right(self.newest, floor(share * self.total))  # integers: x <= q iff x <= floor(q)
        return n if n < len(self.newest) else None

    def first_below(self, share: Fraction) -> int:
        """After recovery: the fewest newest (good) increments that bring the bad weight to
        `share` of the total or under."""
        return bisect_left(self.newest, ceil(self.total - share * self.total))  # x < q iff x < ceil(q)


@lru_cache(maxsize=256)
def profile(window: float, base: float, raw: bool, interval: float) -> Profile:
    steps, cover = max(int(window // interval), 1), max(int(base // interval), 1)  # drills scale windows down
    if raw:
        weights = [1] * steps
    else:
        # increment of age a (0: the newest) is covered by the samples u ∈ [a - cover + 1, a] ∩ [0, steps]
        weights = [max(0, min(a, steps) - max(0, a - cover + 1) + 1) for a in range(steps + cover)]
    newest = [0]
    for w in weights:
        newest.append(newest[-1] + w)
    return Profile(tuple(newest))


@lru_cache(maxsize=4096)
def _share(x: float) -> Fraction:
    return Fraction(x).limit_denominator(10**12)


def _profiles(slo: SLO, w: BurnWindow, base: float, interval: float) -> tuple[Profile, Profile]:
    def one(window: float) -> Profile:
        return profile(window, base, window == base or window in slo.raw_queries, interval)
    return one(w.long), one(w.short)


def _needed(slo: SLO, w: BurnWindow, burn: float) -> Fraction | None:
    """The share of a window's weight that must be bad for the ratio to exceed the threshold
    (None: more than all of it, never)."""
    return _need(burn, slo.budget, w.factor)


@lru_cache(maxsize=4096)  # a fleet repeats the same objectives and windows: exact fractions are slow
def _need(burn: float, budget: float, factor: float) -> Fraction | None:
    e = min(Fraction(1), _share(burn) * _share(budget))
    need = _share(factor) * _share(budget) / e if e else None
    return need if need is not None and need < 1 else None


def detection_seconds(slo: SLO, w: BurnWindow, burn: float, base: float, interval: float = INTERVAL) -> float | None:
    """Seconds from the start of a step burn until the alert fires (`for` included); None: never."""
    need = _needed(slo, w, burn)
    if need is None:
        return None
    steps = [p.first_above(need) for p in _profiles(slo, w, base, interval)]
    if None in steps:
        return None
    return (max(max(steps), 1) + ceil(w.for_seconds / interval)) * interval


def reset_seconds(slo: SLO, w: BurnWindow, burn: float, base: float, interval: float = INTERVAL,
                  lasted: float | None = None) -> float | None:
    """Seconds from the end of a burn until the alert resolves: after a long burn (every window
    full), or after one that `lasted` that many seconds (and had fired)."""
    need = _needed(slo, w, burn)
    if need is None:
        return None
    profiles = _profiles(slo, w, base, interval)
    if lasted is None:
        return min(p.first_below(need) for p in profiles) * interval
    d = round(lasted / interval)
    return min(_first_below(p, need, d) for p in profiles) * interval


def _first_below(p: Profile, need: Fraction, d: int) -> int:
    """After a burn of d increments: the first evaluation whose bad weight is `need` or under
    (not monotonic: a summed window's ramp can raise the weight for a few evaluations)."""
    top = len(p.newest) - 1
    for k in range(1, top + 1):
        if p.newest[min(k + d, top)] - p.newest[k] <= need * p.total:
            return k
    return top


def long_ratio(slo: SLO, w: BurnWindow, burn: float, base: float, seconds: float,
               interval: float = INTERVAL) -> Fraction:
    """The long window's error ratio `seconds` after the start of a step burn (the value the
    alert's annotations show)."""
    long, _ = _profiles(slo, w, base, interval)
    e = min(Fraction(1), _share(burn) * _share(slo.budget))
    return e * Fraction(long.newest[min(round(seconds / interval), len(long.newest) - 1)], long.total)


def ties(slo: SLO, w: BurnWindow, burn: float, base: float, interval: float = INTERVAL) -> bool:
    """Some evaluation of this step burn puts a window's ratio exactly on the threshold, where
    Prometheus's float64 arithmetic, not this exact one, decides (by one evaluation either way)."""
    need = _needed(slo, w, burn)
    if need is None:
        return False
    for p in _profiles(slo, w, base, interval):
        for edge in (need * p.total, p.total - need * p.total):
            if edge.denominator == 1 and int(edge) in p.newest:
                return True
    return False
