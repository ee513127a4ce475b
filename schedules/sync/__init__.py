"""The sync: AAC's lists of one workspace copied into the cache, one run at a time.

One engine for every kind of AAC object the portal caches, listed through
every connection of the workspace. The modules, in the order they build on
each other:

- `kinds`: what each kind is (what to list and count, how to parse one item,
  which model and key, whether what AAC stops listing is deleted);
- `runs`: the life of a `SyncRun` (claim, heartbeat, finish, expire);
- `upsert`: the upsert of a kind's rows, written per database vendor;
- `fetch`: reading a kind's pages through one connection with `call_aac`,
  checking that the read was consistent, and spooling what changed to a
  temporary file;
- `apply`: the union of what the working connections listed, each row's
  `seen_by`, and the transaction that writes it all;
- `engine`: `sync_workspace`, which runs one `SyncRun` from claim to finish.

Every failure before the apply's transaction commits leaves the last good
cache as it was, and the run says why (docs/reliability.md rule 9); a
connection that fails changes nothing of what it saw. The retry policy is the
task's (`schedules.retry`), not the engine's.
"""
