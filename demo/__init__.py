"""The demo: the portal on embedded defaults with a seeded AAC simulator."""
