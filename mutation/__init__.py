"""Mutation testing of the code where a wrong line loses tokens, data or access.

`make mutate` runs mutmut (configured in pyproject.toml, `[tool.mutmut]`) through
`python -m mutation`, which lets mutmut mutate the functions our two harmless
decorators wrap (`decorators`), gives each mutant's pytest session a database
file and caches of its own (`plugin`), and prints the kill rate per module
(`report`). Not part of CI: see the README's "Mutation testing" and
docs/mutation.md.
"""
