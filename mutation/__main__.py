"""`python -m mutation [mutmut arguments]`: mutmut with our decorators mutable.

`python -m mutation run --max-children 2` runs (or resumes) the mutation
tests, then prints the kill rate per module; `python -m mutation report`
prints it again; any other arguments go to mutmut as they are (`results`,
`show <mutant>`, `browse`).
"""

import sys

from mutmut.__main__ import cli

from mutation import decorators, report


def main(argv: list[str]) -> int:
    if argv[:1] == ["report"]:
        return 0 if report.print_report() else 1
    decorators.install()
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
