"""Which receiver an alert reaches, by walking an Alertmanager routing tree as Alertmanager does:
children in order, the first match wins unless it says `continue`, a node without a matching
child takes the alert itself, receivers are inherited. `slogen diff` uses it on both sides
(a config rendered from specs, or a committed alertmanager.yml), so routes compare alike."""
from __future__ import annotations

import re

_MATCHER = re.compile(r'^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$')


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r'\\(.)', r'\1', value[1:-1])
    return value


def _matchers(route: dict) -> list[tuple[str, str, str]]:
    out = []
    for text in route.get("matchers") or []:
        m = _MATCHER.match(text)
        if m:
            out.append((m.group(1), m.group(2), _unquote(m.group(3))))
    out += [(k, "=", str(v)) for k, v in (route.get("match") or {}).items()]
    out += [(k, "=~", str(v)) for k, v in (route.get("match_re") or {}).items()]
    return out


def _holds(labels: dict[str, str], name: str, op: str, value: str) -> bool:
    have = labels.get(name, "")
    if op == "=":
        return have == value
    if op == "!=":
        return have != value
    full = re.fullmatch(value, have) is not None  # Alertmanager anchors regexes
    return full if op == "=~" else not full


def receivers(route: dict, labels: dict[str, str], inherited: str | None = None) -> list[str]:
    """Receivers an alert with these labels is sent to (usually one)."""
    own = route.get("receiver") or inherited
    out: list[str] = []
    for child in route.get("routes") or []:
        if all(_holds(labels, *m) for m in _matchers(child)):
            out += receivers(child, labels, own)
            if not child.get("continue"):
                break
    return out or ([own] if own else [])
