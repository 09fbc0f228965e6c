// Flow layout on Grafana's 24-column grid: this numbers the panels and sets their sizes
// (gridPos.w/h; a row panel spans the width, one unit high). slogen places them after the
// evaluation (slogen/targets/grafana/layout.py): left to right, wrapping when a panel does not
// fit, a row always on a new line. (The same walk in jsonnet cost a third of a dashboard's
// evaluation.)
{
  columns:: 24,

  flow(items)::
    local cols = $.columns;
    local size(p) =
      if p.type == 'row' then { w: cols, h: 1 }
      else { w: if p.gridPos.w < cols then p.gridPos.w else cols, h: p.gridPos.h };
    [items[i] { id: i + 1, gridPos: size(items[i]) } for i in std.range(0, std.length(items) - 1)],
}
