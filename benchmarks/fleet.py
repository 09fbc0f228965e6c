"""Build-speed benchmark: `slogen build` on synthetic fleets (see fleetgen.py), as the CLI runs.

    python benchmarks/fleet.py                 # 100, 1,000 and 5,000 services
    python benchmarks/fleet.py --sizes 100 1000
    python benchmarks/fleet.py --sizes 1000 --jobs 1   # render in one process (default: the cores)
    python benchmarks/fleet.py --sizes 1000 --jsonnet rjsonnet   # the optional faster jsonnet engine

For each size, in benchmarks/.work/fleet-<n>/ (gitignored), every step a fresh `slogen` process
under /usr/bin/time (wall time and peak RSS of slogen and its forked child):
  clean        no out/, no cache: the whole bundle from scratch
  check        `--check` on the unchanged fleet (local cache warm, as on a developer machine)
  check-fresh  `--check` with no local cache: a fresh checkout in CI (out/ and its manifest
               committed, nothing changed): every spec and every file of out/ is hashed
  check-cold   `--check --no-cache`: everything rendered again and compared
  noop         `slogen build` again, nothing changed
  edit-one     one spec's objective edited, then `slogen build` (incremental: slogen.write.record)
  add-one      one new service's spec added, then `slogen build` (incremental)
  disk-floor   not slogen: Python writing the same files into a fresh folder, i.e. what writing
               the bundle costs on this machine's disk before anything is computed
Each step has a timeout; a step that fails or times out is reported and the rest go on."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fleetgen  # noqa: E402

WORK = Path(__file__).resolve().parent / ".work"
TIMEOUT = 1800  # seconds per step


def timed(args: list[str], cwd: Path, timeout: float = TIMEOUT) -> tuple[float | None, int | None, int]:
    """(wall seconds, peak RSS KiB, exit code) of one slogen run, measured by GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        cmd = ["/usr/bin/time", "-o", report.name, "-f", "%e %M", sys.executable, "-c",
               "from slogen.__main__ import run; run()", *args]  # what the `slogen` script runs
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.communicate()
            return None, None, -9
        fields = report.read().split()
    if proc.returncode not in (0, 1) and err:
        print(err[-2000:], file=sys.stderr)
    try:
        return float(fields[-2]), int(fields[-1]), proc.returncode
    except (IndexError, ValueError):
        return None, None, proc.returncode


def run_size(n: int, jobs: int | None = None) -> dict[str, tuple]:
    folder = WORK / f"fleet-{n}"
    specs = fleetgen.write_fleet(folder, n)
    out, cache = folder / "out", folder / ".slogen-cache"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    build = ["build", "specs", "-o", "out"] + (["--jobs", str(jobs)] if jobs else [])
    rows = {"clean": timed(build, folder)}
    rows["check"] = timed(build + ["--check"], folder)
    shutil.rmtree(cache, ignore_errors=True)
    rows["check-fresh"] = timed(build + ["--check"], folder)
    rows["check-cold"] = timed(build + ["--check", "--no-cache"], folder)
    rows["noop"] = timed(build, folder)
    edited = specs / f"{fleetgen.service_name(n // 2)}.yaml"
    edited.write_text(fleetgen.service_yaml(n // 2, revision=1))
    try:
        rows["edit-one"] = timed(build, folder)
    finally:
        edited.write_text(fleetgen.service_yaml(n // 2))
    added = specs / f"{fleetgen.service_name(n)}.yaml"
    added.write_text(fleetgen.service_yaml(n))
    try:
        rows["add-one"] = timed(build, folder)
    finally:
        added.unlink()
    timed(build, folder)  # back to the fleet of n services
    rows["disk-floor"] = disk_floor(out, folder / "floor")
    files = sum(len(f) for _, _, f in os.walk(out))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    rows["_files"] = (files, size)
    return rows


STEPS = ["clean", "check", "check-fresh", "check-cold", "noop", "edit-one", "add-one", "disk-floor"]


def disk_floor(out: Path, scratch: Path) -> tuple[float, int, int]:
    """Wall time of writing out/'s files (read into memory first) into a fresh folder, in a child
    process like the other steps."""
    script = (
        "import os, sys, time\n"
        "src, dst = sys.argv[1], sys.argv[2]\n"
        "files = {}\n"
        "for d, _, names in os.walk(src):\n"
        "    for n in names:\n"
        "        p = os.path.join(d, n)\n"
        "        files[os.path.relpath(p, src)] = open(p, 'rb').read()\n"
        "t = time.perf_counter()\n"
        "for rel, data in sorted(files.items()):\n"
        "    os.makedirs(os.path.dirname(os.path.join(dst, rel)), exist_ok=True)\n"
        "    with open(os.path.join(dst, rel), 'wb') as fh:\n"
        "        fh.write(data)\n"
        "print(time.perf_counter() - t)\n"
    )
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        proc = subprocess.run([sys.executable, "-c", script, str(out), str(scratch)], capture_output=True, text=True,
                              timeout=TIMEOUT)
        return float(proc.stdout.strip()), 0, proc.returncode
    except (subprocess.TimeoutExpired, ValueError):
        return None, None, -9
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    ap.add_argument("--jobs", type=int, default=None, help="rendering processes (default: slogen's, the cores)")
    ap.add_argument("--jsonnet", choices=["jsonnet", "rjsonnet"], default=None,
                    help="the dashboards' jsonnet engine ($SLOGEN_JSONNET, docs/dashboards.md)")
    args = ap.parse_args(argv)
    if args.jsonnet:
        os.environ["SLOGEN_JSONNET"] = args.jsonnet  # every slogen process inherits it
    print(f"{'services':>8} {'files':>6} {'MB':>6} | " + " | ".join(f"{s:>17}" for s in STEPS))
    print(f"{'':>8} {'':>6} {'':>6} | " + " | ".join(f"{'s':>7} {'MB RSS':>9}" for _ in STEPS))
    for n in args.sizes:
        rows = run_size(n, args.jobs)
        files, size = rows.pop("_files")
        cells = []
        for step in STEPS:
            wall, rss, rc = rows[step]
            ok = rc in (0, 1) if step == "check-cold" else rc == 0
            if wall is None or not ok:
                cells.append(f"{'failed rc=' + str(rc):>17}")
            else:
                cells.append(f"{wall:>7.2f} {rss / 1024:>9.0f}" if rss else f"{wall:>7.2f} {'-':>9}")
        print(f"{n:>8} {files:>6} {size / 1e6:>6.0f} | " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
