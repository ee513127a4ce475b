"""The README shows only pictures that are committed, and every committed one
is shown (`make screenshots` writes them)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_picture_of_the_readme_is_committed_and_shown():
    readme = (ROOT / "README.md").read_text()
    shown = set(re.findall(r"\]\((docs/screenshots/[\w-]+\.png)\)", readme))
    committed = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "docs/screenshots").glob("*.png")
    }
    assert shown
    assert shown == committed
