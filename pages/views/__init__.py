"""The portal's views, one module per page or button family.

Thin: they ask `workspaces.access` what the user may see or operate (404
outside it, 403 for a viewer's button), read data through `schedules.queries`
and the view-models beside them, and render templates/pages/. Every button is
a POST with CSRF and answers at once; the page's poller shows the progress.
"""
