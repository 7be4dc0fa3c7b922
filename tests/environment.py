"""Loaded with `-p tests.environment` before Django reads its settings (see pyproject.toml).

The suite runs as a local install: plain HTTP, a throwaway secret key. DATABASE_URL
and REDIS_URL are left alone: unset, the settings start embedded servers.
"""

import os

os.environ.setdefault("MICROREACH_DEV", "true")
os.environ.setdefault("DEBUG", "false")
