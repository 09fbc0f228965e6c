// Flow layout: panels carry only their size (gridPos.w/h); this assigns x/y on Grafana's
// 24-column grid, left to right, wrapping when a panel does not fit, and numbers panel ids.
// A row panel always starts a new line and spans the width.
{
  columns:: 24,

  flow(items)::
    local n = std.length(items);
    local size(p) = if p.type == 'row' then [$.columns, 1] else [std.min(p.gridPos.w, $.columns), p.gridPos.h];
    local sizes = [size(p) for p in items];
    // Positions are collected as a linked list [x, y, rest] (newest first): appending to an
    // array copies it, which made this the slowest part of a build.
    local place(i, x, y, lineHeight, placed) =
      if i == n then placed
      else
        local w = sizes[i][0], h = sizes[i][1];
        local wrap = items[i].type == 'row' || x + w > $.columns;
        local px = if wrap then 0 else x;
        local py = if wrap then y + lineHeight else y;
        place(i + 1, px + w, py, if wrap then h else std.max(lineHeight, h), [px, py, placed]) tailstrict;
    local toArray(list, acc) = if list == null then acc else toArray(list[2], [[list[0], list[1]]] + acc) tailstrict;
    local xy = toArray(place(0, 0, 0, 0, null), []);
    [
      items[i] { id: i + 1, gridPos: { x: xy[i][0], y: xy[i][1], w: sizes[i][0], h: sizes[i][1] } }
      for i in std.range(0, n - 1)
    ],
}
