"""YAML → plain Python data plus the line and column of every key and value.

PyYAML's libyaml-backed composer builds the node tree (fast, and every node carries a mark);
we walk it ourselves so that duplicate keys, alias bombs and deep nesting are refused with a
position instead of being silently accepted or exhausting memory.
"""
from __future__ import annotations

import bisect
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from slogen.diagnostics import Diagnostics, Position

try:  # libyaml is ~10x faster; fall back quietly where it is not compiled in.
    from yaml import CSafeLoader as _Loader
    # libyaml composes 30,000 levels of nesting (tested), and a level takes a character at least:
    # a shorter text is composed without the guard (_too_deep), the walk refuses what is too deep
    SAFE_TO_COMPOSE = 20_000  # characters
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]
    SAFE_TO_COMPOSE = 0  # the Python composer recurses in Python: always guard

MAX_FILE_BYTES = 1 << 20    # 1 MiB: a spec is a few KiB; bigger is a mistake or an attack
MAX_NODES = 200_000         # after alias expansion
MAX_DEPTH = 64              # collections inside one another

PathKey = tuple  # ("slos", 0, "sli", "total")


@dataclass
class Source:
    """One loaded document: its data and where each part of it sits in the file."""
    file: str
    data: Any
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    text: str = ""

    def at(self, path: PathKey, key: bool = False) -> Position:
        """Position of the value at `path` (or of its key), else of the nearest parent."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            if p in table:
                return Position(self.file, *table[p])
            if p in self.values:
                return Position(self.file, *self.values[p])
            p = p[:-1]
        return Position(self.file, *self.values.get((), (1, 1)))


_YAML_ONLY_BREAKS = ("\u2028", "\u2029", "\x85")
_LINE_END = re.compile(r"\r\n|\r|\n")


class _Lines:
    """Line and column of a mark as editors, git and the human renderer count them. YAML 1.1 also
    breaks lines at U+2028, U+2029 and U+0085, so after one of those (PyYAML writes them raw)
    libyaml's line numbers point below the real line; then the mark's index is recounted."""

    def __init__(self, text: str):
        self.starts = None
        if any(c in text for c in _YAML_ONLY_BREAKS):
            self.starts = [0] + [m.end() for m in _LINE_END.finditer(text)]

    def __call__(self, mark: yaml.Mark) -> tuple[int, int]:
        if self.starts is None:
            return mark.line + 1, mark.column + 1
        line = bisect.bisect_right(self.starts, mark.index)
        return line, mark.index - self.starts[line - 1] + 1


class _Walker:
    def __init__(self, source: Source, diags: Diagnostics, lines: _Lines):
        self.source = source
        self.diags = diags
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()
        self.lines = lines

    def pos(self, node: yaml.Node) -> tuple[int, int]:
        return self.lines(node.start_mark)

    def walk(self, node: yaml.Node, path: tuple, depth: int) -> Any:
        """`depth`: the collections `node` is in (as `_too_deep` counts them, aliases expanded)."""
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(f"more than {MAX_NODES} values after expanding aliases", node)
        if depth >= MAX_DEPTH and isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            raise _TooBig(f"nested deeper than {MAX_DEPTH} levels", node)
        self.source.values[path] = self.pos(node)
        if isinstance(node, yaml.MappingNode):
            out: dict = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise _TooBig("YAML merge keys (<<) are not supported in specs", key_node)
                key = self.walk(key_node, path + ("<key>",), depth + 1)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    raise _TooBig("mapping keys must be plain strings", key_node)
                key = str(key) if not isinstance(key, str) else key
                if key in out:
                    self.diags.error("yaml/duplicate-key", f"key {key!r} appears twice in this mapping",
                                     Position(self.source.file, *self.pos(key_node)),
                                     hint="remove one of them; YAML would silently keep only the last")
                self.source.keys[path + (key,)] = self.pos(key_node)
                out[key] = self.walk(value_node, path + (key,), depth + 1)
            self.source.values.pop(path + ("<key>",), None)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self.constructor.construct_object(node)


class _TooBig(Exception):
    def __init__(self, message: str, node: yaml.Node):
        super().__init__(message)
        self.node = node


def _too_deep(text: str) -> yaml.Mark | None:
    """Where the nesting first exceeds MAX_DEPTH, from libyaml's events (an explicit stack, no
    recursion). Checked before composing a text longer than SAFE_TO_COMPOSE: libyaml's composer
    recurses per level, and 100,000 `[` (200 KB, under the size limit) overflow the C stack and
    kill the process. (It takes 30% of loading a spec: shorter texts skip it.)"""
    loader = _Loader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None  # reported with its position by the real load
    finally:
        loader.dispose()
    return None


def load_text(text: str, file: str, diags: Diagnostics) -> list[Source]:
    """Every document of a YAML stream (`---`-separated); empty documents are skipped."""
    sources: list[Source] = []
    lines = _Lines(text)
    deep = _too_deep(text) if len(text) > SAFE_TO_COMPOSE else None
    if deep is not None:
        diags.error("yaml/too-complex", f"nested deeper than {MAX_DEPTH} levels", Position(file, *lines(deep)),
                    hint="specs are small, flat documents; write the values out")
        return sources
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            source = Source(file=file, data=None, text=text)
            walker = _Walker(source, diags, lines)
            try:
                source.data = walker.walk(node, (), 0)
            except _TooBig as exc:
                diags.error("yaml/too-complex", str(exc), Position(file, *walker.pos(exc.node)),
                            hint="specs are small, flat documents; write the values out")
                continue
            except yaml.constructor.ConstructorError as exc:
                mark = exc.problem_mark or exc.context_mark
                diags.error("yaml/syntax", str(exc.problem or exc),
                            Position(file, *lines(mark)) if mark else Position(file))
                continue
            sources.append(source)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or str(exc)
        if exc.context:
            message = f"{message} ({exc.context})"
        diags.error("yaml/syntax", message,
                    Position(file, *lines(mark)) if mark else Position(file),
                    hint="check indentation and quoting; PromQL with `{` or `:` needs quotes")
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, most C0 controls)
        before = text[: exc.position]
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        diags.error("yaml/syntax", f"character U+{code:04X} is not allowed in YAML",
                    Position(file, before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1),
                    hint="remove it; write control characters as escapes in a double-quoted string")
    except yaml.YAMLError as exc:
        diags.error("yaml/syntax", str(exc), Position(file))
    finally:
        loader.dispose()
    return sources


def load_file(path: Path, file: str, diags: Diagnostics) -> list[Source]:
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a FIFO would block forever, /dev/zero never ends
            diags.error("input/not-a-file", "not a regular file (a device, FIFO or socket, maybe through a "
                        "symbolic link)", Position(file), hint="specs/ should hold only spec files")
            return []
        if st.st_size > MAX_FILE_BYTES:
            diags.error("input/too-large", f"file is {st.st_size} bytes; the limit is {MAX_FILE_BYTES}",
                        Position(file), hint="split it into one file per service")
            return []
        with path.open("rb") as fh:  # bounded: the file may grow after stat
            raw = fh.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            diags.error("input/too-large", f"file is over the limit of {MAX_FILE_BYTES} bytes",
                        Position(file), hint="split it into one file per service")
            return []
    except OSError as exc:
        diags.error("input/unreadable", f"cannot read file: {exc.strerror}", Position(file))
        return []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        diags.error("input/encoding", f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                    Position(file, line, col), hint="save the file as UTF-8")
        return []
    if text.startswith("\ufeff"):
        text = text[1:]
    return load_text(text, file, diags)
