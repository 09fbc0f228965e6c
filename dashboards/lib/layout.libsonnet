// Flow layout: panels carry only their size (gridPos.w/h); this assigns x/y on Grafana's
// 24-column grid, left to right, wrapping when a panel does not fit, and numbers panel ids.
// A row panel always starts a new line and spans the width.
{
  columns:: 24,

  flow(items)::
    local size(p) = if p.type == 'row' then [$.columns, 1] else [std.min(p.gridPos.w, $.columns), p.gridPos.h];
    // state: [x, y, height of the current line, [[x, y] of each panel so far]]
    local step(state, p) =
      local wh = size(p);
      local wrap = p.type == 'row' || state[0] + wh[0] > $.columns;
      local x = if wrap then 0 else state[0];
      local y = if wrap then state[1] + state[2] else state[1];
      [x + wh[0], y, if wrap then wh[1] else std.max(state[2], wh[1]), state[3] + [[x, y]]];
    local placed = std.foldl(step, items, [0, 0, 0, []])[3];
    [
      items[i] {
        id: i + 1,
        gridPos: { x: placed[i][0], y: placed[i][1], w: size(items[i])[0], h: size(items[i])[1] },
      }
      for i in std.range(0, std.length(items) - 1)
    ],
}
