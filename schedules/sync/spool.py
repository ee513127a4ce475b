"""Pages of rows to write, kept in a temporary file between the fetch and the apply."""

import pickle
import tempfile
from collections.abc import Iterator


class Spool:
    """Memory holds one page at a time, whatever the workspace's size.

    Pickle is safe here: the file is private to this process, created and
    read back by it alone.
    """

    def __enter__(self) -> "Spool":
        self.file = tempfile.TemporaryFile()
        self.pages = 0
        return self

    def __exit__(self, *exc_info) -> None:
        self.file.close()

    def reset(self) -> None:
        self.file.seek(0)
        self.file.truncate()
        self.pages = 0

    def write(self, page: list[tuple]) -> None:
        pickle.dump(page, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.pages += 1

    def __iter__(self) -> Iterator[list[tuple]]:
        self.file.seek(0)
        for _ in range(self.pages):
            yield pickle.load(self.file)  # noqa: S301 - our own file, see above
