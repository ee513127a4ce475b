"""The sync: AAC's lists of one workspace copied into the cache, one run at a time.

One engine for every kind of AAC object the portal caches. The modules, in the
order they build on each other:

- `kinds`: what each kind is (what to list and count, how to parse one item,
  which model and key, whether what AAC stops listing is deleted);
- `runs`: the life of a `SyncRun` (claim, heartbeat, finish, expire);
- `apply`: the upsert of a kind's rows, written per database vendor, and the
  transaction that applies a whole fetch;
- `fetch`: reading a kind's pages through `call_aac`, checking that the read
  was consistent, and spooling what changed to a temporary file;
- `engine`: `sync_workspace`, which runs one `SyncRun` from claim to finish.

Every failure before the apply's transaction commits leaves the last good
cache as it was, and the run says why (docs/reliability.md rule 9). The retry
policy is the task's (`schedules.retry`), not the engine's.
"""
