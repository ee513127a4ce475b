"""A clock the test moves by hand, for the simulator's `clock` option."""


class Clock:
    """Epoch seconds that change only when the test says so."""

    def __init__(self, now: float = 1_750_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
