"""The long fuzz run: tests/hardening/test_fuzz.py with 10,000 examples instead of CI's 200.

    python benchmarks/fuzz.py [--examples 10000] [--tools-every 20] [--timeout 14400] [--progress 500]

Run it before an issue about input handling is called resolved, and put the figures it prints in
docs/hardening.md. Each run draws new examples (CI's short run is derandomized, this one is not),
so a second run is a second sample; a failure prints the example and a `@reproduce_failure` blob.

Prints the versions it ran with (a new hypothesis generates differently), how many examples were
accepted, refused and tool-checked (promtool check rules, amtool check-config and the dashboard
checks, on one accepted example in `--tools-every`), and the elapsed time. Exit code: pytest's
(0 passed, 1 a property failed), or 124 when `--timeout` ran out."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("hypothesis", "pydantic", "pydantic-core", "PyYAML", "pytest")


def versions() -> str:
    out = [f"python {sys.version.split()[0]}"]
    for name in PACKAGES:
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} (not installed)")
    for tool in ("promtool", "amtool"):
        try:
            text = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=30)
            first = (text.stdout or text.stderr).splitlines()[0]
            out.append(f"{tool} {first.split('version ')[-1].split()[0]}")
        except (OSError, IndexError, subprocess.TimeoutExpired):
            out.append(f"{tool} (not found)")
    return ", ".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--tools-every", type=int, default=20, help="tool-check one accepted example in N")
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="seconds before the run is stopped")
    parser.add_argument("--progress", type=int, default=500, help="print the counts every N examples (0: never)")
    args = parser.parse_args()

    print(f"fuzz: {args.examples:,} examples with {versions()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="slogen-fuzz-stats-") as tmp:
        stats_file = Path(tmp) / "stats.json"
        env = dict(os.environ, SLOGEN_FUZZ_EXAMPLES=str(args.examples), SLOGEN_FUZZ_TOOLS_EVERY=str(args.tools_every),
                   SLOGEN_FUZZ_PROGRESS=str(args.progress), SLOGEN_FUZZ_STATS=str(stats_file),
                   SLOGEN_REQUIRE_TOOLS="1")  # a tool check must fail, never skip
        cmd = [sys.executable, "-m", "pytest", "tests/hardening/test_fuzz.py", "-n", "0", "-s", "-q",
               "-p", "no:cacheprovider"]
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
        try:
            code = proc.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)  # pytest and the promtool/amtool it runs
            proc.wait()
            code = 124
        elapsed = time.monotonic() - started
        stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    outcome = {0: "passed", 124: f"stopped after --timeout {args.timeout:g}s"}.get(code, f"FAILED (exit {code})")
    print(f"fuzz: {outcome} in {elapsed / 60:.1f} min: {stats.get('examples', '?')} examples, "
          f"{stats.get('accepted', '?')} accepted, {stats.get('refused', '?')} refused, "
          f"{stats.get('tool-checked', '?')} tool-checked", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
