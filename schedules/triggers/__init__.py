"""Plain words and next run times for AAC schedule triggers.

- `reader`: one item of a schedule's `triggers` read into a `Trigger` (its
  kind, words, cron and timezone), never raising;
- `cron`: cron expressions (AAC's modified cron, Quartz-style) read for the
  scheduler engine, and worded;
- `clock`: next runs on the wall clock of a timezone (with our rule for
  daylight-saving edges), and instants as AAC writes them.
"""
