"""Latency of case creation over HTTP under a steady 200 requests/s (target: p99 < 50 ms).

Builds a throwaway database with the demo district, starts the web server as the demo runs it (gunicorn with
gunicorn.conf.py), and sends `POST /api/v1/cases` with an API key at a fixed rate from a bounded open-loop
load generator on the same machine: request i is due at start + i/rate, latency counts from that due time (so
a slow server cannot hide behind a slowed-down client), at most `--concurrency` requests are in flight. The
ceiling is the same load against `/healthz` (one SELECT 1 per request) in the same run: what the server and
the machine cost before any case work.

    .venv/bin/python benchmarks/api_latency.py --seconds 30
    FENGQIAO_DATABASE_URL=postgres://root@127.0.0.1:5432/fq_bench .venv/bin/python benchmarks/api_latency.py
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from _common import ROOT, db_vendor, demo_database, emit

TARGET_P99_MS = 50


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    demo_database()
    from django.db import connection

    key, bodies = prepare(int(args.rate * args.seconds) + 200)
    connection.close()
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "fengqiao.wsgi",
            "-c",
            "gunicorn.conf.py",
            "-b",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env={**os.environ, "FENGQIAO_DEBUG": "0", "FENGQIAO_ALLOWED_HOSTS": "127.0.0.1"},
    )
    try:
        wait_up(port)
        db = db_vendor()
        run(port, "GET", "/healthz", [None] * 200, {}, args.rate, args.concurrency)  # warm up both workers
        floor = run(port, "GET", "/healthz", [None] * int(args.rate * args.seconds), {}, args.rate, args.concurrency)
        headers = {"X-Api-Key": key, "Content-Type": "application/json"}
        run(port, "POST", "/api/v1/cases", bodies[:200], headers, args.rate, args.concurrency)
        cases = run(port, "POST", "/api/v1/cases", bodies[200:], headers, args.rate, args.concurrency)
    finally:
        server.terminate()
        server.wait(10)
    bad = [s for s in cases["statuses"] if s != 201]
    for name in ("p50", "p99"):
        emit(
            "api_latency",
            f"create_case_{name}_ms",
            cases[name],
            "ms",
            target=f"< {TARGET_P99_MS}" if name == "p99" else None,
            ceiling=floor[name],
            db=db,
        )
    emit("api_latency", "achieved_rate", cases["rate"], "req/s", target=args.rate, ceiling=floor["rate"], db=db)
    emit("api_latency", "non_201", len(bad), "responses", target=0, ceiling=None, db=db)
    if bad:
        print(f"unexpected statuses: {sorted(set(bad))}", file=sys.stderr)


def prepare(n: int) -> tuple[str, list[bytes]]:
    from core.actions import do_create_api_client
    from territory.models import Grid

    _client, key = do_create_api_client(
        "latency benchmark", "department_system", acting_user="benchmark", requests_per_minute=10**6
    )
    from cases.models import Category

    leaves = list(Category.objects.filter(children__isnull=True).values_list("code", flat=True))
    grids = list(Grid.objects.values_list("centroid_lon", "centroid_lat"))
    rng = np.random.default_rng(2)
    bodies = []
    for i in range(n):
        lon, lat = grids[int(rng.integers(len(grids)))]
        bodies.append(
            json.dumps(
                {
                    "description": f"系统推送事件 {i}：路面破损",
                    "category_code": leaves[int(rng.integers(len(leaves)))],
                    "lon": lon,
                    "lat": lat,
                    "idempotency_key": f"lat-{i}",
                },
                ensure_ascii=False,
            ).encode()
        )
    return key, bodies


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(port: int) -> None:
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not come up")


def run(port: int, method: str, path: str, bodies: list, headers: dict, rate: float, concurrency: int) -> dict:
    """Open loop: request i is due at t0 + i/rate; latency from due time to the full response."""
    local = threading.local()
    latencies = [0.0] * len(bodies)
    statuses = [0] * len(bodies)

    def one(i: int, due: float) -> None:
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(method, path, body=bodies[i], headers=headers)
            response = conn.getresponse()
            response.read()
            statuses[i] = response.status
        except (OSError, http.client.HTTPException):
            local.conn = None
            statuses[i] = -1
        latencies[i] = time.perf_counter() - due

    t0 = time.perf_counter() + 0.2
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for i in range(len(bodies)):
            due = t0 + i / rate
            while time.perf_counter() < due - 0.05:  # submit just before due: bounded queue, open loop
                time.sleep(0.005)
            pool.submit(one, i, due)
    elapsed = time.perf_counter() - t0
    ms = np.array(latencies) * 1000
    return {
        "p50": float(np.percentile(ms, 50)),
        "p99": float(np.percentile(ms, 99)),
        "rate": len(bodies) / elapsed,
        "statuses": statuses,
    }


if __name__ == "__main__":
    main()
