"""Small Django-free helpers every app may use; nothing here imports the apps."""
