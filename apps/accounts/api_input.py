"""The API's request parsers: text Postgres cannot store is a 400, not a 500.

Its own module because DRF imports DEFAULT_PARSER_CLASSES while rest_framework.views is
still loading: this module must not import views (apps.accounts.api does).
"""

from rest_framework import parsers
from rest_framework.exceptions import ValidationError

# Input Postgres cannot store, refused before any view sees it. Postgres text cannot hold
# NUL (psycopg2 raises ValueError, jsonb a DataError: a 500), and a field without
# max_length would take a megabyte. DRF's CharField already refuses NUL, but JSONField
# contents, dict keys and anything a view reads from request.data directly do not go
# through it. So the one check is here, where every API request body is parsed
# (DEFAULT_PARSER_CLASSES): a 400 naming the field, before any view code runs and before
# anything is written. Serializers still set their own, tighter max_length. Query strings
# are not checked here: django-filter's fields refuse NUL already, and a view reading a
# parameter itself decides (reporting's order-id filter lets a NUL match nothing).

# Characters in any one string of a request body; generous: serializers cap their own
# fields far lower (a message template body at 20,000).
MAX_STRING_LENGTH = 100_000


def refuse_unstorable(data, where: str = "") -> None:
    """Raise a 400 ValidationError if a string anywhere in `data` has NUL or is too long."""
    problem = _first_unstorable(data, where)
    if problem is not None:
        path, message = problem
        raise ValidationError({path or "non_field_errors": [message]})


def _first_unstorable(data, path: str):
    if isinstance(data, str):
        if "\x00" in data:
            return path, "Text may not contain NUL (\\x00) characters."
        if len(data) > MAX_STRING_LENGTH:
            return path, f"Text may be at most {MAX_STRING_LENGTH:,} characters long."
        return None
    if hasattr(data, "lists"):  # QueryDict: form bodies
        data = {key: values for key, values in data.lists()}
    if isinstance(data, dict):
        for key, value in data.items():
            child = f"{path}.{key}" if path else str(key)
            found = _first_unstorable(key, child) if isinstance(key, str) else None
            found = found or _first_unstorable(value, child)
            if found:
                return found
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            found = _first_unstorable(value, f"{path}[{index}]" if path else f"[{index}]")
            if found:
                return found
    return None


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_unstorable(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_unstorable(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        refuse_unstorable(result.data)
        return result
