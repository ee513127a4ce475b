"""Fresh AAC access tokens of a connection, refreshed one at a time per connection.

AAC refresh tokens are single-use: two refreshes racing, or one whose answer is
lost, lock a connection out until someone pastes a new pair. So a refresh is
claim -> refresh outside any transaction -> guarded save (docs/reliability.md
rules 3-6). The modules, in the order they build on each other:

- `problems`: `TokenProblem`, what callers get when there is no usable token,
  and the one re-authorisation help text;
- `rows`: reading a connection's token row, and whether its token is usable
  (its region configured, its issuer the region's, not expired);
- `refresh`: one refresh under a held lease, its failures classified, and the
  guarded save of the new pair;
- `lease`: `fresh_access_token` and `force_refresh`, which take the lease (a
  conditional single-row UPDATE) or wait for whoever holds it;
- `pasted`: a pair someone pasted, checked (duplicates included) and stored;
  tokens wiped when they can no longer be trusted.

`refresh` and `pasted` are the only writers of the token columns.
"""
