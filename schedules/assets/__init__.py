"""Plans, flows and workflows, and the run history of all three.

`models` holds the cache (imported by `schedules.models`, so Django registers
it), `parse` reads AAC's items, `kinds` says how the one sync engine lists
them (the run history incrementally, `schedules.sync.incremental`), `rollups`
keeps what is worked out from the runs (each asset's last run and failure
streak, runs per hour), `queries` turns them into numbers for the pages, and
`prune` drops runs older than AAC_RUN_RETENTION_DAYS.
"""
