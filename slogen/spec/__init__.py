"""Stage 2: loaded documents → typed specs (the code is in `documents`).

Kept import-light on purpose: the SLI and threshold kind modules use the field types in
`slogen.spec.common`, and `slogen.spec.service` imports those kinds, so importing the service
model here would make a cycle. Names are resolved on first use instead (PEP 562)."""
from __future__ import annotations


def __getattr__(name: str):
    import importlib

    documents = importlib.import_module("slogen.spec.documents")
    try:
        return getattr(documents, name)
    except AttributeError:
        raise AttributeError(f"module 'slogen.spec' has no attribute {name!r}") from None
