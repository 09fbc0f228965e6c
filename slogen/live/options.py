"""The command-line options of a Prometheus connection, declared once for every command that reads a
live server (`status`, `validate --prometheus`, `build --prometheus`).

    @app.command()
    @connection_options(required=True)
    def status(paths: List[Path] = SPECS, connection: Connection | None = None) -> None: ...

The decorator adds `--prometheus`, `--timeout`, `--bearer-token-file`, `--basic-auth-user`,
`--basic-auth-password-file`, `--tls-ca-file`, `--tls-cert-file`, `--tls-key-file` and
`--tls-insecure` to the command, and hands the command one `Connection` (None when `--prometheus`
is optional and not given). Secrets are only ever named by file, like Prometheus' own
`credentials_file` and `password_file`."""
from __future__ import annotations

import functools
import inspect
import typing
from pathlib import Path
from typing import Callable, Optional

import typer

from slogen.diagnostics import Diagnostics
from slogen.live.client import DEFAULT_TIMEOUT, Connection, PrometheusError

PANEL = "Prometheus connection"
URL_ENV = "SLOGEN_PROMETHEUS_URL"

_OPTIONS: dict[str, tuple[object, typer.models.OptionInfo]] = {
    "prometheus": (Optional[str], typer.Option(
        None, "--prometheus", metavar="URL", envvar=URL_ENV, rich_help_panel=PANEL,
        help=f"Base URL of the Prometheus server (or Thanos, Mimir, Cortex query API), e.g. "
             f"http://prometheus:9090.")),
    "timeout": (float, typer.Option(
        DEFAULT_TIMEOUT, "--timeout", metavar="SECONDS", min=0.1, rich_help_panel=PANEL,
        help="Give up on a request after this many seconds.")),
    "bearer_token_file": (Optional[Path], typer.Option(
        None, "--bearer-token-file", rich_help_panel=PANEL,
        help="File holding a bearer token, sent as `Authorization: Bearer ...`.")),
    "basic_auth_user": (Optional[str], typer.Option(
        None, "--basic-auth-user", rich_help_panel=PANEL, help="User name for HTTP basic auth.")),
    "basic_auth_password_file": (Optional[Path], typer.Option(
        None, "--basic-auth-password-file", rich_help_panel=PANEL,
        help="File holding the basic-auth password.")),
    "tls_ca_file": (Optional[Path], typer.Option(
        None, "--tls-ca-file", rich_help_panel=PANEL,
        help="CA certificate(s) to verify the server with (PEM); default: the system's.")),
    "tls_cert_file": (Optional[Path], typer.Option(
        None, "--tls-cert-file", rich_help_panel=PANEL, help="Client certificate for mutual TLS (PEM).")),
    "tls_key_file": (Optional[Path], typer.Option(
        None, "--tls-key-file", rich_help_panel=PANEL, help="Key of the client certificate (PEM).")),
    "tls_insecure": (bool, typer.Option(
        False, "--tls-insecure", rich_help_panel=PANEL,
        help="Do not verify the server's certificate (testing only).")),
}


def connection_options(required: bool, url_from_env: bool = True) -> Callable:
    """Add the connection options to a typer command whose last parameter is
    `connection: Connection | None`. With `required`, a missing `--prometheus` is a usage error.
    Without `url_from_env`, only `--prometheus` itself turns the server on (`build` and `validate`:
    a variable set for `status` must not make every build read a server)."""
    options = dict(_OPTIONS)
    if not url_from_env:
        kind, option = options["prometheus"]
        options["prometheus"] = (kind, typer.Option(None, "--prometheus", metavar="URL", rich_help_panel=PANEL,
                                                    help="Also run the online checks against this Prometheus "
                                                         "(docs/diagnostics.md), e.g. http://prometheus:9090."))

    def decorate(command: Callable) -> Callable:
        signature = inspect.signature(command, eval_str=True)
        hints = typing.get_type_hints(command)
        own = [p for name, p in signature.parameters.items() if name != "connection"]
        added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=kind)
                 for name, (kind, option) in options.items()]

        @functools.wraps(command)
        def wrapper(*args, **kwargs):
            values = {name: kwargs.pop(name) for name in _OPTIONS}
            url = values.pop("prometheus")
            if url is None and required:
                raise typer.BadParameter("give the server's URL, e.g. --prometheus http://prometheus:9090",
                                         param_hint="--prometheus")
            kwargs["connection"] = Connection(url, **values) if url is not None else None
            return command(*args, **kwargs)

        wrapper.__signature__ = signature.replace(parameters=own + added)
        wrapper.__annotations__ = {k: v for k, v in hints.items() if k != "connection"} | {
            name: kind for name, (kind, _) in _OPTIONS.items()}
        return wrapper

    return decorate


def report(error: PrometheusError, diags: Diagnostics) -> None:
    """A connection failure as one diagnostic (no position: it is about the server, not a spec)."""
    diags.error(error.code, error.message, hint=error.hint)


def parse_time(text: str) -> float:
    """`--at`: RFC 3339 (`2026-11-30T15:00:00Z`, an offset, or a date) or unix seconds."""
    from datetime import datetime, timezone

    try:
        return float(text)
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r}: write an RFC 3339 time (2026-11-30T15:00:00Z) or unix seconds",
                                 param_hint="--at") from None
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()
