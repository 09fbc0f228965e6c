// What every slogen dashboard shares: the data source variable, links, and the frame.
{
  datasourceVariable(c):: {
    name: c.datasourceVariable,
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    hide: 0,
    includeAll: false,
    multi: false,
    options: [],
    refresh: 1,
    regex: '',
    skipUrlSync: false,
  },

  // A grouped SLO's label (`group_by`): pick groups, all of them (and new ones) by default.
  groupVariable(c, v):: {
    name: v.name,
    label: v.name,
    type: 'query',
    datasource: { type: 'prometheus', uid: '${' + c.datasourceVariable + '}' },
    query: v.query,
    hide: 0,
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    options: [],
    refresh: 2,  // on time range change: new groups appear
    regex: '',
    sort: 1,
    skipUrlSync: false,
  },

  link(title, url, tooltip, icon='external link'):: {
    title: title,
    type: 'link',
    url: url,
    tooltip: tooltip,
    icon: icon,
    asDropdown: false,
    includeVars: false,
    keepTime: true,
    tags: [],
    targetBlank: false,
  },
  // Every slogen dashboard, as a drop-down (found by tag, so it needs no UIDs).
  dashboardsLink(c):: $.link('SLO dashboards', '', 'Every dashboard slogen generated', 'dashboard') {
    type: 'dashboards',
    tags: [c.tags[0]],
    asDropdown: true,
    includeVars: true,
    url:: null,
  },

  dashboard(c, model, uid, title, description, tags, links, panels, variables=[]):: {
    id: null,
    uid: uid,
    title: title,
    description: description,
    tags: tags,
    editable: c.editable,
    graphTooltip: 1,  // shared crosshair
    refresh: c.refresh,
    schemaVersion: model.schemaVersion,
    version: 1,
    time: c.time,
    timezone: c.timezone,
    timepicker: {},
    fiscalYearStartMonth: 0,
    liveNow: false,
    annotations: { list: [] },
    templating: { list: [$.datasourceVariable(c)] + [$.groupVariable(c, v) for v in variables] },
    links: links,
    panels: (import 'layout.libsonnet').flow(panels),
  },
}
