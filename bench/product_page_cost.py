"""What one product page costs in-process: SQL statements and milliseconds per request (issue #3).

Calls the WSGI application directly (no server, no wrk) in the production profile on the 100k
catalogue of ``search_catalog.py`` (run that once first), for

* a **new** visitor without cookies — what ``wrk`` is — and
* a **returning** guest who sends back the cookies of their first visit, and one who also has a
  session (a cart or a favourite made one: their page is built per request),

and prints statements in the response and after it (``request_finished``: the recording), the
wall and CPU milliseconds per request, the Redis queue left and the load average. ``--profile``
adds a cProfile listing of the cookieless requests. A busy machine inflates the milliseconds much
more than the statement counts: compare at a similar load.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from http.cookies import SimpleCookie

from common import load_average, manage, production_env
from search_catalog import DB_URL, REDIS_URL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400, help="requests per kind of visitor")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of new visitors")
    args = parser.parse_args()
    env = production_env(tempfile.mkdtemp(prefix="zizhu-bench-page-"), database_url=DB_URL, redis_url=REDIS_URL)
    manage(env, "collectstatic", "--noinput", "-v0")
    os.environ.update(env)
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from zizhu.catalog import recording
    from zizhu.catalog.models import Product

    slug = Product.objects.filter(is_active=True, name_zh__contains="手机").order_by("-sales_count")[0].slug
    app = WSGIHandler()
    statements = {"in": 0, "after": 0}
    phase = ["in"]

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements[phase[0]] += 1
        return execute(sql, params, many, context)

    def call(cookie: str = "") -> tuple[str, SimpleCookie]:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": f"/p/{slug}/", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
            "REMOTE_ADDR": "127.0.0.1", "wsgi.errors": sys.stderr, "HTTP_COOKIE": cookie,
        }  # fmt: skip
        seen: list[tuple[str, list[tuple[str, str]]]] = []
        phase[0] = "in"
        response = app(environ, lambda status, headers: seen.append((status, headers)))
        b"".join(response)
        phase[0] = "after"
        response.close()  # what the server does after sending: request_finished (the recording)
        jar: SimpleCookie = SimpleCookie()
        for name, value in seen[0][1]:
            if name.lower() == "set-cookie":
                jar.load(value)
        return seen[0][0], jar

    def run(label: str, cookies: list[str], profile: cProfile.Profile | None = None) -> None:
        statements.update({"in": 0, "after": 0})
        started, cpu = time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        with connection.execute_wrapper(count):
            for cookie in cookies:
                status, _jar = call(cookie)
                assert status.startswith("200"), status
        if profile:
            profile.disable()
        n = len(cookies)
        wall = (time.perf_counter() - started) / n * 1000
        print(
            f"{label:<28} {statements['in'] / n:>6.2f} {statements['after'] / n:>6.2f} "
            f"{wall:>8.2f} {(time.process_time() - cpu) / n * 1000:>8.2f}   load {load_average()}",
            flush=True,
        )

    for _warm in range(50):
        call()
    _status, jar = call()
    returning = "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())
    print(f"/p/{slug}/ — a first visit sets the cookies: {', '.join(sorted(jar)) or 'none'}")
    print(f"recording queue: {'on (Redis list, flushed in bulk)' if recording.enabled() else 'off (written at once)'}")
    print(f"{'visitor':<28} {'SQL in':>6} {'after':>6} {'wall ms':>8} {'CPU ms':>8}")
    from django.conf import settings
    from django.contrib.sessions.backends.cached_db import SessionStore

    session = SessionStore()
    session["catalog_guest_key"] = "bench-guest-with-a-session-0001"
    session.create()  # a guest who has a session (a cart, a favourite): the page is built per request
    with_session = f"{returning}; {settings.SESSION_COOKIE_NAME}={session.session_key}"
    run("new, no cookies", [""] * args.requests)
    run("returning guest (cookies)", [returning] * args.requests)
    run("returning guest with session", [with_session] * args.requests)
    run("new, no cookies (again)", [""] * args.requests)
    flushed_started = time.perf_counter()
    left = recording.pending()
    written = recording.flush(wait=True)
    if written:
        print(f"flush of the {left} queued requests left: {(time.perf_counter() - flushed_started) * 1000:.0f} ms")
    if args.profile:
        profile = cProfile.Profile()
        run("new, no cookies (cProfile)", [""] * args.requests, profile)
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(60)
        print(out.getvalue())
        recording.flush(wait=True)


if __name__ == "__main__":
    sys.exit(main())
