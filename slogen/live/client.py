"""A small client for the Prometheus HTTP API (v1), for the commands that read a live server
(`slogen status`, `validate --prometheus`, `build --prometheus`).

The standard library's urllib and ssl: slogen needs a handful of read-only endpoints, and the
connection options Prometheus users expect (bearer token file, basic auth with a password file,
a CA file or no verification, a client certificate) are a few lines each. Answers are decoded
with orjson (already a dependency): a fleet's answers hold hundreds of thousands of samples.
Requests are POSTed as forms, as Prometheus allows, so a batched query of a thousand services
never hits URL limits.

Every failure (server unreachable, timeout, TLS, HTTP error, an answer that is not API JSON, a
query Prometheus rejects, an unreadable credentials file) is one exception type,
`PrometheusError`, whose message is one line meant for users. Callers turn it into a diagnostic;
nothing here prints."""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import orjson

DEFAULT_TIMEOUT = 30.0  # seconds, for one request


class PrometheusError(Exception):
    """Anything that kept an answer from arriving. `code` is a stable diagnostic code, `hint` says
    what to try; `status` is the HTTP status when there was one."""

    def __init__(self, code: str, message: str, hint: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.hint, self.status = code, message, hint, status

    def __str__(self) -> str:
        return self.message


# Codes of PrometheusError, for callers that react differently (documented in docs/status.md).
UNREACHABLE = "prometheus/unreachable"   # connection refused, DNS, timeout, TLS
HTTP = "prometheus/http"                 # an HTTP error status (401, 404, 503...)
BAD_RESPONSE = "prometheus/bad-response"  # not the JSON of the Prometheus API
QUERY = "prometheus/query"               # Prometheus answered with an error (bad PromQL, timeout)
CONFIG = "prometheus/config"             # our own options: unreadable token file, bad URL


@dataclass(frozen=True)
class Connection:
    """Where the server is and how to talk to it. Secrets are read from files, at request time,
    so they never appear on a command line or in a generated file."""
    url: str
    timeout: float = DEFAULT_TIMEOUT
    bearer_token_file: Path | None = None
    basic_auth_user: str | None = None
    basic_auth_password_file: Path | None = None
    tls_ca_file: Path | None = None
    tls_cert_file: Path | None = None  # client certificate (mutual TLS), with tls_key_file
    tls_key_file: Path | None = None
    tls_insecure: bool = False         # do not verify the server's certificate

    @property
    def base(self) -> str:
        return self.url.rstrip("/")


class Sample(NamedTuple):
    """One series of an instant vector (or a scalar, with no labels). A tuple: a status run makes
    100,000 of them, and a frozen dataclass takes twice as long to make."""
    labels: dict[str, str]
    value: float
    timestamp: float


@dataclass(frozen=True)
class RangeSeries:
    """One series of a range query: (unix time, value) pairs, oldest first."""
    labels: dict[str, str]
    points: list[tuple[float, float]]


@dataclass
class Prometheus:
    """The read-only API endpoints slogen uses. Warnings Prometheus returns with an answer are
    kept in `warnings` (e.g. a query that touched too many samples)."""
    connection: Connection
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        import urllib.request  # here, not at the top: ~20 ms of every command's start-up (with ssl, http)

        scheme = urllib.parse.urlsplit(self.connection.url).scheme
        if scheme not in ("http", "https") or not urllib.parse.urlsplit(self.connection.url).netloc:
            raise PrometheusError(CONFIG, f"{self.connection.url!r} is not a Prometheus URL",
                                  "write it like http://prometheus:9090 (a path prefix is fine)")
        self._headers = _auth_headers(self.connection)
        self._opener = _opener(self.connection) if scheme == "https" else urllib.request.build_opener()

    # --- queries ---------------------------------------------------------------------------------

    def query(self, expr: str, at: float | None = None) -> list[Sample]:
        """Instant query at `at` (unix seconds; default: now). A scalar comes back as one sample
        without labels; a string result is an error (slogen never asks for one)."""
        form = {"query": expr} | ({"time": _fmt_time(at)} if at is not None else {})
        data = self._call("/api/v1/query", form)
        kind, result = _field(data, "resultType"), _field(data, "result")
        try:
            if kind == "vector":
                return [Sample(dict(s["metric"]), _num(s["value"][1]), float(s["value"][0])) for s in result]
            if kind == "scalar":
                return [Sample({}, _num(result[1]), float(result[0]))]
        except (KeyError, IndexError, TypeError, ValueError):
            pass
        raise PrometheusError(BAD_RESPONSE, f"{self.connection.base}: unexpected {kind!r} result for {_short(expr)}")

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[RangeSeries]:
        """Range query; `step` in seconds (Prometheus allows at most 11,000 points per series)."""
        data = self._call("/api/v1/query_range", {"query": expr, "start": _fmt_time(start),
                                                  "end": _fmt_time(end), "step": _fmt_time(step)})
        try:
            return [RangeSeries(dict(s["metric"]), [(float(t), _num(v)) for t, v in s["values"]])
                    for s in _field(data, "result")]
        except (KeyError, TypeError, ValueError):
            raise PrometheusError(BAD_RESPONSE, f"{self.connection.base}: unexpected range result "
                                  f"for {_short(expr)}") from None

    # --- metadata ------------------------------------------------------------------------------

    def series(self, matchers: list[str], start: float | None = None, end: float | None = None) -> list[dict]:
        """Label sets of the series matching any of `matchers` (e.g. `up{job="api"}`)."""
        return self._list("/api/v1/series", _form(matchers, start, end))

    def label_names(self, matchers: list[str] | None = None, start: float | None = None,
                    end: float | None = None) -> list[str]:
        return self._list("/api/v1/labels", _form(matchers or [], start, end))

    def label_values(self, name: str, matchers: list[str] | None = None, start: float | None = None,
                     end: float | None = None) -> list[str]:
        path = f"/api/v1/label/{urllib.parse.quote(name, safe='')}/values"
        return self._list(path, _form(matchers or [], start, end), get=True)

    def metadata(self, metric: str | None = None) -> dict[str, list[dict]]:
        """Metric metadata scraped from targets: name → [{type, help, unit}]."""
        data = self._call("/api/v1/metadata", {"metric": metric} if metric else {}, get=True)
        if not isinstance(data, dict):
            raise PrometheusError(BAD_RESPONSE, f"{self.connection.base}: unexpected metadata answer")
        return data

    def rules(self, kind: str | None = None) -> list[dict]:
        """Loaded rule groups (kind: "record" or "alert"), as the API returns them."""
        data = self._call("/api/v1/rules", {"type": kind} if kind else {}, get=True)
        return _field(data, "groups")

    def build_info(self) -> dict:
        """Version and revision of the server (`/api/v1/status/buildinfo`)."""
        data = self._call("/api/v1/status/buildinfo", {}, get=True)
        if not isinstance(data, dict):
            raise PrometheusError(BAD_RESPONSE, f"{self.connection.base}: unexpected buildinfo answer")
        return data

    # --- transport -----------------------------------------------------------------------------

    def _list(self, path: str, form: list[tuple[str, str]] | dict, get: bool = False) -> list:
        data = self._call(path, form, get=get)
        if not isinstance(data, list):
            raise PrometheusError(BAD_RESPONSE, f"{self.connection.base}{path}: expected a list")
        return data

    def _call(self, path: str, form, get: bool = False) -> Any:
        """One request; the `data` of a successful answer. GET for the endpoints that only
        accept GET (label values, metadata, rules, buildinfo), POST otherwise."""
        import ssl
        import urllib.error
        import urllib.request

        conn = self.connection
        url = conn.base + path
        body = urllib.parse.urlencode(form).encode()
        if get:
            request = urllib.request.Request(url + ("?" + body.decode() if body else ""), headers=self._headers)
        else:
            request = urllib.request.Request(url, data=body, method="POST", headers=self._headers
                                             | {"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with self._opener.open(request, timeout=conn.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = _read(exc)
            reason = _api_error(raw)
            if reason and exc.code in (400, 422, 503):  # Prometheus' own errors: bad query, timeout
                raise PrometheusError(QUERY, f"{conn.base}: {reason}", status=exc.code) from None
            raise PrometheusError(HTTP, f"{url} answered HTTP {exc.code} {exc.reason}"
                                  + (f": {reason}" if reason else ""), _http_hint(exc.code), exc.code) from None
        except (urllib.error.URLError, OSError, ssl.SSLError) as exc:
            raise _unreachable(conn, exc) from None
        try:
            answer = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise PrometheusError(BAD_RESPONSE, f"{url} did not answer with JSON; is this the Prometheus URL?",
                                  "give the server's base URL, e.g. http://prometheus:9090") from None
        if not isinstance(answer, dict) or answer.get("status") not in ("success", "error"):
            raise PrometheusError(BAD_RESPONSE, f"{url} did not answer like the Prometheus API",
                                  "give the server's base URL, e.g. http://prometheus:9090")
        if answer["status"] == "error":
            raise PrometheusError(QUERY, f"{conn.base}: {answer.get('errorType', 'error')}: {answer.get('error', '')}")
        self.warnings.extend(str(w) for w in answer.get("warnings") or ())
        return answer.get("data")


def _auth_headers(conn: Connection) -> dict[str, str]:
    headers = {"Accept": "application/json", "User-Agent": "slogen"}
    if conn.bearer_token_file and conn.basic_auth_user:
        raise PrometheusError(CONFIG, "give either a bearer token or basic auth, not both")
    if conn.bearer_token_file:
        headers["Authorization"] = "Bearer " + _secret(conn.bearer_token_file, "bearer token")
    elif conn.basic_auth_user is not None:
        import base64

        password = _secret(conn.basic_auth_password_file, "password") if conn.basic_auth_password_file else ""
        token = base64.b64encode(f"{conn.basic_auth_user}:{password}".encode()).decode()
        headers["Authorization"] = "Basic " + token
    elif conn.basic_auth_password_file:
        raise PrometheusError(CONFIG, "a basic-auth password file needs a user (--basic-auth-user)")
    return headers


def _secret(path: Path, what: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8").strip()  # editors leave a trailing newline
    except (OSError, UnicodeDecodeError) as exc:
        raise PrometheusError(CONFIG, f"cannot read the {what} file {path}: {getattr(exc, 'strerror', None) or exc}")
    if not text:
        raise PrometheusError(CONFIG, f"the {what} file {path} is empty")
    return text


def _opener(conn: Connection) -> urllib.request.OpenerDirector:
    import ssl
    import urllib.request

    try:
        context = ssl.create_default_context(cafile=str(conn.tls_ca_file) if conn.tls_ca_file else None)
        if conn.tls_cert_file:
            context.load_cert_chain(str(conn.tls_cert_file), str(conn.tls_key_file) if conn.tls_key_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise PrometheusError(CONFIG, f"cannot load the TLS files: {getattr(exc, 'strerror', None) or exc}") from None
    if conn.tls_insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))


def _unreachable(conn: Connection, exc: BaseException) -> PrometheusError:
    import socket
    import ssl

    reason = getattr(exc, "reason", exc)
    if isinstance(reason, (socket.timeout, TimeoutError)) or "timed out" in str(reason):
        return PrometheusError(UNREACHABLE, f"Prometheus at {conn.base} did not answer within {conn.timeout:g}s",
                               "raise --timeout, or check the server's load")
    if isinstance(reason, ssl.SSLError):
        return PrometheusError(UNREACHABLE, f"TLS with {conn.base} failed: {getattr(reason, 'reason', None) or reason}",
                               "give the server's CA with --tls-ca-file (or --tls-insecure to skip verification)")
    text = getattr(reason, "strerror", None) or str(reason)
    return PrometheusError(UNREACHABLE, f"cannot reach Prometheus at {conn.base}: {text}",
                           "check the URL and that the server is running and reachable from here")


def _read(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read()
    except OSError:
        return b""


def _api_error(raw: bytes) -> str:
    try:
        answer = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return ""
    if isinstance(answer, dict) and answer.get("status") == "error":
        return f"{answer.get('errorType', 'error')}: {answer.get('error', '')}"
    return ""


def _http_hint(status: int) -> str:
    if status in (401, 403):
        return "give credentials: --bearer-token-file, or --basic-auth-user with --basic-auth-password-file"
    if status == 404:
        return "give the server's base URL (with its path prefix, if any), e.g. http://prometheus:9090"
    return ""


def _field(data: Any, name: str) -> Any:
    if not isinstance(data, dict) or name not in data:
        raise PrometheusError(BAD_RESPONSE, f"the answer has no {name!r}; is this the Prometheus API?")
    return data[name]


def _form(matchers: list[str], start: float | None, end: float | None) -> list[tuple[str, str]]:
    form = [("match[]", m) for m in matchers]
    if start is not None:
        form.append(("start", _fmt_time(start)))
    if end is not None:
        form.append(("end", _fmt_time(end)))
    return form


def _fmt_time(t: float) -> str:
    return f"{t:.3f}".rstrip("0").rstrip(".")


def _num(text: str) -> float:
    """Prometheus sends sample values as strings: "0.5", "NaN", "+Inf"; float() reads them all."""
    return float(text)


def _short(expr: str) -> str:
    one_line = " ".join(expr.split())
    return one_line if len(one_line) <= 80 else one_line[:77] + "..."
