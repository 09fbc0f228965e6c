"""The runbook templates (`templates/runbooks/`), shared by the runbooks and the step that carries
notes over from removed ones (retire.py)."""
from __future__ import annotations

from functools import lru_cache

import jinja2


@lru_cache(maxsize=None)
def _env() -> jinja2.Environment:
    # Plain Jinja delimiters: unlike annotations, runbooks never pass through Go templates.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("slogen", "templates/runbooks"), undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False,
    )
    env.filters["code_list"] = lambda items: ", ".join(f"`{x}`" for x in items) or "(none)"
    return env


def render(template: str, **context) -> str:
    return _env().get_template(template).render(**context)


def template_bottom() -> bytes:
    """The human section a new runbook starts with (after the marker)."""
    return render("notes.md.j2").encode()
