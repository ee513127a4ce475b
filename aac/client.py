"""The AAC HTTP client: one method per remote call, typed errors, no Django.

`AACClient` is the sum of the API families, each a module of its own, over
one transport (`aac.transport`) that owns timeouts, retries, error mapping
and token hygiene. Every method names its endpoint in its docstring.
"""

from aac.flows import FlowCalls
from aac.people import PeopleCalls
from aac.plans import PlanCalls
from aac.runs import RunCalls
from aac.schedules import ScheduleCalls
from aac.tokens import TokenCalls
from aac.workflows import WorkflowCalls
from aac.workspaces import WorkspaceCalls


class AACClient(
    WorkspaceCalls,
    ScheduleCalls,
    PeopleCalls,
    PlanCalls,
    FlowCalls,
    WorkflowCalls,
    RunCalls,
    TokenCalls,
):
    """A client for one AAC workspace's token, in one region."""
