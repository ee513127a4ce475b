"""The demo: the portal on embedded defaults with a seeded AAC simulator."""

# The demo users' password, published in the README and printed by the banner.
DEMO_PASSWORD = "aacportal-demo"  # noqa: S105
