"""Hypothesis strategies for native `slogen/v1` specs, structure-aware: every field, every SLI kind
and threshold kind, edge values, and hostile text. Most draws are valid or nearly valid (so the
generator reaches the model and the targets); `mutate` then makes some of them subtly invalid
(a missing or unknown key, a value of the wrong type, an out-of-range number)."""
from __future__ import annotations

import string

from hypothesis import strategies as st

from slogen import promql

def mostly(valid: st.SearchStrategy, odd: st.SearchStrategy, one_in: int = 8) -> st.SearchStrategy:
    """`valid` most of the time, `odd` one time in `one_in`: every field gets its edge cases, yet
    most specs get through to the model and the targets. (Hypothesis favours, and shrinks towards,
    the smallest draw, so that one must be the valid side.)"""
    return st.integers(0, one_in - 1).flatmap(lambda i: odd if i == one_in - 1 else valid)


# --- text ---------------------------------------------------------------------------------------

# The characters that break quoting somewhere: Go templates, PromQL, YAML, JSON, Markdown, HTML.
NASTY = ['"', "'", "\\", "\n", "\r", "\t", "{{", "}}", "{", "}", "{}}", "{{{", "$", "${x}", "$value",
         "{{ .Labels }}", "[[ x ]]", "[% x %]", "`", "|", "#", "<!--", "-->", "<b>", "&amp;", ":", "- ",
         "---", "...", "*", "_", "~", "%", "\u00e9", "\u4e2d\u6587", "\U0001F525", "\u200b", "\u202e",
         "\u2028", "\ufeff", "\x7f", "\x85", "\x00", "\x1b[31m", "nan", "null", "yes", "0x1f", "1e9"]


