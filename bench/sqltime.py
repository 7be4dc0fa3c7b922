"""The SQL a block of code runs, each statement timed to the microsecond.

Why not Django's CaptureQueriesContext: it rounds each query's time to the millisecond
(it keeps "%.3f" seconds), so a page of eight 0.3 ms queries reads as 0 ms of SQL and one
of 0.6 ms as 1 ms. The benches compare page time with SQL time, which needs better.
The time is the client's wait in cursor.execute(): Postgres's work plus the round trip
(psycopg2 has the whole result by then); turning rows into Python objects is not in it.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection


@dataclass
class SqlLog:
    queries: list[tuple[float, str]] = field(default_factory=list)  # (ms, SQL with its values)

    def __len__(self) -> int:
        return len(self.queries)

    @property
    def ms(self) -> float:
        return sum(ms for ms, _ in self.queries)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = 1000 * (time.perf_counter() - started)
            cursor = context["cursor"]
            self.queries.append((ms, connection.ops.last_executed_query(cursor, sql, params)))


@contextmanager
def timed_sql() -> Iterator[SqlLog]:
    log = SqlLog()
    with connection.execute_wrapper(log):
        yield log
