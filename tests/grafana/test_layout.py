"""The flow layout slogen applies after the jsonnet evaluation (slogen/targets/grafana/layout.py)."""
from slogen.targets.grafana.layout import place


def test_panels_flow_left_to_right_rows_start_lines_and_hand_placed_panels_stay():
    panels = [
        {"type": "table", "gridPos": {"w": 16, "h": 7}},
        {"type": "text", "gridPos": {"w": 8, "h": 9}},
        {"type": "row", "gridPos": {"w": 24, "h": 1}},
        {"type": "stat", "gridPos": {"w": 12, "h": 7}},
        {"type": "stat", "gridPos": {"w": 16, "h": 7}},  # does not fit: next line
        {"type": "text", "gridPos": {"x": 3, "y": 99, "w": 5, "h": 5}},  # a team's own position
    ]
    got = [p["gridPos"] for p in place({"panels": panels})["panels"]]
    assert got == [
        {"h": 7, "w": 16, "x": 0, "y": 0},
        {"h": 9, "w": 8, "x": 16, "y": 0},
        {"h": 1, "w": 24, "x": 0, "y": 9},  # below the taller of the line
        {"h": 7, "w": 12, "x": 0, "y": 10},
        {"h": 7, "w": 16, "x": 0, "y": 17},
        {"x": 3, "y": 99, "w": 5, "h": 5},
    ]
