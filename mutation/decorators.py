"""Let mutmut mutate functions wrapped by `sensitive_variables` or a functools cache.

mutmut 3 leaves every decorated function alone, because copying a decorator
can have side effects (a route registered twice, a signal receiver connected
once per mutant). The token code marks nearly every function with Django's
`@sensitive_variables()`, and next-run computation is memoised with
`@lru_cache`: left alone, the paths this exists for would not be tested.
These decorators only wrap, so the trampoline mutmut writes keeps them on the
outside. The copies it switches between (the original and each mutant) keep
`sensitive_variables` (they hold the tokens) but not the caches: one cache,
the trampoline's, which `cache_clear()` empties and which `plugin` empties
before each mutant's session.

Some modules matter for a few of their functions only (the CSV export of the
schedules table, beside its filters and sorting): `[tool.mutation.functions]`
in pyproject.toml names them, and the rest of such a module is left alone.
"""

import libcst as cst
from mutmut.mutation import file_mutation

CACHES = frozenset({"lru_cache", "cache"})
WRAPPING_DECORATORS = CACHES | {"sensitive_variables"}


def _name(decorator: cst.Decorator) -> str | None:
    node = decorator.decorator
    if isinstance(node, cst.Call):
        node = node.func
    return node.value if isinstance(node, cst.Name) else None


def only_wrapping(node: cst.CSTNode) -> bool:
    """A function whose decorators all merely wrap it."""
    return (
        isinstance(node, cst.FunctionDef)
        and bool(node.decorators)
        and all(_name(d) in WRAPPING_DECORATORS for d in node.decorators)
    )


def _uncached(function: cst.FunctionDef) -> cst.FunctionDef:
    kept = [d for d in function.decorators if _name(d) not in CACHES]
    return function.with_changes(decorators=kept)


def install(functions: dict[str, list[str]]) -> None:
    """Patch mutmut: such a function is judged as if undecorated, and only its
    trampoline keeps the decorators; in a file `functions` names, only the
    functions it lists are mutated (`[tool.mutation.functions]`)."""
    visitor = file_mutation.MutationVisitor
    skip = visitor._skip_node_and_children
    arrange = file_mutation.function_trampoline_arrangement
    create = file_mutation.create_mutations

    def skip_unless_wrapping(self, node: cst.CSTNode) -> bool:
        if only_wrapping(node):
            return skip(self, node.with_changes(decorators=[]))
        return skip(self, node)

    def arrange_bare_copies(function, mutants, class_name):
        declarations, methods, assignments, names = arrange(
            function, mutants, class_name
        )
        if only_wrapping(function):
            trampoline, *copies = methods
            methods = [trampoline, *(_uncached(copy) for copy in copies)]
        return declarations, methods, assignments, names

    def create_in_listed_functions(filename, code, *args, **kwargs):
        module, mutations, *ignored = create(filename, code, *args, **kwargs)
        listed = functions.get(str(filename))
        if listed is not None:
            mutations = [m for m in mutations if _function_of(m) in listed]
        return module, mutations, *ignored

    visitor._skip_node_and_children = skip_unless_wrapping
    file_mutation.function_trampoline_arrangement = arrange_bare_copies
    file_mutation.create_mutations = create_in_listed_functions


def _function_of(mutation) -> str | None:
    """The name of the function (or method) a mutation is in; None outside one."""
    function = mutation.contained_by_top_level_function
    if isinstance(function, cst.FunctionDef):
        return function.name.value
    return None
