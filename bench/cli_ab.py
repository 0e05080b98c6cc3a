"""The path users run, before and after a change, in alternation on the same machine.

    git worktree add /tmp/before <rev>
    .venv/bin/python bench/cli_ab.py --before /tmp/before --data DIR [--rounds 5]

DIR holds visits.csv, grants.csv and additional_reports.csv (`bench/monthly.py --generate-only DIR`).
Each round runs `foljsam monthly import … --json` then `foljsam monthly kpis … --json` (bench/monthly.py's
cli_path: a fresh install made by `foljsam migrate` and `foljsam providers import`) with the code of
--before and with this checkout's (in alternating order, both trees' bytecode compiled first), then the
baseline query (bench/monthly.py's BASELINE) in this process. One run of bench/monthly.py swings by a few
tenths of a second with the machine; medians of rounds taken side by side tell a change from that drift.
Prints each round and the medians' ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))

# Runs bench/monthly.py's cli_path in a subprocess whose foljsam package is the tree given (PYTHONPATH
# comes before the editable install's finder).
_CHILD = """
import importlib.util, json, sys
from pathlib import Path
spec = importlib.util.spec_from_file_location("bench_monthly", sys.argv[1] + "/bench/monthly.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
_figures, t_import, t_kpis = bench.cli_path(Path(sys.argv[2]))
print(json.dumps([t_import, t_kpis]))
"""


def cli(tree: Path, data: Path, work: Path) -> tuple[float, float]:
    tmp = work / tree.name
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for kind in ("visits", "grants", "additional_reports"):
        os.symlink(data / f"{kind}.csv", tmp / f"{kind}.csv")
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", _CHILD, str(tree), str(tmp)], env=env, check=True,
                         capture_output=True, text=True).stdout
    t_import, t_kpis = json.loads(out.strip().splitlines()[-1])
    return t_import, t_kpis


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", type=Path, required=True, help="a checkout of the code to compare with")
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    from bench.monthly import BASELINE
    from foljsam.monthly.engine import storage

    trees = {"before": args.before.resolve(), "after": HERE}
    # Both trees' bytecode written first: where PYTHONDONTWRITEBYTECODE is set, a checkout without it compiles
    # its modules at every command (about 0.05 s), which would count against that tree alone.
    for tree in trees.values():
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "foljsam")], check=True,
                       env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})
    times: dict[str, list[float]] = {"before": [], "after": [], "baseline": []}
    with tempfile.TemporaryDirectory(prefix="foljsam-cli-ab-") as work:
        for i in range(args.rounds):
            # The order alternates between rounds, so neither tree always runs first after the baseline.
            for name, tree in list(trees.items())[:: 1 if i % 2 == 0 else -1]:
                t_import, t_kpis = cli(tree, args.data, Path(work))
                times[name].append(t_import + t_kpis)
                print(f"round {i + 1} {name}: import {t_import:.2f} s + kpis {t_kpis:.2f} s", flush=True)
            con = storage.connect()
            t0 = time.perf_counter()
            con.execute(BASELINE.format(d=args.data)).fetchall()
            times["baseline"].append(time.perf_counter() - t0)
            con.close()
            print(f"round {i + 1} baseline: {times['baseline'][-1]:.2f} s", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, v in times.items():
        print(f"{k}: median {med[k]:.2f} s, min {min(v):.2f} s")
    print(f"RESULT-AB rounds={args.rounds} ratio_before={med['before'] / med['baseline']:.2f} "
          f"ratio_after={med['after'] / med['baseline']:.2f} change={med['after'] - med['before']:+.2f}s")


if __name__ == "__main__":
    main()
