"""PromQL helpers: parsing for validation, selectors, and label sets that satisfy matchers.

promql-parser knows functions newer than Prometheus 2.42 and its errors carry no position;
promtool (run by the tests on everything written) is the final word on 2.42 compatibility.
"""
from __future__ import annotations

import re
import re._parser as sre_parse  # the stdlib regex parser (sre_parse is its deprecated alias)
from dataclasses import dataclass
from functools import lru_cache

import promql_parser

WINDOW_PLACEHOLDER = "{{window}}"
_PLACEHOLDERS = ("{{window}}", "{{ window }}", "{{.window}}", "{{ .window }}")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


class PromQLError(ValueError):
    pass


@lru_cache(maxsize=4096)
def parse(expr: str):
    return parse_uncached(expr)


def parse_uncached(expr: str):
    """For expressions parsed once: they would only push others out of the cache."""
    try:
        return promql_parser.parse(expr)
    except BaseException as exc:  # the Rust binding raises ValueError, sometimes a PanicException
        raise PromQLError(f"invalid PromQL: {exc}") from None


# A string literal ("…", '…' with escapes, `…` raw) is one token whatever it holds.
_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`[^`]*`')
_CHECKED_SHAPES: set[str] = set()


def check_generated(expr: str) -> None:
    """Raise PromQLError if a generated expression does not parse. A fleet's rules differ from
    service to service mostly in label values: an expression whose shape (string literals
    blanked) already parsed is not parsed again. Sound because every literal slogen writes is
    either quoted by `quote` or comes from a spec expression that was parsed on its way in."""
    shape = expr if "#" in expr else _LITERAL.sub('""', expr)  # a comment could hide a quote
    if shape in _CHECKED_SHAPES:
        return
    parse_uncached(expr)
    if len(_CHECKED_SHAPES) > 100_000:
        _CHECKED_SHAPES.clear()
    _CHECKED_SHAPES.add(shape)


def has_placeholder(query: str) -> bool:
    return any(p in query for p in _PLACEHOLDERS)


def fill_window(query: str, window: str) -> str:
    for p in _PLACEHOLDERS:
        query = query.replace(p, window)
    return query


@lru_cache(maxsize=16384)  # re's own cache holds 512: a fleet's thousands of matchers thrashed it
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


@dataclass(frozen=True)
class Matcher:
    name: str
    op: str  # "=", "!=", "=~", "!~"
    value: str

    def matches(self, labels: dict[str, str]) -> bool:
        actual = labels.get(self.name, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        found = _compiled(self.value).fullmatch(actual) is not None
        return found if self.op == "=~" else not found

    def render(self) -> str:
        return f"{self.name}{self.op}{quote(self.value)}"


_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}


@dataclass(frozen=True)
class Selector:
    metric: str
    matchers: tuple[Matcher, ...] = ()

    def render(self, extra: tuple[Matcher, ...] = (), metric: str | None = None) -> str:
        ms = [m.render() for m in self.matchers + extra]
        body = "{" + ",".join(ms) + "}" if ms else ""
        return f"{metric or self.metric}{body}"

    def matches(self, metric: str, labels: dict[str, str]) -> bool:
        return metric == self.metric and all(m.matches(labels) for m in self.matchers)


@lru_cache(maxsize=1 << 16)  # a fleet quotes the same names ~70 times per service
def quote(value: str) -> str:
    """A PromQL double-quoted string literal."""
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{out}"'


def parse_selector(text: str) -> Selector:
    """`metric{a="b"}` → Selector. Refuses anything that is not a plain vector selector."""
    return _parse_selector(text.strip())


@lru_cache(maxsize=16384)  # immutable results; a fleet's checks, model and status read each selector several times
def _parse_selector(text: str) -> Selector:
    node = parse(text)
    if not isinstance(node, promql_parser.VectorSelector):
        raise PromQLError("expected a metric selector such as http_requests_total{job=\"api\"}, not an expression")
    if node.offset is not None or node.at is not None:
        raise PromQLError("offset and @ are not allowed in a selector")
    if getattr(node.matchers, "or_matchers", None):
        raise PromQLError("`or` inside a selector is not supported")
    metric = node.name or ""
    matchers = []
    for m in node.matchers.matchers:
        if m.name == "__name__":
            if str(m.op) == "MatchOp.Equal":
                metric = m.value
                continue
            raise PromQLError("give the metric name literally, not as a __name__ regex")
        matchers.append(Matcher(m.name, _OPS[str(m.op)], m.value))
    if not metric:
        raise PromQLError("the selector needs a metric name")
    return Selector(metric, tuple(matchers))


def parse_matchers(text: str) -> tuple[Matcher, ...]:
    """`{job="api", env=~"prod.*"}` → matchers (for label filters without a metric)."""
    text = text.strip()
    if not text:
        return ()
    if not text.startswith("{"):
        raise PromQLError('expected label matchers in braces, e.g. {job="api"}')
    return parse_selector("slogen_placeholder" + text).matchers


def vector_selectors(expr: str) -> list[Selector]:
    """Every vector selector inside an expression, in order."""
    found: list[Selector] = []

    def visit(node):
        if isinstance(node, promql_parser.VectorSelector):
            found.append(parse_selector(node.prettify()) if node.name else Selector("", ()))
            return
        for attr in ("expr", "lhs", "rhs", "param", "vector_selector"):
            child = getattr(node, attr, None)
            if child is not None and not isinstance(child, (str, int, float)):
                if isinstance(child, promql_parser.Expr):
                    visit(child)
        for arg in getattr(node, "args", None) or []:
            visit(arg)

    visit(parse(expr))
    return found


# --- label values that satisfy (or violate) regex matchers, for generated test inputs ----------

@lru_cache(maxsize=4096)  # a fleet's specs repeat the same few patterns (`5..`) thousands of times
def sample_regex(pattern: str) -> str | None:
    """A short string fully matched by `pattern` (RE2 syntax, anchored as Prometheus does)."""
    try:
        tree = sre_parse.parse(pattern)
    except Exception:
        return None
    try:
        text = _emit(tree)
    except _Unsupported:
        return None
    return text if re.fullmatch(pattern, text) else None


class _Unsupported(Exception):
    pass


def _emit(tree) -> str:
    out = []
    for op, arg in tree:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "ANY":
            out.append("x")
        elif name == "IN":
            out.append(_emit_class(arg))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, sub = arg
            out.append(_emit(sub) * low)
        elif name == "SUBPATTERN":
            out.append(_emit(arg[-1]))
        elif name == "BRANCH":
            out.append(_emit(arg[1][0]))
        elif name == "AT":
            continue
        elif name == "CATEGORY":
            out.append(_category(arg))
        else:
            raise _Unsupported(name)
    return "".join(out)


def _emit_class(items) -> str:
    negate = False
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif not negate and name == "LITERAL":
            return chr(arg)
        elif not negate and name == "RANGE":
            return chr(arg[0])
        elif not negate and name == "CATEGORY":
            return _category(arg)
    if negate:
        for candidate in "xyz019_":
            if not any(str(op) == "LITERAL" and chr(a) == candidate for op, a in items):
                if re.fullmatch("[" + "".join(_class_src(items)) + "]", candidate):
                    return candidate
    raise _Unsupported("class")


def _class_src(items) -> list[str]:
    src = []
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            src.append("^")
        elif name == "LITERAL":
            src.append(re.escape(chr(arg)))
        elif name == "RANGE":
            src.append(f"{re.escape(chr(arg[0]))}-{re.escape(chr(arg[1]))}")
        elif name == "CATEGORY":
            src.append({"CATEGORY_DIGIT": r"\d", "CATEGORY_WORD": r"\w", "CATEGORY_SPACE": r"\s",
                        "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_NOT_WORD": r"\W",
                        "CATEGORY_NOT_SPACE": r"\S"}.get(str(arg), ""))
    return src


def _category(arg) -> str:
    return {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " ",
            "CATEGORY_NOT_DIGIT": "a", "CATEGORY_NOT_WORD": "-", "CATEGORY_NOT_SPACE": "a"}.get(str(arg), "a")


_FILLERS = ("slogen", "ok", "200", "x", "other", "0", "none", "_")


def satisfying_labels(matchers: tuple[Matcher, ...], base: dict[str, str] | None = None) -> dict[str, str] | None:
    """Labels satisfying every matcher (and keeping `base` where it already does); None if impossible."""
    labels = dict(base or {})
    for m in matchers:
        if m.matches(labels):
            continue
        if m.op == "=":
            value = m.value
        elif m.op == "=~":
            value = sample_regex(m.value)
        else:
            value = next((f for f in _FILLERS if Matcher(m.name, m.op, m.value).matches({m.name: f})), None)
        if value is None:
            return None
        labels[m.name] = value
    if not all(m.matches(labels) for m in matchers):
        return None
    return {k: v for k, v in labels.items() if v != ""}


def violating_labels(matchers: tuple[Matcher, ...], keep: tuple[Matcher, ...], base: dict[str, str]) -> dict[str, str] | None:
    """Labels that satisfy `keep` but fail at least one of `matchers` (e.g. good, not bad, events)."""
    keep_names = {k.name for k in keep}
    for m in matchers:
        if m.name in keep_names and not any(k.name == m.name and k.op in ("=~", "!~", "!=") for k in keep):
            continue
        # a value the matcher excludes: for `code!~"5.."` (good = not 5xx) that is a 5xx code
        excluded = (sample_regex(m.value),) if m.op == "!~" else (m.value,) if m.op == "!=" else ()
        for filler in _FILLERS + (m.value + "x",) + tuple(v for v in excluded if v is not None):
            candidate = dict(base, **{m.name: filler})
            if not m.matches(candidate) and all(k.matches(candidate) for k in keep):
                return candidate
    return None


def format_number(value: float) -> str:
    """Shortest spelling that reads back as exactly the same float: 0.0144, 14.4, 100, 1e-05."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text
