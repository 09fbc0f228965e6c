"""A small YAML emitter for slogen's output: block style, 2-space indents, insertion order kept.

Why not yaml.dump: PyYAML's pure-Python emitter is the slowest part of building a large fleet,
and its line folding makes PromQL hard to review. This writes plain scalars where YAML reads them
back as the same string, single quotes for PromQL (no escaping of its double quotes), literal
blocks for multi-line text, and double quotes with escapes for anything else. Round-tripping
through yaml.safe_load is tested property-based."""
from __future__ import annotations

import re

import yaml

from slogen import promql

_PLAIN = re.compile(r"^(?:[A-Za-z_/][A-Za-z0-9_./:-]*[A-Za-z0-9_./-]|[A-Za-z_/]|[0-9]+(?:ms|[smhdwy]))$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", ""}
# Characters YAML prints literally and never treats as line breaks.
_SAFE = re.compile("^[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*$")
_BLOCK_LINE = re.compile("^[\x09\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*$")


def scalar(value) -> str:
    if type(value) is str:  # the common case first
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        text = promql.format_number(value)
        if "e" in text and "." not in text:  # YAML 1.1 reads 1e-05 as a string; 1.0e-05 is a float
            mantissa, exponent = text.split("e")
            text = f"{mantissa}.0e{exponent}"
        return text
    return _string(str(value))


_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers


def _plain_ok(s: str) -> bool:
    """Whether YAML reads `s` back, unquoted in block context, as this very string."""
    if not s or s != s.strip() or s[0] in _INDICATORS or s.endswith(":"):
        return False
    if ": " in s or " #" in s or "\t" in s or not _SAFE.fullmatch(s):
        return False
    if s.lower() in _RESERVED or s[0] in "0123456789+.~":
        return _PLAIN.fullmatch(s) is not None and s.lower() not in _RESERVED
    return not any(regexp.match(s) for _tag, regexp in _RESOLVERS.get(s[0], ()))


_MEMO: dict[str, str] = {}  # a fleet's files repeat the same keys, labels and durations millions of times
_MEMO_SIZE = 1 << 18


def _string(s: str) -> str:
    text = _MEMO.get(s)
    if text is None:
        if _plain_ok(s):
            text = s
        elif _SAFE.fullmatch(s):
            text = "'" + s.replace("'", "''") + "'"
        else:
            text = _double(s)
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.clear()
        _MEMO[s] = text
    return text


def _double(s: str) -> str:
    out = []
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif _SAFE.fullmatch(ch):
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def _block_ok(s: str) -> bool:
    if "\n" not in s or s.endswith("\n\n") or s.startswith((" ", "\n", "\t")):
        return False
    lines = s.rstrip("\n").split("\n")
    return all(_BLOCK_LINE.fullmatch(line) and not line.endswith((" ", "\t")) for line in lines)


_ATOMS = (int, float, bool, type(None))


def _emit(value, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        memo = _MEMO
        for key, item in value.items():
            # the hot path inlined (a fleet emits millions of entries): a key or a one-line string
            # seen before is a dict lookup, not two calls
            head = f"{pad}{(memo.get(key) if type(key) is str else None) or scalar(key)}:"
            kind = type(item)
            if kind is str and "\n" not in item:
                out.append(f"{head} {memo.get(item) or _string(item)}")
            elif kind in _ATOMS:  # the same lines _emit_entry writes
                out.append(f"{head} {scalar(item)}")
            else:
                _emit_entry(head, item, indent, out)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                first = True
                for key, sub in item.items():
                    prefix = f"{pad}- " if first else f"{pad}  "
                    _emit_entry(f"{prefix}{scalar(key)}:", sub, indent + 2, out)
                    first = False
            else:
                _emit_entry(f"{pad}-", item, indent, out)
    else:
        out.append(pad + scalar(value))


def _emit_entry(head: str, item, indent: int, out: list[str]) -> None:
    if isinstance(item, (dict, list)):
        if not item:
            out.append(f"{head} {'{}' if isinstance(item, dict) else '[]'}")
            return
        out.append(head)
        _emit(item, indent + 2, out)
    elif isinstance(item, str) and _block_ok(item):
        out.append(f"{head} |{'' if item.endswith(chr(10)) else '-'}")
        pad = " " * (indent + 2)
        out.extend(f"{pad}{line}" if line else "" for line in item.rstrip("\n").split("\n"))
    else:
        out.append(f"{head} {scalar(item)}")


def dump(value, header: str = "") -> str:
    out: list[str] = [f"# {line}" if line else "#" for line in header.splitlines()] if header else []
    _emit(value, 0, out)
    return "\n".join(out) + "\n"
