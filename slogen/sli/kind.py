"""What every SLI kind module provides; the table of kinds is in `slogen.sli`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from slogen.series import Series


@dataclass(frozen=True)
class SLIKind:
    name: str
    spec: type
    # the spec → the kind's frozen value in the model (slogen.model.SLO.sli), which the two
    # functions below read
    normalise: Callable[[Any], Any]
    # (bad events/s, all events/s) over the given window, as PromQL, one series per group of the
    # labels given (slogen.groups)
    queries: Callable[[Any, str, tuple[str, ...]], tuple[str, str]]
    # counter series giving `total` and `bad` events per step (raises series.Untestable)
    fixture: Callable[[Any, list[float], list[float]], list[Series]]
    # the SLI in words, and what its good and bad events are called (from the spec, in the model stage)
    describe: Callable[[Any], str]
    bad_noun: str
    good_noun: str
    nouns: Callable[[Any], tuple[str, str]] | None = None

    def good_bad_nouns(self, spec) -> tuple[str, str]:
        return self.nouns(spec) if self.nouns else (self.good_noun, self.bad_noun)
