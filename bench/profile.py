"""Where a page's CPU goes: per-request process time of the bench pages, and a cProfile of one.

    python -m bench.profile                       # every GET page of bench.run: CPU ms per request
    python -m bench.profile --only "my work"      # the pages whose name contains this
    python -m bench.profile --only "audit trail first" --profile 30   # + a pstats top 30
    python -m bench.profile --sort tottime --profile 40 --only library
    python -m bench.profile --only inventory --profile 10 --callers "trans_real.py.*gettext"
    python -m bench.profile --only "my work" --nodes 25   # the template tags that cost the most

Run it against the bench database with the settings of `make bench` (DATABASE_URL, SECRET_KEY,
ALLOWED_HOSTS as in the Makefile's BENCH_ENV): DEBUG off, the production middleware, context
processors and cached template loader. Each persona is signed in with Django's test client and
each page requested through the whole middleware stack (as behind the TLS proxy), warmed up,
then timed with `time.process_time()` (CPU of this process only: the database server's time is
not in it) and `time.perf_counter()` (wall, includes waiting for PostgreSQL). Medians of --rounds;
"render" is the CPU of the outermost template renders (the rest is middleware, the view, the
ORM's Python side).

Unlike bench.run it does not call setup_test_environment(): the test renderer's
`template_rendered` signal would add its own cost to every template rendered. On a shared
machine wall time is noise; CPU time and call counts are what to compare before and after a
change.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import statistics
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="pages whose name contains this (case-insensitive)")
    parser.add_argument("--rounds", type=int, default=20, help="timed requests per page (median)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print a pstats top N per page")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime, ncalls)")
    parser.add_argument("--callers", default="", metavar="REGEX", help="with --profile: who calls these functions")
    parser.add_argument("--callees", default="", metavar="REGEX", help="with --profile: what these functions call")
    parser.add_argument("--nodes", type=int, default=0, metavar="N", help="the N template tags with most self CPU")
    parser.add_argument("--all", action="store_true", help="also the pages bench.run does not load at 8 clients")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    from bench.run import FORWARDED, build_pages, persona_clients

    if settings.DEBUG:
        print("warning: DEBUG is on; production runs with it off", file=sys.stderr)
    client_for = persona_clients()
    render_cpu = _time_template_rendering()
    # As each gunicorn worker does (config/gunicorn.conf.py): what is loaded by now is frozen, so
    # a full collection over it does not land, 100 ms at a time, in whichever call allocates.
    gc.collect()
    gc.freeze()
    pages = [p for p in build_pages(client_for) if p.method == "get" and (p.load or args.all or args.only)]
    if args.only:
        pages = [p for p in pages if args.only.lower() in p.name.lower()]
    print(f"{'page':<42} {'status':>6} {'cpu ms':>8} {'render':>8} {'wall ms':>8} {'KB':>6}")
    for page in pages:
        client = client_for(page.persona)
        for _ in range(args.warmup):
            response = client.get(page.path, **FORWARDED)
        cpu, wall, render = [], [], []
        for _ in range(args.rounds):
            render_cpu[0] = 0.0
            c0, w0 = time.process_time(), time.perf_counter()
            response = client.get(page.path, **FORWARDED)
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
            render.append(render_cpu[0] * 1000)
        print(
            f"{page.name:<42} {response.status_code:>6} {statistics.median(cpu):8.1f} "
            f"{statistics.median(render):8.1f} {statistics.median(wall):8.1f} {len(response.content) / 1024:6.0f}",
            flush=True,
        )
        if args.nodes:
            _print_nodes(partial(client.get, page.path, **FORWARDED), args.nodes)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(5):
                client.get(page.path, **FORWARDED)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.strip_dirs().sort_stats(args.sort).print_stats(args.profile)
            if args.callers:
                stats.print_callers(args.callers)
            if args.callees:
                stats.print_callees(args.callees)
            print(f"--- {page.name}: 5 requests ---")
            print(out.getvalue())
    return 0


def _time_template_rendering() -> list[float]:
    """Count the CPU time spent rendering templates (outermost render only) in a one-item list:
    the "render" column; the rest of "cpu" is middleware, the view and its queries' Python side."""
    from django.template.backends.django import Template

    total, depth = [0.0], [0]
    original = Template.render

    def render(self, context=None, request=None):
        depth[0] += 1
        start = time.process_time()
        try:
            return original(self, context, request)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                total[0] += time.process_time() - start

    Template.render = render  # type: ignore[method-assign]
    return total


def _print_nodes(get, top: int, requests: int = 5) -> None:
    """Self CPU time per template tag or variable (by template and line) over a few requests."""
    from django.template.base import Node

    original = Node.render_annotated
    totals: dict[tuple[str, int, str], list[float]] = {}
    stack: list[float] = []  # children's time of each open node

    def timed(self, context):
        stack.append(0.0)
        start = time.process_time()
        try:
            return original(self, context)
        finally:
            spent = time.process_time() - start
            children = stack.pop()
            token = getattr(self, "token", None)
            origin = getattr(self, "origin", None)
            key = (
                getattr(origin, "template_name", None) or "?",
                token.lineno if token else 0,
                (token.contents[:60] if token else type(self).__name__),
            )
            entry = totals.setdefault(key, [0.0, 0])
            entry[0] += spent - children
            entry[1] += 1
            if stack:
                stack[-1] += spent

    Node.render_annotated = timed  # type: ignore[method-assign]
    try:
        for _ in range(requests):
            get()
    finally:
        Node.render_annotated = original  # type: ignore[method-assign]
    print(f"--- template nodes, self CPU ms per request (of {requests}) ---")
    for (name, line, text), (spent, calls) in sorted(totals.items(), key=lambda kv: -kv[1][0])[:top]:
        print(f"{spent / requests * 1000:7.2f} {calls // requests:6d}×  {name}:{line}  {text}")


if __name__ == "__main__":
    sys.exit(main())
