"""The SLI kinds. Adding one: a new module with a `KIND`, and one line in this table."""
from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from slogen.sli import availability, latency, ratio
from slogen.sli.events import Events
from slogen.sli.kind import SLIKind
from slogen.sli.latency import Histogram

KINDS: dict[str, SLIKind] = {k.name: k for k in (availability.KIND, latency.KIND, ratio.KIND)}

SLISpec = Annotated[Union[tuple(k.spec for k in KINDS.values())], Field(discriminator="kind")]
SLI = Union[Events, Histogram]  # an SLI in the model: what `normalise` of its kind returns