def nasty_text(max_size: int = 40) -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(NASTY), st.text(max_size=6),
                      st.text(string.ascii_letters + " ", min_size=1, max_size=8))
    return st.lists(piece, max_size=max_size // 4).map("".join)


def text_value() -> st.SearchStrategy[str]:
    return mostly(st.one_of(st.just(""), st.text(string.ascii_letters + " .,", max_size=30), nasty_text()),
                  st.sampled_from(["x" * 5000, "line\n" * 300, "{{" * 600]), one_in=40)


# --- names, labels, durations, numbers ---------------------------------------------------------

VALID_NAME = st.from_regex(r"\A[a-z0-9]([a-z0-9_-]{0,10}[a-z0-9])?\Z")
NAME = mostly(VALID_NAME, st.one_of(
                 st.sampled_from(["", "-a", "a-", "Upper", "a" * 64, "a" * 65, "caf\u00e9", "a b", "a/b",
                                  "a\nb", "{{x}}", "0"]),
                 st.integers(-3, 3)), one_in=20)

LABEL_NAME = mostly(st.one_of(st.from_regex(r"\A[a-zA-Z_][a-zA-Z0-9_]{0,12}\Z"),
                               st.sampled_from(["routing_key", "tier", "owner", "severity"])),
                     st.sampled_from(["__x", "1bad", "a-b", "sev\u00e9", "service", "slo", "team", "alertname"]),
                     one_in=15)
LABEL_VALUE = mostly(st.one_of(text_value(), st.integers(-10, 10**12), st.floats(allow_nan=False, width=32)),
                     st.sampled_from([True, None, [1], {"a": 1}, "a" * 1025, "0123456789abcdef0123456789abcdef",
                                      "R0" + "A" * 30, "xoxb-1234567890-abcdef"]), one_in=15)
LABELS = st.dictionaries(LABEL_NAME, LABEL_VALUE, max_size=3)

DURATION = mostly(
    st.sampled_from(["1m", "5m", "30m", "1h", "6h", "1d", "3d", "7d", "28d", "30d", "90d", "1y"]),
    st.one_of(st.sampled_from(["0s", "0m", "1ms", "1s", "1h30m", "30m1h", "1.5h", "-5m", "5", "5x", "", " 5m", "1w",
                     "10000d", "9999999999999y", "5M", "1h 30m"]),
              st.integers(-1, 600), st.just(None)), one_in=15)
SHORT_DURATION = mostly(st.sampled_from(["1m", "2m", "5m", "10m", "15m", "1h", "30s"]), st.just("0s"), 20)

OBJECTIVE = mostly(
    st.one_of(st.sampled_from([99.9, 99.0, 95.0, 90.0, 99.99, 99.999, 50.0, 80.0]),
              st.floats(min_value=0.001, max_value=99.999)),
    st.sampled_from([0, 100, -1, 100.0000001, 1e-9, 99.9999999999, 0.0001, 1, 99, "99.9", "abc", True,
                     float("nan"), float("inf"), 1e308]), one_in=12)

NUMBER = mostly(st.one_of(st.integers(-5, 10_000), st.floats(-1e6, 1e6, allow_nan=False),
                          st.sampled_from(["6GB", "512MiB", "1.5KiB"])),
                st.sampled_from(["1e3", "", "x", True, float("nan"), float("inf"), 1e300]), one_in=12)

# --- PromQL -------------------------------------------------------------------------------------

METRICS = ["http_requests_total", "rpc_total", "app:requests:rate5m", "jobs_processed_total"]


@st.composite
def matchers(draw, min_size: int = 0, job: bool = True) -> str:
    items = []
    if job:
        items.append(("job", "=", draw(st.sampled_from(["api", "checkout", "a b"]))))
    for _ in range(draw(st.integers(min_size, 2))):
        name = draw(st.from_regex(r"\A[a-z][a-z_]{0,6}\Z"))
        op = draw(st.sampled_from(["=", "!=", "=~", "!~"]))
        regex = st.sampled_from(["5..", "error", "x|y", ".*", "", "a\\.b", "\u00e9+", "[", "(?P<x>a)"])
        value = draw(st.one_of(regex, nasty_text(12)) if "~" not in op else regex)
        items.append((name, op, value))
    return "{" + ",".join(f"{n}{o}{promql.quote(v)}" for n, o, v in items) + "}"


@st.composite
def selector(draw, metric: str | None = None) -> str:
    m = metric or draw(st.sampled_from(METRICS))
    return m + draw(matchers())


BAD_PROMQL = st.sampled_from(["", "sum(", "rate(x[5m])", "x{a=\"}", "x offset 5m", "{}", "x{a=~\"(\"}", "1 +",
                              "x{a=\"b\" or b=\"c\"}", "x @ 100"])


# --- SLIs ---------------------------------------------------------------------------------------

@st.composite
def events_fields(draw) -> dict:
    metric = draw(st.sampled_from(METRICS))
    base = draw(matchers(job=True))
    total = metric + base
    part = metric + base[:-1] + ',code=~"5.."}'
    form = draw(mostly(st.sampled_from(["bad", "good", "bad_query", "good_query"]),
                       st.sampled_from(["both", "none", "mixed"]), one_in=15))
    q = lambda s: f"sum(rate({s}[{{{{window}}}}]))"  # noqa: E731
    if form == "bad":
        out = {"total": total, "bad": part}
    elif form == "good":
        out = {"total": total, "good": metric + base[:-1] + ',code!~"5.."}'}
    elif form == "bad_query":
        out = {"total_query": q(total), "bad_query": q(part)}
    elif form == "good_query":
        out = {"total_query": q(total), "good_query": q(part)}
    elif form == "both":
        out = {"total": total, "bad": part, "good": part}
    elif form == "none":
        out = {"total": total}
    else:
        out = {"total": total, "bad_query": q(part)}
    if draw(st.integers(0, 30)) == 30:  # a broken query somewhere
        key = draw(st.sampled_from(sorted(out)))
        out[key] = draw(st.one_of(BAD_PROMQL, st.just(out[key].replace("{{window}}", "5m"))))
    return out


@st.composite
def sli(draw) -> dict:
    kind = draw(st.sampled_from(["availability", "latency", "ratio"]))
    if kind == "latency":
        out = {"kind": kind,
               "histogram": draw(mostly(st.sampled_from(["http_request_duration_seconds", "rpc_seconds"]),
                                        st.sampled_from(["x_bucket", "0bad", "a{b}"]), one_in=20)),
               "selector": draw(mostly(st.one_of(matchers(), st.just("")), BAD_PROMQL, one_in=20)),
               "threshold": draw(mostly(st.one_of(st.sampled_from(["1s", "250ms", "2s", 0.5, 1, 2.5, "1h"]),
                                                  st.floats(0.001, 100)),
                                        st.sampled_from([0, -1, "x", True, "0s", float("nan")]), one_in=20)),
               "percentile": draw(OBJECTIVE)}
    else:
        out = {"kind": kind, **draw(events_fields())}
        if kind == "ratio" and draw(st.booleans()):
            out["good_noun"] = draw(text_value())
            out["bad_noun"] = draw(text_value())
    return out


# --- alerting -----------------------------------------------------------------------------------

TIER = st.fixed_dictionaries({}, optional={"disabled": st.booleans(), "labels": LABELS,
                                           "receiver": st.sampled_from(["nowhere", "catch"])})
WINDOW = st.fixed_dictionaries(
    {"severity": mostly(st.sampled_from(["page", "ticket"]), st.just("info"), one_in=20),
     "budget_percent": mostly(st.one_of(st.sampled_from([2, 5, 10, 100, 0.001]), st.floats(0.01, 100)),
                              st.sampled_from([0, 101, -1]), one_in=20),
     "long": st.one_of(st.sampled_from(["1h", "6h", "3d", "5m"]), DURATION),
     "short": st.one_of(st.sampled_from(["5m", "30m", "6h", "1h"]), DURATION)},
    optional={"for": mostly(st.sampled_from(["0s", "2m", "1h", 0]), st.just("x"), one_in=20)})


def alerting(slo_level: bool) -> st.SearchStrategy[dict]:
    optional = {"page": TIER, "ticket": TIER,
                "min_events": mostly(st.sampled_from([0, 1, 100, 10**12]), st.just(-1), one_in=20),
                "windows": st.lists(WINDOW, max_size=3), "labels": LABELS}
    if slo_level:
        optional["name"] = mostly(st.sampled_from(["ApiBurn", "HTTP", "X"]),
                                  st.sampled_from(["lowercase", "HTTPSERVER", "Api{{x}}"]), one_in=10)
    return st.fixed_dictionaries({}, optional=optional)


@st.composite
def slo(draw) -> dict:
    out = {"name": draw(NAME), "sli": draw(sli())}
    if out["sli"]["kind"] != "latency" or draw(st.integers(0, 5)) == 5:
        out["objective"] = draw(OBJECTIVE)
    extra = draw(st.fixed_dictionaries({}, optional={
        "description": text_value(), "period": DURATION, "labels": LABELS, "alerting": alerting(True)}))
    out.update(extra)
    return out


# --- thresholds ---------------------------------------------------------------------------------

@st.composite
def compare_level(draw, op: str | None = None) -> dict:
    op = op or draw(st.sampled_from(["above", "below", "equals"]))
    out = {op: draw(NUMBER)}
    if draw(st.integers(0, 40)) == 40:
        out["below" if op != "below" else "above"] = 1
    if draw(st.booleans()):
        out["for"] = draw(st.one_of(SHORT_DURATION, DURATION))
    return out


def for_level() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({}, optional={"for": st.one_of(SHORT_DURATION, DURATION)})


@st.composite
def levels(draw, make) -> dict:
    which = draw(mostly(st.sampled_from(["warning", "critical", "both"]), st.just("none"), 20))
    out = {}
    if which in ("warning", "both"):
        out["warning"] = draw(make)
    if which in ("critical", "both"):
        out["critical"] = draw(make)
    return out


@st.composite
def threshold(draw) -> dict:
    kind = draw(st.sampled_from(["disk", "disk_fill", "memory", "cpu", "gauge", "state", "up", "absent",
                                 "ratio", "latency", "expression"]))
    op = draw(st.sampled_from(["above", "below"]))
    cmp = compare_level(op)
    out: dict = {"kind": kind}
    if kind == "disk":
        out["measure"] = draw(mostly(st.sampled_from(["free_percent", "used_percent"]), st.just("other"), 20))
        out["selector"] = draw(st.one_of(matchers(job=False), st.just('{mountpoint="/"}')))
        out.update(draw(levels(cmp)))
    elif kind == "disk_fill":
        fill = st.fixed_dictionaries({"within": st.one_of(st.sampled_from(["4h", "24h", "1d"]), DURATION)},
                                     optional={"for": SHORT_DURATION})
        out["selector"] = draw(matchers(job=False))
        out.update(draw(levels(fill)))
    elif kind in ("memory", "cpu"):
        out["measure"] = draw(st.sampled_from(["used_percent", "used_bytes"] if kind == "memory"
                                              else ["host_percent", "process_percent"]))
        out["selector"] = draw(matchers())
        out.update(draw(levels(cmp)))
    elif kind in ("gauge", "state"):
        out["name"] = draw(mostly(st.sampled_from(["QueueDepthHigh", "BreakerOpen"]), st.just("lower"), 20))
        out["metric"] = draw(mostly(selector(), BAD_PROMQL, 20))
        if kind == "state":
            out["states"] = draw(st.dictionaries(st.integers(-1, 3), text_value(), max_size=3))
            out.update(draw(levels(compare_level("equals"))))
        else:
            out["unit"] = draw(st.sampled_from(["", "percent", "bytes", "seconds"]))
            out.update(draw(levels(cmp)))
    elif kind in ("up", "absent"):
        out["selector" if kind == "up" else "metric"] = draw(matchers() if kind == "up" else selector())
        out.update(draw(levels(for_level())))
    elif kind == "ratio":
        out["name"] = "ErrorRatioHigh"
        out.update(draw(events_fields()))
        out["window"] = draw(st.one_of(SHORT_DURATION, DURATION))
        out.update(draw(levels(cmp)))
    elif kind == "latency":
        out["name"] = "LatencyHigh"
        out["histogram"] = "http_request_duration_seconds"
        out["selector"] = draw(matchers())
        out["percentile"] = draw(OBJECTIVE)
        out.update(draw(levels(cmp)))
    else:
        out["name"] = "ExprHigh"
        out["expr"] = draw(st.one_of(st.sampled_from([
            "max by (provider) (rtt_seconds)", "sum(rate(x_total[5m])) * 1000", "avg_over_time(g[10m])",
            "vector(1)", "histogram_quantile(0.9, rate(h_bucket[5m]))", "time()"]), selector(),
            st.integers(0, 20).flatmap(lambda i: BAD_PROMQL if i == 20 else selector())))
        out["unit"] = draw(st.sampled_from(["", "percent", "bytes", "seconds"]))
        out.update(draw(levels(cmp)))
    extra = draw(st.fixed_dictionaries({}, optional={"description": text_value(), "labels": LABELS}))
    out.update(extra)
    return out


# --- documents ----------------------------------------------------------------------------------

@st.composite
def service(draw) -> dict:
    out = {"apiVersion": "slogen/v1", "service": draw(NAME), "team": draw(NAME)}
    if draw(st.booleans()):
        out["kind"] = "Service"
    out.update(draw(st.fixed_dictionaries({}, optional={
        "description": text_value(), "labels": LABELS, "alerting": alerting(False)})))
    out["slos"] = draw(mostly(st.lists(slo(), min_size=1, max_size=3), st.just([]), 10))
    out["thresholds"] = draw(st.lists(threshold(), max_size=3))
    return out


@st.composite
def bundle_doc(draw, team: str) -> dict:
    return {"apiVersion": "slogen/v1", "kind": "Bundle",
            "runbook_base_url": draw(st.sampled_from(["https://git.example.com/rb", "relative/path", ""])),
            "secrets_dir": draw(st.sampled_from(["/etc/alertmanager/secrets", "relative", "/"])),
            "receivers": [{"name": "pager", "pagerduty": {"routing_key_file": "pd.key"}},
                          {"name": "chat", "slack": {"channel": draw(text_value()), "api_url_file": "s.url"}}],
            "teams": [{"name": team, "page": "pager", "ticket": draw(st.sampled_from(["chat", "nowhere"]))}]}


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, prefix + (i,))


