"""ASGI entry point, for servers that prefer it."""

import os

from django.core.asgi import get_asgi_application

from aacportal.startup import refuse_unless_configured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aacportal.settings")

refuse_unless_configured()
application = get_asgi_application()
