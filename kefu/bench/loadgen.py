"""A small threaded HTTP load generator (keep-alive connections, one per thread).

Python, not C: it shares the machine's cores with the server, as ``wrk`` would, but every
benchmark it drives is compared to a floor measured with the same generator in the same run,
so the ratios hold.
"""

import http.client
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    def summary(self, prefix: str = "") -> dict:
        return {
            f"{prefix}requests": self.requests,
            f"{prefix}errors": self.errors,
            f"{prefix}rps": round(self.rps, 1),
            f"{prefix}p50_ms": round(self.percentile(50), 2),
            f"{prefix}p95_ms": round(self.percentile(95), 2),
            f"{prefix}mean_ms": round(statistics.fmean(self.latencies_ms), 2)
            if self.latencies_ms
            else 0.0,
        }


RequestFactory = Callable[[int, int], tuple[str, str, bytes | None, dict[str, str]]]


def run_load(
    *,
    host: str,
    port: int,
    make_request: RequestFactory,
    duration: float,
    concurrency: int,
    expect: tuple[int, ...] = (200, 201),
    max_requests: int | None = None,
) -> LoadResult:
    """Send requests from ``concurrency`` threads for ``duration`` seconds.

    ``make_request(thread, n)`` returns ``(method, path, body, headers)`` for the thread's
    ``n``-th request. A response outside ``expect`` counts as an error (and its status is
    tallied), so a broken endpoint cannot look fast.
    """
    result = LoadResult()
    lock = threading.Lock()
    start_gate = threading.Barrier(concurrency + 1)
    stop_at = [0.0]

    def worker(thread: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        errors = done = 0
        start_gate.wait()
        n = 0
        while time.perf_counter() < stop_at[0]:
            if max_requests is not None and n >= max_requests:
                break
            method, path, body, headers = make_request(thread, n)
            n += 1
            began = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection(host, port, timeout=60)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=60)
                status = 0
            latencies.append((time.perf_counter() - began) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            done += 1
            if status not in expect:
                errors += 1
        connection.close()
        with lock:
            result.requests += done
            result.errors += errors
            result.latencies_ms.extend(latencies)
            for status, count in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + count

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + duration
    start_gate.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result


def one_after_another(
    server, path: str, headers: dict[str, str], requests: int, *, warmup: int = 5
) -> tuple[LoadResult, LoadResult]:
    """GET ``path`` ``warmup`` times, then ``requests`` times, one request at a time (how a
    page's latency is measured); return both runs (warm-up, measured)."""

    def make(thread, n):
        return "GET", path, None, headers

    common = {"host": server.host, "port": server.port, "make_request": make, "concurrency": 1}
    warm = run_load(**common, duration=60, max_requests=warmup, expect=(200,))
    result = run_load(**common, duration=120, max_requests=requests, expect=(200,))
    return warm, result