def _get(data, path):
    for p in path:
        data = data[p]
    return data


@st.composite
def mutate(draw, doc: dict) -> dict:
    """One subtle change that should make the document invalid (or at least still not crash)."""
    import copy

    doc = copy.deepcopy(doc)
    paths = [p for p in _paths(doc) if p]
    path = draw(st.sampled_from(paths))
    parent, key = _get(doc, path[:-1]), path[-1]
    how = draw(st.sampled_from(["drop", "unknown", "type", "empty", "huge"]))
    if how == "drop":
        del parent[key]
    elif how == "unknown" and isinstance(parent, dict):
        parent[str(key) + "s"] = parent[key]
    elif how == "type":
        parent[key] = draw(st.sampled_from([[], {}, None, True, 3.5, "x", -1]))
    elif how == "empty":
        parent[key] = type(parent[key])() if isinstance(parent[key], (str, list, dict)) else 0
    else:
        parent[key] = "9" * 2000 if isinstance(parent[key], str) else 10**30
    return doc


@st.composite
def spec_files(draw) -> list[tuple[str, dict]]:
    """One or two service documents, sometimes a bundle document, sometimes mutated."""
    services = [draw(service()) for _ in range(draw(st.integers(1, 2)))]
    docs = [(f"svc{i}.yaml", s) for i, s in enumerate(services)]
    if draw(st.integers(0, 3)) == 3:
        docs.append(("bundle.yaml", draw(bundle_doc(services[0]["team"] if isinstance(services[0]["team"], str)
                                                    else "team"))))
    if draw(st.integers(0, 3)) == 3:
        i = draw(st.integers(0, len(docs) - 1))
        docs[i] = (docs[i][0], draw(mutate(docs[i][1])))
    return docs
