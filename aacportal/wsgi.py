"""WSGI entry point for production servers (gunicorn in the README)."""

import os

from django.core.wsgi import get_wsgi_application

from aacportal.startup import refuse_unless_configured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aacportal.settings")

refuse_unless_configured()
application = get_wsgi_application()
