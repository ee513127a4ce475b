"""`python -m mutation [mutmut arguments]`: mutmut with our decorators mutable.

`python -m mutation run --max-children 2` runs (or resumes) the mutation
tests, then prints the kill rate per module; `python -m mutation retest
--max-children 2` runs the survivors again (mutmut keeps a result until the
function changes, so new tests need this); `python -m mutation report` prints
the rates again; any other arguments go to mutmut as they are (`results`,
`show <mutant>`, `browse`).
"""

import hashlib
import json
import sys
import tomllib
from pathlib import Path

from mutmut.__main__ import cli
from mutmut.configuration import config

from mutation import decorators, report

# The digests of the mutated modules mutmut's map of tests was made for.
MAP_MADE_FOR = "mutants/mutation-map-made-for.json"
# Copied as they are (mutmut adds tests/ and pyproject.toml itself).
NOT_COPIED = {"tests", "mutation", "mutants"}


def copy_every_app() -> None:
    """mutmut copies its `source_paths` into mutants/, and the tests import every
    app: all the project's packages, found rather than listed, so a new app
    needs no entry here."""
    packages = sorted(
        path.parent
        for path in Path().glob("*/__init__.py")
        if path.parent.name not in NOT_COPIED
    )
    settings = config()
    settings.source_paths = packages
    settings.resolved_mutated_source_paths = [
        Path.cwd() / "mutants" / package for package in packages
    ]


def forget_stale_test_map() -> None:
    """mutmut maps functions to tests once, and afterwards only traces new
    tests: a mutated module changed since then (a merge) would keep the map of
    its old functions, and its mutants would run against the wrong tests. So
    the map is made again whenever a mutated module differs from the one it
    was made for (their digests are kept beside it)."""
    stats, made_for = Path("mutants/mutmut-stats.json"), Path(MAP_MADE_FOR)
    digests = {
        path: hashlib.sha256(Path(path).read_bytes()).hexdigest()
        for path in config().only_mutate
    }
    if stats.exists() and (
        not made_for.exists() or json.loads(made_for.read_text()) != digests
    ):
        stats.unlink()
    made_for.parent.mkdir(exist_ok=True)
    made_for.write_text(json.dumps(digests))


def main(argv: list[str]) -> int:
    if argv[:1] == ["report"]:
        return 0 if report.print_report() else 1
    if argv[:1] == ["retest"]:
        argv = ["run", *argv[1:], *report.survivors()]
    table = tomllib.loads(Path("pyproject.toml").read_text())
    decorators.install(table["tool"]["mutation"].get("functions", {}))
    copy_every_app()
    forget_stale_test_map()
    try:
        cli.main(argv, prog_name="mutmut", standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            return int(exc.code) if isinstance(exc.code, int) else 1
    if argv[:1] == ["run"]:
        print()
        report.print_report()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
