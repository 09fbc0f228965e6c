// slogen's dashboards: the model in (built by slogen/targets/grafana/model_json.py), one
// dashboard per output file out: { "<service>.json": ... } or { "slo-overview.json": ... }.
//
//   model   the bundle as JSON (services, SLOs, thresholds, recording-rule names). With
//           render: 'services', model.services are the services whose dashboards to make; with
//           render: 'overview', every service as a short entry (name, uid, selector, SLOs).
//   config  overrides of lib/config.libsonnet for every dashboard (dashboards/config.libsonnet)
//   custom  file stem → the team's custom/<stem>.libsonnet, an object with optional fields:
//             config     overrides for that dashboard only
//             panels     extra panels (an array, or a function of the service model) appended
//                        under a "Team panels" row and laid out like slogen's own
//             dashboard  merged into the finished dashboard JSON (`+:` to extend a field)
function(model, config={}, custom={})
  local base = (import 'lib/config.libsonnet') + config;
  local customOf(stem) = if std.objectHas(custom, stem) then custom[stem] else {};
  local build(stem, arg, make) =
    local x = customOf(stem);
    local cfg = base + std.get(x, 'config', {});
    local panels = std.get(x, 'panels', []);
    make(cfg, if std.isFunction(panels) then panels(arg) else panels) + std.get(x, 'dashboard', {});
  if model.render == 'overview' then {
    [model.overview.file]: build(model.overview.stem, model,
                                 function(cfg, extra) (import 'lib/overview.libsonnet')(model, cfg, extra)),
  } else {
    [s.file]: build(s.stem, s,
                    function(cfg, extra) (import 'lib/service.libsonnet')(model, cfg, s, extra))
    for s in model.services
  }
