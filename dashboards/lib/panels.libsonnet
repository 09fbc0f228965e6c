// Panel constructors: plain Grafana JSON, the fields Grafana's own types (@grafana/schema)
// describe. Sizes go in gridPos.w/h; layout.flow() places them and numbers them.
function(config) {
  local c = config,
  local ds = { type: 'prometheus', uid: '${' + c.datasourceVariable + '}' },
  local refIds = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',

  datasource:: ds,

  // A query: instant ones are for stats and tables, range ones for graphs.
  target(expr, legend='', instant=false, table=false):: {
    datasource: ds,
    expr: expr,
    legendFormat: legend,
    instant: instant,
    range: !instant,
    format: if table then 'table' else 'time_series',
  },
  local withRefIds(ts) = [ts[i] { refId: refIds[i] } for i in std.range(0, std.length(ts) - 1)],

  // Colour steps: the first step has value null (everything below the next step).
  steps(base, list):: { mode: 'absolute', steps: [{ color: base, value: null }] + list },

  local base(type, title, description, targets, w, h) = {
    type: type,
    title: title,
    description: description,
    datasource: ds,
    targets: withRefIds(targets),
    gridPos: { w: w, h: h },
    links: [],
  },
  // A link in a panel's header menu (e.g. the runbook), opening in a new tab.
  link(title, url):: (import 'common.libsonnet').link(title, url, title) { targetBlank: true },

  timeseries(title, description, targets, unit='short', thresholds=null, w=12, h=c.panelHeight, min=null, max=null)::
    base('timeseries', title, description, targets, w, h) {
      fieldConfig: {
        defaults: {
          unit: unit,
          [if min != null then 'min']: min,
          [if max != null then 'max']: max,
          thresholds: if thresholds == null then $.steps(c.colors.ok, []) else thresholds,
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 0,
            showPoints: 'never',
            spanNulls: false,
            // threshold steps are drawn as lines: objectives, burn-rate factors, alert levels
            thresholdsStyle: { mode: if thresholds == null then 'off' else 'line' },
          },
        },
        overrides: [],
      },
      options: {
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: ['lastNotNull'] },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },

  stat(title, description, target, unit, thresholds, w=4, h=c.panelHeight, decimals=null)::
    base('stat', title, description, [target], w, h) {
      fieldConfig: {
        defaults: {
          unit: unit,
          thresholds: thresholds,
          color: { mode: 'thresholds' },
          [if decimals != null then 'decimals']: decimals,
        },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        orientation: 'auto',
        colorMode: 'background',
        graphMode: 'area',
        justifyMode: 'auto',
        textMode: 'value',
        wideLayout: true,
        showPercentChange: false,
      },
    },

  // A table of instant queries merged on their labels.
  table(title, description, targets, w=24, h=c.panelHeight, rename={}, exclude=[], sortBy=[], overrides=[], noValue='')::
    base('table', title, description, targets, w, h) {
      fieldConfig: {
        defaults: { [if noValue != '' then 'noValue']: noValue },
        overrides: overrides,
      },
      options: {
        showHeader: true,
        cellHeight: 'sm',
        sortBy: sortBy,
      },
      transformations: [
        { id: 'merge', options: {} },
        {
          id: 'organize',
          options: {
            excludeByName: { [k]: true for k in ['Time', '__name__', 'alertstate'] + exclude },
            renameByName: rename,
          },
        },
      ],
    },

  text(title, markdown, w=8, h=c.panelHeight):: {
    type: 'text',
    title: title,
    gridPos: { w: w, h: h },
    options: { mode: 'markdown', content: markdown },
  },

  row(title):: { type: 'row', title: title, collapsed: false, panels: [] },
}
