"""The reliability campaign (hostile input, faults and load, canary secrets) as a benchmark.

    python benchmarks/bench_reliability.py [--quick] [--dataset PATH] [farm options]

A thin wrapper over ``benchmarks/reliability/run.py`` (same options, same figures, same exit
code) so that CI runs its quick form with the other benchmarks. Baseline: the fault-free
reference run of the same schedule, timed in the same process.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reliability.run import main

if __name__ == "__main__":
    sys.exit(main())
