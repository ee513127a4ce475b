#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

Every command checks the configuration first (docs/reliability.md rule 13),
including those Django runs without its system checks (`shell`, `dbshell`).
"""

import os
import sys

from django.core.management import execute_from_command_line

from aacportal.startup import refuse_unless_configured


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aacportal.settings")
    refuse_unless_configured()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
