"""The app for any WSGI server: `gunicorn wsgi:app`."""

from finder import create_app

app = create_app()
