"""Crash safety: post cases to a running server, SIGKILL it mid-way, restart it, and prove that every case that
was answered 201 is there, that repeating the unanswered requests with their idempotency keys makes no
duplicates, and that the audit chain is intact.

Runs against a database of its own on the same server the suite uses (an SQLite file, or a new PostgreSQL
database when FENGQIAO_DATABASE_URL points at PostgreSQL), with the demo's web server (gunicorn).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
POSTS = 1500
KILL_AFTER = 600
THREADS = 6
GUNICORN = ["-c", str(ROOT / "gunicorn.conf.py"), "--log-level", "error"]  # as scripts/demo.sh runs it


@pytest.fixture
def database_url():
    url = os.environ.get("FENGQIAO_DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = f"fq_crash_{uuid.uuid4().hex[:8]}"
        parts = urlsplit(url)
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        yield urlunsplit(parts._replace(path=f"/{name}"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/crash.sqlite3"


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def shell(env: dict, code: str) -> str:
    """The last line a `manage.py shell -c` printed (Django's shell may announce its imports first)."""
    return manage(env, "shell", "--no-imports", "-c", code).strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "fengqiao.wsgi", "-b", f"127.0.0.1:{port}", *GUNICORN],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group: SIGKILL reaches the master and every worker
    )
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("the server did not come up")


def test_every_answered_case_survives_a_sigkill(database_url):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fengqiao.settings",
        "FENGQIAO_DATABASE_URL": database_url,
        "FENGQIAO_DEBUG": "0",
        "FENGQIAO_ALLOWED_HOSTS": "127.0.0.1",
        "FENGQIAO_DEMO_RESIDENTS": "0",  # the registry's residents are not what this test is about
    }
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo", "--grids", "60", "--communities", "30", "--history-days", "0", "-v0")
    key = manage(env, "api_client", "create", "crash test", "--per-minute", "1000000").strip().splitlines()[-1]
    points, category = json.loads(
        shell(
            env,
            "import json;from territory.models import Grid;from cases.models import Category;"
            "print(json.dumps([list(Grid.objects.values_list('centroid_lon','centroid_lat')),"
            "Category.objects.filter(children__isnull=True).order_by('code').first().code]))",
        )
    )

    port = free_port()
    server = start_server(env, port)
    answered: dict[str, str] = {}  # idempotency key → tracking number, for every 201
    unanswered: list[str] = []
    lock, counter, killed = threading.Lock(), iter(range(POSTS)), threading.Event()

    def body(n: int) -> bytes:
        lon, lat = points[n % len(points)]
        text = {"description": f"崩溃测试 {n}", "category_code": category, "lon": lon, "lat": lat}
        return json.dumps({**text, "idempotency_key": f"crash-{n}"}).encode()

    def poster() -> None:
        conn = None
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            try:
                conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("POST", "/api/v1/cases", body(n), {"X-Api-Key": key, "Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
                ok = response.status == 201
            except (OSError, http.client.HTTPException):
                conn, ok = None, False
            with lock:
                if ok:
                    answered[f"crash-{n}"] = json.loads(data)["tracking_no"]
                    if len(answered) == KILL_AFTER and not killed.is_set():
                        killed.set()
                        os.killpg(server.pid, signal.SIGKILL)
                else:
                    unanswered.append(f"crash-{n}")
            if killed.is_set() and not ok:
                time.sleep(0.01)

    threads = [threading.Thread(target=poster) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.wait(10)
    assert killed.is_set() and server.returncode == -signal.SIGKILL
    assert len(answered) >= KILL_AFTER and unanswered, (len(answered), len(unanswered))

    # Restart, and resend what was never answered, with the same idempotency keys.
    server = start_server(env, port)
    resend = iter(unanswered)
    statuses: list[int] = []

    def resender() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                idem = next(resend, None)
            if idem is None:
                return
            n = int(idem.split("-")[1])
            conn.request("POST", "/api/v1/cases", body(n), {"X-Api-Key": key, "Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            with lock:
                statuses.append(response.status)

    try:
        threads = [threading.Thread(target=resender) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(statuses) == len(unanswered) and set(statuses) <= {200, 201}, set(statuses)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)

    stored = json.loads(
        shell(
            env,
            "import json;from cases.models import Case;"
            "print(json.dumps(dict(Case.objects.values_list('idempotency_key','tracking_no'))))",
        )
    )
    missing = {k: v for k, v in answered.items() if stored.get(k) != v}
    assert not missing, f"{len(missing)} cases answered 201 are gone, e.g. {list(missing.items())[:3]}"
    assert len(stored) == POSTS  # every request made exactly one case, resent or not
    assert "audit trail intact" in manage(env, "audit_verify")
