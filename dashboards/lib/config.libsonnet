// slogen's dashboard defaults. Override any of them for every dashboard in
// dashboards/config.libsonnet, or for one dashboard in custom/<name>.libsonnet (`config+: {...}`).
{
  refresh: '1m',
  time: { from: 'now-24h', to: 'now' },
  timezone: 'utc',
  editable: false,  // regenerated on every build: edits in Grafana would be lost
  tags: ['slogen'],
  titlePrefix: 'SLOs / ',
  overviewTitle: 'SLO overview',
  // Error-budget-remaining colours: red when spent, orange below `budgetLow`, else green.
  budgetLow: 0.25,
  colors: { ok: 'green', warning: 'orange', critical: 'red', ticket: 'orange', page: 'red', objective: 'blue' },
  panelHeight: 7,
  // Grafana variable holding the Prometheus data source every panel reads.
  datasourceVariable: 'datasource',
}
