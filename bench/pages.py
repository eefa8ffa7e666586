"""Page latency over a large seeded centre, served the way production serves it.

Seeds a scratch database with `seed_demo --learners 2000`, starts gunicorn (DEBUG off) on a
free loopback port, and measures the median and 95th-percentile latency of the heaviest pages,
each as a ratio to a trivial page served by the same server in the same run. Machines here are
noisy; only the ratios mean anything.

    .venv/bin/python bench/pages.py [--learners 2000] [--requests 30]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TARGETS = {
    "cohort dashboard": 3,
    "learner portfolio": 3,
    "tracking matrix": 3,
    "centre overview": 10,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def sessions(env: dict[str, str]) -> dict[str, str]:
    """Session cookies and URLs for the people whose pages are measured, made in the database."""
    script = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.models import User
from cohorts.models import Cohort
from demo.large_centre import LARGE_CENTRE, large_centre_email
from portfolio.models import Portfolio

def cookie(email):
    user = User.objects.get(email=email)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "accounts.backends.EmailBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key

tutor = User.objects.get(email=large_centre_email("tutor"))
cohort = Cohort.objects.filter(tutors=tutor).order_by("pk").first()
busiest = Portfolio.objects.filter(centre__name=LARGE_CENTRE).order_by("-pk").first()
print(json.dumps({
    "tutor": cookie(tutor.email),
    "admin": cookie(large_centre_email("admin")),
    "assessor": cookie(large_centre_email("assessor")),
    "learner": cookie(busiest.learner.email),
    "cohort": cohort.pk,
    "cohort_size": cohort.portfolios.count(),
    "portfolio": busiest.pk,
}))
"""
    import json

    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


def measure(port: int, path: str, cookie: str | None, count: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    times = []
    for attempt in range(count + 3):
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
        if attempt >= 3:  # the first requests warm the worker's caches
            times.append(elapsed)
    connection.close()
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    options = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    database = scratch / "db.sqlite3"
    base_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    # One secret for seeding and serving, so sessions made while seeding are valid.
    base_env |= {
        "VAR_DIR": str(scratch),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "bench-only-" + "k" * 50,
    }
    seed_env = base_env | {"DEBUG": "true"}
    serve_env = base_env | {
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{database}",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
    }
    server = None
    try:
        started = time.monotonic()
        manage(seed_env, "migrate", "--no-input", "-v0")
        manage(seed_env, "load_qualifications")
        manage(seed_env, "seed_demo", "--learners", str(options.learners))
        manage(serve_env, "collectstatic", "--no-input", "-v0")
        print(f"Seeded {options.learners} learners in {time.monotonic() - started:.0f} s")
        people = sessions(seed_env)
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],
            env=serve_env,
            cwd=ROOT,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        cohort, portfolio = people["cohort"], people["portfolio"]
        pages = [
            ("trivial page (sign-in form)", "/sign-in/", None),
            (
                f"cohort dashboard ({people['cohort_size']} learners)",
                f"/cohorts/{cohort}/",
                "tutor",
            ),
            ("unit heatmap", f"/cohorts/{cohort}/heatmap/", "tutor"),
            (f"centre overview ({options.learners} learners)", "/overview/", "admin"),
            ("assessor queue", "/assess/", "assessor"),
            ("learner portfolio", f"/portfolios/{portfolio}/", "learner"),
            ("tracking matrix", f"/portfolios/{portfolio}/matrix/", "learner"),
        ]
        results = []
        for label, path, who in pages:
            times = measure(port, path, people[who] if who else None, options.requests)
            results.append((label, statistics.median(times), p95(times)))
        trivial = results[0][1]
        print(f"\n{'page':44} {'median ms':>10} {'p95 ms':>8} {'ratio':>7}  target")
        for label, median, high in results:
            ratio = median / trivial
            target = next((t for name, t in TARGETS.items() if label.startswith(name)), None)
            verdict = (
                "" if target is None else f"≤ {target}×  {'PASS' if ratio <= target else 'MISS'}"
            )
            print(f"{label:44} {median * 1000:10.1f} {high * 1000:8.1f} {ratio:6.1f}×  {verdict}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if options.keep:
            print(f"Scratch directory kept at {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
