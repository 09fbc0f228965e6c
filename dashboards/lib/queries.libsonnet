// PromQL for the panels. Names and selectors come from the model (slogen.conventions),
// so this file holds the shape of each query and no recording-rule names of its own.
// (String concatenation, not `%`: jsonnet's std.format costs ~2 ms a call.)
function(rules) {
  local r = rules,

  sliPeriod(slo):: '1 - ' + r.period_error_ratio + slo.selector,
  sli(slo):: '1 - ' + slo.sli_rule + slo.selector,
  objective(slo):: r.objective + slo.slo_selector,
  budgetRemaining(slo):: r.budget_remaining + slo.selector,
  burnRate(slo, rule):: rule + slo.selector + ' / ' + slo.budget_match + ' ' + r.error_budget + slo.slo_selector,
  // The histogram's percentile estimate, comparable with the latency SLO's threshold.
  percentile(slo)::
    'histogram_quantile(' + slo.latency.quantile + ', sum by (' + slo.latency.by + ') (rate('
    + slo.latency.bucket + '[$__rate_interval])))',

  firing(service):: 'ALERTS' + service.firing_selector,

  // Bundle-wide, for the overview (one series per service and SLO, and per group of a grouped
  // SLO: `groupLabels`, the bundle's group_by labels; the SLO-wide series are spread over its groups).
  all(groupLabels=[]):: {
    budgetRemaining: r.budget_remaining,
    sliPeriod: '1 - ' + r.period_error_ratio,
    objective: r.objective + ' + on (service, slo) group_right 0 * ' + r.budget_remaining,
    periodBurnRate: r.period_burn_rate,
    burnRate(rule): rule + ' / on (service, slo) group_left ' + r.error_budget,
    firingPerSlo: 'count by (' + std.join(', ', ['service', 'slo'] + groupLabels) + ') (ALERTS{alertstate="firing",'
                  + r.label_kind + '="slo"})',
    firing: 'ALERTS{alertstate="firing",' + r.label_kind + '!=""}',
    // Budget remaining with each service's dashboard UID as a label, for the overview's links
    // (UIDs of long service names carry a hash, which Grafana cannot compute).
    budgetWithDashboard(services)::
      std.join(' or ', [
        'label_replace(' + r.budget_remaining + s.selector + ', "dashboard", "' + s.uid + '", "", "")'
        for s in services
      ]),
  },
}
