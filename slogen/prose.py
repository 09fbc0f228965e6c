"""Jinja2 for prose only (annotations, notification text, runbooks).

Annotations end up as Prometheus Go templates, so slogen's own Jinja delimiters are `[[ ]]` and
`[% %]`, leaving `{{ }}` for Prometheus. Every value interpolated from a spec is escaped so that a
spec's text is never executed as a Go template (`{{` becomes `{{ "{{" }}`)."""
from __future__ import annotations

import math
import re
from functools import lru_cache

import jinja2


_BRACES = re.compile(r"[{}]{2,}")


def go_escape(text: str) -> str:
    """Make `text` print literally inside a Go template. Every run of two or more braces becomes
    one string action: escaping pair by pair breaks on `{}}` (the lone `{` would open `{{ "}}" }}`
    into `{{{ ...`). A single brace is literal text to Go."""
    if "{{" not in text and "}}" not in text:
        return text
    return _BRACES.sub(lambda m: '{{ "' + m.group(0) + '" }}', text)


class GoTemplate(str):
    """A string that is meant to be a Go template fragment: not escaped."""


def _finalize(value):
    if isinstance(value, GoTemplate):
        return value
    return go_escape(str(value)) if isinstance(value, str) else value


@lru_cache(maxsize=None)
def _annotation_env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("slogen", "templates/annotations"),
        variable_start_string="[[", variable_end_string="]]",
        block_start_string="[%", block_end_string="%]",
        undefined=jinja2.StrictUndefined, finalize=_finalize, keep_trailing_newline=False,
        trim_blocks=True, lstrip_blocks=True, autoescape=False,
    )


def annotation(template: str, **context) -> str:
    text = _annotation_env().get_template(template).render(**context)
    return " ".join(text.split())


# --- the Go template functions slogen's annotations use, for predicting them in tests ---------

def _g4(v: float) -> str:
    return "%.4g" % v


def humanize(v: float) -> str:
    if v == 0 or math.isnan(v) or math.isinf(v):
        return _g4(v)
    if abs(v) >= 1:
        prefix = ""
        for p in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(v) < 1000:
                break
            prefix, v = p, v / 1000
        return _g4(v) + prefix
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return _g4(v) + prefix


def humanize1024(v: float) -> str:
    if abs(v) <= 1 or math.isnan(v) or math.isinf(v):
        return _g4(v)
    prefix = ""
    for p in ("ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"):
        if abs(v) < 1024:
            break
        prefix, v = p, v / 1024
    return _g4(v) + prefix


def humanize_percentage(v: float) -> str:
    return _g4(v * 100) + "%"


_FUNCS = {"humanize": humanize, "humanize1024": humanize1024, "humanizePercentage": humanize_percentage}


def render_go(template: str, value: float, labels: dict[str, str]) -> str:
    """Render the subset of Go template syntax slogen writes, as Prometheus would."""
    import re

    def sub(m: re.Match) -> str:
        body = m.group(1).strip()
        if body.startswith('"') and body.endswith('"'):
            return body[1:-1]
        if body.startswith("$value"):
            parts = [x.strip() for x in body.split("|")]
            return _FUNCS[parts[1]](value) if len(parts) > 1 else repr(value)
        if body.startswith("$labels."):
            return labels.get(body[len("$labels."):], "<no value>")
        raise ValueError(f"unsupported template action {{{{ {body} }}}}")

    # a string action first: the `}}` inside go_escape's `{{ "}}" }}` does not end the action
    return re.sub(r'\{\{(\s*"[^"]*"\s*|.*?)\}\}', sub, template)
