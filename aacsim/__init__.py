"""A simulated Alteryx Analytics Cloud for tests and demos (Django-free).

`Simulator` holds the state (workspaces, people, schedules, plans, flows,
workflows, their runs, tokens, faults, stats);
`aacsim.server.serve` puts it behind real HTTP listeners and
`aacsim.responses_adapter.mount` behind `responses` callbacks.
"""

from aacsim.faults import Fault
from aacsim.state import Simulator
from aacsim.tokens import TokenPair

__all__ = ["Fault", "Simulator", "TokenPair"]
