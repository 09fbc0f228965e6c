"""slogen's YAML emitter reads back, through PyYAML's own loader, as exactly the data it was given."""
from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from slogen import yamlout

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=40), st.sampled_from(["yes", "No", "on", "1e3", "1:30", "0x1F", "~", "-", "a: b",
                                                          "x #y", "#x", "'q'", '"q"', "2024-01-01", ".inf", "a\nb\n",
                                                          "a\n\nb", " lead", "trail ", "{a}", "x{y=\"z\"}", "-x"]))
data = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                    max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(data)
def test_round_trip(value):
    assert yaml.load(yamlout.dump({"v": value}), Loader=yaml.CSafeLoader) == {"v": value}


def test_promql_and_prose_stay_readable():
    text = yamlout.dump({"expr": 'sum(rate(x{job="a"}[5m])) > 0.5', "summary": "api: fast burn (1h/5m)",
                         "d": "The value is 5, above 3"})
    assert text == ("expr: sum(rate(x{job=\"a\"}[5m])) > 0.5\nsummary: 'api: fast burn (1h/5m)'\n"
                    "d: The value is 5, above 3\n")
