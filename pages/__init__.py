"""The portal's HTML: every page and button, and the view-models behind them.

Like healthchecks' hc/front it has no models: it reads the cache through
`schedules.queries` and asks `workspaces.access` who may see and operate what.
`views/` holds one module per page or button family; `cards`, `charts` and
`tables` turn data into what the templates (in templates/pages/) show.
"""
