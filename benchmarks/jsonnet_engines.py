"""What each jsonnet engine costs on slogen's dashboards ($SLOGEN_JSONNET, slogen.targets.grafana.engine):
the CPU time of evaluating the service dashboards of a synthetic fleet (fleetgen.py) and the overview,
in this process (one evaluate_snippet call each, as a build of one chunk makes), per engine.

    python benchmarks/jsonnet_engines.py                  # 100 services, 5 repetitions
    python benchmarks/jsonnet_engines.py --services 500 --repeat 3

Prints the median, min and max CPU seconds per engine and checks that both engines' parsed output
is equal (the bytes written are proven equal by tests/grafana/test_engines.py)."""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fleetgen  # noqa: E402

from slogen import api  # noqa: E402
from slogen.targets import grafana  # noqa: E402
from slogen.targets.grafana.model_json import overview_model, overview_summary, services_model  # noqa: E402

ENGINES = ("jsonnet", "rjsonnet")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        specs = fleetgen.write_fleet(Path(tmp), args.services)
        result = api.validate([specs])
        assert result.ok, [str(d) for d in result.diagnostics]
    bundle = result.bundle
    services = sorted(bundle.services, key=lambda s: s.name)
    models = {"services": services_model(bundle, services),
              "overview": overview_model(bundle, [overview_summary(s, bundle) for s in services])}
    outputs = {}
    print(f"{args.services} services, {args.repeat} repetitions, CPU seconds (median [min-max])")
    for engine in ENGINES:
        os.environ["SLOGEN_JSONNET"] = engine
        for name, model in models.items():
            grafana.evaluate(model, None)  # warm-up: imports, the library snippet
            times = []
            for _ in range(args.repeat):
                t0 = time.process_time()
                outputs[engine, name] = grafana.evaluate(model, None)
                times.append(time.process_time() - t0)
            print(f"  {engine:9} {name:9} {statistics.median(times):6.3f}  [{min(times):.3f}-{max(times):.3f}]")
    for name in models:
        assert outputs["jsonnet", name] == outputs["rjsonnet", name], f"{name}: the engines disagree"
    print("parsed output equal with both engines")


if __name__ == "__main__":
    main()
