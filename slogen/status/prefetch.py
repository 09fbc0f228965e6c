"""The fleet-wide queries of `slogen status`, asked while the specs load.

Their text depends only on the shape of the bundle (slogen.status.queries.Shape): for a run without
filters that is, almost always, the default alert windows and period. So the queries of that
default shape are sent before the specs are read, and Prometheus answers them while slogen parses
and checks; `collect` then finds them answered. A query whose text the loaded specs do not ask for
(custom windows or periods) is never used, and costs only its time in Prometheus.

The threads are daemons: a run that stops early (specs with errors) does not wait for a slow
Prometheus to answer what nobody will read."""
from __future__ import annotations

import dataclasses
import queue
import threading
from concurrent.futures import Future

from slogen import conventions as C
from slogen.durations import parse_duration, scaled
from slogen.live.client import Prometheus
from slogen.status.queries import PARALLEL, Query, Shape, lookback


def default_shape(time_scale: float) -> Shape:
    """The shape of a bundle whose SLOs all use the default windows and period (at `time_scale`)."""
    from slogen.model.build import default_windows
    from slogen.spec.service import SLOSpec

    windows = [(scaled(parse_duration(w.long), time_scale), scaled(parse_duration(w.short), time_scale))
               for w in default_windows()]
    base = scaled(C.BASE_WINDOW, time_scale)
    period = scaled(parse_duration(SLOSpec.model_fields["period"].default), time_scale)
    return Shape("", lookback(time_scale), tuple(sorted({w for pair in windows for w in pair} | {base})),
                 ((period, tuple(sorted({long for long, _ in windows}))),))


class Prefetched:
    """A Prometheus (slogen.live.client) that already asked some queries: the same question,
    asked again, gets that answer (or its error); any other goes to Prometheus."""

    def __init__(self, api: Prometheus, queries: list[Query]) -> None:
        self.api = api
        self.warnings = api.warnings
        self._answers: dict[Query, Future] = {q: Future() for q in queries}
        self._todo: queue.SimpleQueue[tuple[Query, Future] | None] = queue.SimpleQueue()
        for item in self._answers.items():
            self._todo.put(item)
        for _ in range(min(PARALLEL, len(self._answers))):
            self._todo.put(None)
            # a client of its own: Prometheus' warnings about an answer count only if it is used
            own = dataclasses.replace(api, warnings=[])
            threading.Thread(target=self._work, args=(own,), daemon=True, name="slogen-prefetch").start()

    def _work(self, api: Prometheus) -> None:
        while (item := self._todo.get()) is not None:
            q, answer = item
            if not answer.set_running_or_notify_cancel():
                continue
            try:
                result = getattr(api, q[0])(*q[1:])
                answer.set_result((result, api.warnings[:]))
            except BaseException as exc:  # noqa: BLE001 (handed to whoever asks)
                answer.set_exception(exc)
            api.warnings.clear()

    def _asked(self, q: Query):
        answer = self._answers.pop(q, None)
        if answer is None:
            return getattr(self.api, q[0])(*q[1:])
        result, warnings = answer.result()
        self.warnings.extend(warnings)
        return result

    def query(self, expr: str, at: float | None = None):
        return self._asked(("query", expr, at))

    def query_range(self, expr: str, start: float, end: float, step: float):
        return self._asked(("query_range", expr, start, end, step))

    def unused(self) -> list[Query]:
        """The queries nobody has asked for again (yet)."""
        return list(self._answers)

    def close(self) -> None:
        """Queries not asked for again are not sent (those already sent finish in the background)."""
        for answer in self._answers.values():
            answer.cancel()


def prefetch(api: Prometheus, time_scale: float, at: float, plots: bool) -> Prefetched:
    return Prefetched(api, [q for _, q in default_shape(time_scale).queries(at, plots)])
