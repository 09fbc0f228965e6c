"""slogen: SLO specs in, a proven monitoring bundle out."""

__version__ = "0.1.0"

# The cyclic garbage collector, at its default thresholds, walked the specs' documents and the
# model again and again while a fleet was loaded and rendered: 14% of a 1,000-service build's CPU;
# and ~35 ms of the command's start-up, while pydantic makes the spec models. A command is
# short-lived and makes little cyclic garbage, so it collects less often (as mypy does); memory
# stayed the same (docs/performance.md). Set by the command only (slogen.__main__, slogen.cli).
GC_THRESHOLDS = (200_000, 30, 30)
