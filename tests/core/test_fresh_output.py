"""The committed out/ is what `slogen build specs/` makes today (`--check` passes on main)."""
from __future__ import annotations

from helpers import ROOT, compared_bytewise


def test_committed_out_is_fresh(monkeypatch):
    from slogen import api

    monkeypatch.chdir(ROOT)  # headers name specs relative to the working directory
    # use_cache=False: everything rendered again, so a change to slogen itself that changes its
    # output is caught even where out/slogen-manifest.json vouches for the specs (docs/performance.md)
    result = api.build([ROOT / "specs"], ROOT / "out", check=True, use_cache=False)
    assert result.ok, [f"{d.position}: {d.message}" for d in result.diagnostics]
    c = result.check
    c.changed = [p for p in c.changed if compared_bytewise(p)]
    assert not c.stale, f"out/ is stale; run `slogen build specs/` and commit out/: changed={c.changed[:5]} " \
                        f"missing={c.added[:5]} extra={c.removed[:5]}"
