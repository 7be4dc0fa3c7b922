"""Fuzz every API operation at length: the long run of tests/test_api_fuzz.py.

    DATABASE_URL=... .venv/bin/python bench/fuzz_api.py [--examples 300] [--seed 1]
                                                        [--only campaigns] [--keep]

Without DATABASE_URL the settings start the embedded Postgres. A throwaway workspace
("API fuzz <time>") with an owner and a token is made, each operation gets the objects it
needs (the same SEEDERS as the test), and every operation is fuzzed through the WSGI app
(config/wsgi.py, no server) with --examples positive and --examples negative cases and
every schemathesis check. Each case runs in a savepoint that is rolled back; the workspace
itself is deleted at the end unless --keep. Prints, per operation, the cases run, the
statuses seen and the failures, then the totals; exits 1 if anything failed.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("MICROREACH_DEV", "true")

from django.db import transaction  # noqa: E402

import config.wsgi  # noqa: E402, F401  (loads Django as the server does)
from tests.test_api_fuzz import (  # noqa: E402
    KNOWN_FAILURES,
    api_operations,
    fuzz_operation,
    in_process_requests,
    make_world,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300, help="per mode and operation")
    parser.add_argument(
        "--seed", type=int, default=1, help="Hypothesis seed (same seed, same cases)"
    )
    parser.add_argument("--only", default="", help="only operations whose label contains this")
    parser.add_argument("--keep", action="store_true", help="keep the workspace afterwards")
    args = parser.parse_args()

    started = time.monotonic()
    operations = [op for op in api_operations() if args.only in op.label]
    total_cases = 0
    failures = []
    with transaction.atomic():
        world = make_world(email=f"fuzz-{int(time.time())}@bench.test")
        with in_process_requests():
            for operation in operations:
                t0 = time.monotonic()
                run = fuzz_operation(operation, world, examples=args.examples, seed=args.seed)
                total_cases += run.examples
                statuses = " ".join(f"{code}×{n}" for code, n in sorted(run.statuses.items()))
                known = (
                    "  (known: " + KNOWN_FAILURES[run.operation][:60] + "…)"
                    if (run.failures and run.operation in KNOWN_FAILURES)
                    else ""
                )
                print(
                    f"{run.operation:<55} {run.examples:>5} cases {time.monotonic() - t0:6.1f}s"
                    f"  {statuses}  failures: {len(run.failures)}{known}",
                    flush=True,
                )
                for note in run.notes:
                    print(f"    note: {note}")
                failures.extend(run.failures.values())
        if not args.keep:
            transaction.set_rollback(True)

    print()
    print(f"operations tested: {len(operations)}")
    print(f"cases run:         {total_cases} ({args.examples} per mode and operation)")
    print(f"failures:          {len(failures)}")
    print(f"time:              {time.monotonic() - started:.1f}s")
    for failure in failures:
        print()
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
