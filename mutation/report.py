"""The kill rate of each mutated module, from mutmut's results under `mutants/`.

A mutant counts as killed when a test failed (or the tests timed out) with it
switched on; "no tests" counts against the module like a survivor: a line no
selected test runs is a line nothing checks.
"""

import json
import sys
from collections import Counter
from pathlib import Path

# mutmut's exit codes (mutmut.stats.status_by_exit_code), folded.
KILLED = {1, 3, 24, -24, 36, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


def results(root: Path = Path("mutants")) -> dict[str, Counter]:
    by_module = {}
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        module = str(meta.relative_to(root)).removesuffix(".meta")
        tally = Counter()
        for code in codes.values():
            if code in KILLED:
                tally["killed"] += 1
            elif code in SURVIVED:
                tally["survived"] += 1
            elif code in NO_TESTS:
                tally["no tests"] += 1
            elif code is None:
                tally["not run"] += 1
            else:
                tally["other"] += 1
        by_module[module] = tally
    return by_module


def survivors(root: Path = Path("mutants")) -> list[str]:
    """The mutants no test failed on (or no test reached), by name."""
    names = []
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        names += [name for name, code in codes.items() if code in SURVIVED | NO_TESTS]
    return names


def print_report(out=sys.stdout) -> bool:
    """Print one line per module and the total; False when nothing was run yet."""
    by_module = results()
    if not by_module:
        print("No mutation results under mutants/: run `make mutate`.", file=out)
        return False
    print(
        f"{'module':44} {'killed':>7} {'survived':>8} {'no tests':>8} "
        f"{'other':>5} {'rate':>6}",
        file=out,
    )
    total = Counter()
    for module, tally in by_module.items():
        total += tally
        print(_line(module, tally), file=out)
    print(_line("all", total), file=out)
    return True


def _line(name: str, tally: Counter) -> str:
    mutants = sum(tally.values())
    rate = tally["killed"] / mutants if mutants else 1.0
    other = tally["other"] + tally["not run"]
    return (
        f"{name:44} {tally['killed']:>7} {tally['survived']:>8} "
        f"{tally['no tests']:>8} {other:>5} {rate:>6.1%}"
    )
