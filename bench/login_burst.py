"""A burst of wrong logins against a served app, and the latency of a page asked for meanwhile.

    python bench/login_burst.py http://localhost:5006 [wrong_logins] [parallel]

Prints the p50/p95/max of GET /login sampled every 50 ms during the burst, and the burst's length.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def wrong_login(url: str, n: int) -> int:
    data = urllib.parse.urlencode({"username": f"inconnu{n}", "password": "mauvais"}).encode()
    try:
        with urllib.request.urlopen(url + "/login", data=data, timeout=60) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def main(url: str, count: int = 20, parallel: int = 10) -> None:
    done = threading.Event()
    samples: list[float] = []

    def sample() -> None:
        while not done.is_set():
            start = time.perf_counter()
            urllib.request.urlopen(url + "/login", timeout=60).read()
            samples.append(time.perf_counter() - start)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        statuses = list(pool.map(lambda n: wrong_login(url, n), range(count)))
    burst = time.perf_counter() - start
    done.set()
    sampler.join()
    ms = sorted(1000 * s for s in samples)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    print(f"{count} wrong logins ({parallel} at once) in {burst:.2f} s; statuses {sorted(set(statuses))}")
    print(
        f"GET /login during the burst: {len(ms)} samples, p50 {statistics.median(ms):.0f} ms, "
        f"p95 {p95:.0f} ms, max {ms[-1]:.0f} ms"
    )


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:]))
