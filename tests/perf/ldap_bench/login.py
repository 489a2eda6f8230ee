"""`python -m tests.perf.ldap_bench.login N USERS PASSWORD`: N directory logins of random users through Serambi's
backend (search + user bind + group lookup + provisioning), printing p50/p95/max in milliseconds."""

import os
import random
import statistics
import sys
import time

import django


def main(n: int, users: int, password: str) -> None:
    from intranet.accounts.ldap.backend import DirectoryBackend

    backend = DirectoryBackend()
    rng = random.Random(7)  # noqa: S311 - benchmark sampling
    timings = []
    for _ in range(n):
        username = f"u{rng.randrange(users):05d}"
        t0 = time.perf_counter()
        user = backend.authenticate(None, username=username, password=password)
        timings.append((time.perf_counter() - t0) * 1000)
        assert user is not None, username
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"LOGIN n={n} p50={statistics.median(timings):.1f} p95={p95:.1f} max={timings[-1]:.1f}")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")
    django.setup()
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
