"""The activity log (bottom layer): `record(...)` writes a row, pages read them."""
