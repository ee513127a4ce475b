"""The API's views, one module per family: workspaces and syncs, schedules,
assets and runs, connections, the tokens page."""
