"""WSGI entry point for gunicorn or any other WSGI server: ``paperfeed.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

from paperfeed.core.file_modes import restrict_umask

# Whatever umask the WSGI server was started with, files written from here on (the database
# and its -wal/-shm, the secret key, the vector index) are for this user only.
restrict_umask()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")

application = get_wsgi_application()
