"""Acting on AAC from the portal: run now, enable and disable, maintenance windows."""
