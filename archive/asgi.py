"""The site as gunicorn serves it (archive/serving.py), behind the slow-client guard.

Django's WSGI handler runs on a fixed pool of threads, and the guard (archive/workers.py)
lets a request in only once it has fully arrived.
"""

import os

from a2wsgi import WSGIMiddleware
from django.conf import settings
from django.core.wsgi import get_wsgi_application

from archive.workers import Guard

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
# One database connection per request in Django, so as many threads as the pool holds.
# Django's own ASGI handler starts a thread for every request instead, which costs half the
# throughput of a small page (archive/serving.py has the figures).
THREADS = settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]

application = Guard(WSGIMiddleware(get_wsgi_application(), workers=THREADS), concurrency=THREADS)
