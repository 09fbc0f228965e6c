"""Field types shared by every spec format. Validation errors raised here become positioned
diagnostics (see `slogen.spec.errors`); the error `type` is the diagnostic code's second half."""
from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from slogen import promql
from slogen.groups import DEFAULT_MAX_GROUPS
from slogen.durations import parse_duration


class Strict(BaseModel):
    """Every spec object: unknown fields are errors (with a did-you-mean hint), values frozen."""
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    if not TYPE_CHECKING:
        def __getattr__(self, name: str):
            """A field this kind of spec does not have (`getattr(sli, "histogram", None)`, asked
            of every SLI kind by the checks and the model): AttributeError at once. pydantic's own
            __getattr__ (private attributes) formats a message first: 126,000 such lookups were
            0.4 s of loading 1,000 specs."""
            if name.startswith("_"):
                return super().__getattr__(name)
            raise AttributeError(name)


def _duration(value: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise PydanticCustomError("duration", "a duration needs a unit: write {v}s or {v}m", {"v": value})
    try:
        parse_duration(value)
    except ValueError as exc:
        raise PydanticCustomError("duration", str(exc)) from None
    if parse_duration(value) <= 0:
        raise PydanticCustomError("duration", "duration must be greater than zero")
    if parse_duration(value) > MAX_DURATION:
        raise PydanticCustomError("duration", "{v} is longer than Prometheus can represent (292y)", {"v": value})
    return value


# Prometheus keeps durations as 64-bit nanoseconds: promtool refuses anything longer ("out of range").
MAX_DURATION = (2**63 - 1) / 1e9

Duration = Annotated[str, BeforeValidator(_duration)]


def _whole_seconds(value: str) -> str:
    if parse_duration(value) % 1:
        raise PydanticCustomError("duration", "{v}: alert windows and periods are whole seconds", {"v": value})
    return value


# Windows and periods: the rules and their unit tests count them in whole seconds.
WindowDuration = Annotated[str, BeforeValidator(_duration), AfterValidator(_whole_seconds)]

_NAME = re.compile(r"^[a-z0-9]([a-z0-9_-]{0,62}[a-z0-9])?$")


def _name(value: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise PydanticCustomError(
            "name", "'{v}' is not a valid name: use lowercase letters, digits, '-' and '_' (at most 64)",
            {"v": value})
    return value


Name = Annotated[str, AfterValidator(_name)]

_CAMEL = re.compile(r"^[A-Z][a-zA-Z0-9]*$")


def _camel(value: str) -> str:
    if not _CAMEL.match(value) or value.isupper() and len(value) > 4:
        raise PydanticCustomError("alert-name", "'{v}' is not a CamelCase alert name (e.g. ApiHighErrorRate)",
                                  {"v": value})
    return value


AlertName = Annotated[str, AfterValidator(_camel)]


def _label_name(value: str) -> str:
    if not isinstance(value, str) or not promql.LABEL_NAME.match(value) or value.startswith("__"):
        raise PydanticCustomError(
            "label-name", "'{v}' is not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, no leading __)",
            {"v": value})
    return value


LabelName = Annotated[str, AfterValidator(_label_name)]


def _label_value(value) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        raise PydanticCustomError("label-value", "label values must be strings; quote it")
    value = str(value)
    if "\x00" in value or len(value) > 1024:
        raise PydanticCustomError("label-value", "label values must be at most 1024 characters without NUL")
    return value


LabelValue = Annotated[str, BeforeValidator(_label_value, json_schema_input_type=str | int | float)]
Labels = dict[LabelName, LabelValue]


def _promql(check, what: str):
    """A validator: `check(text)` raises PromQLError; its message becomes the diagnostic."""
    def validate(value: str) -> str:
        if not isinstance(value, str):
            raise PydanticCustomError("promql", "expected {w} as a string", {"w": what})
        try:
            check(value)
        except promql.PromQLError as exc:
            raise PydanticCustomError("promql", "{e}", {"e": str(exc)}) from None
        return value.strip()
    return validate


def _windowed(value: str) -> None:
    if not promql.has_placeholder(value):
        raise PydanticCustomError(
            "window-placeholder", "this query has no {{window}} placeholder, so slogen cannot set its range", {})
    promql.parse(promql.fill_window(value, "5m"))


MetricSelector = Annotated[str, AfterValidator(_promql(promql.parse_selector, "a metric selector"))]
LabelMatchers = Annotated[str, AfterValidator(_promql(promql.parse_matchers, "label matchers"))]
WindowQuery = Annotated[str, AfterValidator(_promql(_windowed, "a PromQL query"))]
Expression = Annotated[str, AfterValidator(_promql(promql.parse, "a PromQL expression"))]


def _histogram(value: str) -> str:
    if not promql.METRIC_NAME.match(value) or value.endswith(("_bucket", "_count", "_sum")):
        raise PydanticCustomError("promql", "give the histogram's base name, e.g. "
                                  "http_request_duration_seconds (without _bucket/_count)")
    return value


HistogramName = Annotated[str, AfterValidator(_histogram)]


def _percentile(value: float) -> float:
    if not 0 < value < 100:
        raise PydanticCustomError("objective-range", "percentile must be between 0 and 100 (exclusive)")
    return value


Percentile = Annotated[float, AfterValidator(_percentile)]

_SIZE = re.compile(r"^\s*([0-9.]+)\s*([KMGTP]i?B|B)?\s*$")
_SIZE_UNITS = {None: 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "PB": 1e15,
               "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40, "PiB": 2**50}


MAX_NUMBER = 1e18  # within a 64-bit integer: levels are printed as whole numbers where they are


def _finite(number: float) -> float:
    # .nan/.inf reach JSON (dashboards) as invalid tokens; 1e300 overflowed 64-bit output
    if not math.isfinite(number) or abs(number) > MAX_NUMBER:
        raise PydanticCustomError("number", "{v} is not a usable level: give a finite number of at most 1e18",
                                  {"v": number})
    return number


def _number(value) -> float:
    """A number, or a size such as `6GB` / `512MiB` (bytes)."""
    if isinstance(value, bool):
        raise PydanticCustomError("number", "expected a number, not true/false")
    if isinstance(value, (int, float)):
        return _finite(float(value))
    if isinstance(value, str):
        m = _SIZE.match(value)
        if m:
            try:
                return _finite(float(m.group(1)) * _SIZE_UNITS[m.group(2)])
            except ValueError:
                pass
    raise PydanticCustomError("number", "'{v}' is not a number (sizes like 6GB or 512MiB are accepted)",
                              {"v": value})


# json_schema_input_type: the published schema must accept what the validators accept (`6GB`, `1s`)
Number = Annotated[float, BeforeValidator(_number, json_schema_input_type=float | str)]


def _seconds(value) -> float:
    """`1s`, `250ms` or a bare number of seconds."""
    if isinstance(value, bool):
        raise PydanticCustomError("duration", "expected seconds, not true/false")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value > MAX_NUMBER:  # .nan, .inf: found by the long fuzz run
            raise PydanticCustomError("duration", "{v} is not a usable number of seconds: give a finite number "
                                      "such as 0.25, or a duration such as 250ms", {"v": value})
        if value <= 0:
            raise PydanticCustomError("duration", "must be greater than zero")
        return float(value)
    try:
        return parse_duration(value)
    except (ValueError, TypeError) as exc:
        raise PydanticCustomError("duration", str(exc)) from None


Seconds = Annotated[float, BeforeValidator(_seconds, json_schema_input_type=float | str)]


def doc(text: str, **kw):
    """Field with documentation (goes into the JSON Schema and docs/reference.md)."""
    return Field(description=" ".join(text.split()), **kw)



def group_by_field(per_group: str):
    """`group_by` of an SLO or threshold: `per_group` says what each group gets."""
    return doc(f"""Labels that split this into one per label value, e.g. `[provider]`: {per_group}, from one
        set of rules that aggregate `sum by (provider)`; the alerts carry the label and name the group.
        The metrics must carry these labels. See docs/group-by.md.""", default_factory=list)


def max_groups_field():
    return doc("""Cardinality guard for `group_by`: how many groups (label value combinations) you
        expect at most; each group costs as many recorded series as an ungrouped one. `slogen validate
        --prometheus URL` warns when the server shows more (live/too-many-groups).""", default=DEFAULT_MAX_GROUPS, ge=1)
