"""The JSON API for scripts and other tools, and the personal tokens it reads."""
