"""WSGI entry point: ``flask --app app …`` and ``gunicorn app:app``."""

from caseman import create_app, freeze_long_lived

app = create_app()
freeze_long_lived()  # everything built so far lives as long as the process
