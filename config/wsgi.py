import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def freeze_startup_objects() -> None:
    """Move everything loaded so far out of the garbage collector's reach.

    Why: the modules, models, URL patterns and settings loaded at start-up (~150k objects)
    live as long as the process, yet every full collection walks them all again. With
    big pages (a board of 500 cards) full collections come every dozen requests and
    took ~50 ms each, the p95 of bench/board.py; frozen, they only walk what requests
    made. This is `gc.freeze()` as the Python docs describe it for pre-fork servers
    (also used by Instagram): it changes no collection thresholds, reference counting
    still frees everything as usual, and the only cost is that a reference cycle among
    start-up objects would never be collected, which for objects kept for the life of
    the process does not matter. Runs here, at import, so it works in each gunicorn
    worker (the app loads after the fork) and in the master with --preload (just
    before the fork, which also keeps the shared pages from being copied).
    """
    _ = get_resolver().url_patterns  # import every view module now, so they are frozen too
    gc.collect()  # do not freeze garbage
    gc.freeze()


freeze_startup_objects()
