"""Measure the main pages of the bench organisation, each as the persona who uses it.

    python -m bench.run            # make bench: PostgreSQL, gunicorn, wrk at 1 and 8 clients
    python -m bench.run --smoke    # make bench-smoke: in-process only, query budgets only

For every page: the queries it runs (Django test client + CaptureQueriesContext, in process),
the floor (the page's captured SQL replayed alone), and, in the full run, p50/p95 at one client
(wrk -c1, median of 3 runs after a warm-up) and throughput and p95 at 8 clients (wrk -c8), against
gunicorn started with config/gunicorn.conf.py on loopback. POSTs (a questionnaire save, a status
change, confirming a 400-item plan) are timed in process, each inside a transaction that is rolled
back, so the data set stays the same from run to run. Efficiency = floor / p50.

Results go to bench/results/<timestamp>.json and .md (and latest.*); each page is compared with
bench/budgets.toml and the run exits 1 naming every page over budget.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
FORWARDED = {"HTTP_X_FORWARDED_PROTO": "https"}  # as behind the production TLS proxy


# --- pages ------------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    persona: str | None  # None: anonymous
    path: str
    method: str = "get"
    data: dict | None = None  # POST data
    load: bool = False  # also measured at 8 clients
    smoke: bool = False  # part of make bench-smoke
    ok: tuple = (200,)


@dataclass
class Result:
    name: str
    persona: str | None
    path: str
    method: str
    status: int = 0
    queries: int = 0
    floor_ms: float = 0.0
    inproc_p50_ms: float = 0.0
    inproc_p95_ms: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    rps_8: float | None = None
    p95_8_ms: float | None = None
    errors_8: int | None = None
    efficiency: float | None = None
    over_budget: list[str] = field(default_factory=list)


class FormReader(HTMLParser):
    """The fields a browser would post from the forms of a page (inputs, selects, textareas)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select = self._textarea = None
        self._first_option = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get"), "data": {}})
            return
        if not self.forms:
            return
        data = self.forms[-1]["data"]
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    data.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select, self._first_option = name, None
            data.setdefault(name, [])
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                data[self._select].append(value)
        elif tag == "textarea" and name:
            self._textarea = name
            data[name] = [""]

    def handle_data(self, text):
        if self._textarea and self.forms:
            self.forms[-1]["data"][self._textarea][-1] += text

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            data = self.forms[-1]["data"]
            if not data[self._select] and self._first_option is not None:
                data[self._select].append(self._first_option)
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_data(html: str, action: str) -> dict[str, list[str]]:
    reader = FormReader()
    reader.feed(html)
    for form in reader.forms:
        if form["method"].lower() == "post" and (form["action"] in ("", action) or form["action"].endswith(action)):
            return form["data"]
    raise LookupError(f"no POST form for {action}")


def build_pages(client_for) -> list[Page]:
    """The pages and the objects they show, looked up in the bench organisation."""
    from django.db.models import Count
    from django.urls import reverse

    from accounts.models import Organisation, Team
    from assessments.models import Assessment, AssessmentStatus, AssignmentStatus, ControlAssignment
    from audit.models import AuditEvent
    from bench.seed import BENCH_SLUG, FLAGSHIP, PLANNING
    from governance.models import AISystem

    org = Organisation.objects.get(slug=BENCH_SLUG)
    slug = org.slug

    def url(name, **kwargs):
        return reverse(name, kwargs={"org_slug": slug, **kwargs})

    flagship = AISystem.objects.get(organisation=org, name=FLAGSHIP)
    planning = Assessment.objects.get(ai_system__organisation=org, ai_system__name=PLANNING, status="draft")
    working = Assessment.objects.filter(organisation=org, status=AssessmentStatus.IN_PROGRESS).exclude(
        ai_system=flagship
    )[0]
    member_team = Team.objects.filter(organisation=org, members__username="bench-member").order_by("pk")[0]
    startable = ControlAssignment.objects.filter(
        organisation=org, owner_team=member_team, status=AssignmentStatus.NOT_STARTED, retired_at__isnull=True
    ).order_by("pk")[0]
    busy_team = Team.objects.filter(organisation=org).annotate(n=Count("owned_assignments")).order_by("-n", "pk")[0]
    middle = AuditEvent.objects.filter(organisation=org).order_by("-seq").values_list("seq", flat=True)[0] // 2
    long_ago = (dt.date.today() - dt.timedelta(days=500)).isoformat()
    week_later = (dt.date.today() - dt.timedelta(days=493)).isoformat()
    systems, work = url("governance:system_list"), url("assessments:work_list")
    section = url("assessments:assessment_section", pk=planning.pk, section="purpose")
    plan = url("assessments:assessment_plan", pk=planning.pk)
    act = url("assessments:assignment_act", pk=startable.pk)

    def posted(persona, page_url, post_url, change=None):
        response = client_for(persona).get(page_url, **FORWARDED)
        data = form_data(response.content.decode(), post_url)
        data.update(change or {})
        return data

    pages = [
        Page("healthz", None, "/healthz", smoke=True),
        Page("inventory first page", "bench-lead", systems, load=True, smoke=True),
        Page("inventory deep page", "bench-lead", systems + "?page=15", load=True),
        Page(
            "inventory filtered and sorted",
            "bench-lead",
            systems + "?exposure=public&lifecycle_stage=production&sort=-tier",
            load=True,
        ),
        Page("system overview", "bench-lead", url("governance:system_detail", pk=flagship.pk), load=True),
        Page(
            "system Controls tab (400 rows)",
            "bench-member",
            url("assessments:system_controls", pk=flagship.pk),
            smoke=True,
        ),
        Page("control plan (400 items)", "bench-lead", plan, smoke=True),
        Page("My work", "bench-member", work, load=True, smoke=True),
        Page("My work, all statuses by due date", "bench-member", work + "?status=&sort=due", load=True),
        Page("My work, page 20", "bench-member", work + "?page=20", load=True),
        Page("assessment list", "bench-lead", url("assessments:assessment_list"), load=True, smoke=True),
        Page("assessment detail", "bench-lead", url("assessments:assessment_detail", pk=working.pk), load=True),
        Page("questionnaire section", "bench-lead", section),
        Page("assignment detail", "bench-member", url("assessments:assignment_detail", pk=startable.pk), load=True),
        Page("library", "bench-member", url("governance:control_list"), load=True, smoke=True),
        Page("crosswalk", "bench-member", url("governance:crosswalk"), load=True),
        Page("triage", "bench-member", url("governance:triage"), load=True),
        Page("team list", "bench-lead", url("accounts:team_list"), load=True),
        Page("team detail (busiest team)", "bench-lead", url("accounts:team_detail", pk=busy_team.pk), load=True),
        Page("audit trail first page", "bench-auditor", url("audit:event_list"), load=True, smoke=True),
        Page("audit trail deep page", "bench-auditor", url("audit:event_list") + f"?before={middle}", load=True),
        Page(
            "audit trail, rare action",
            "bench-auditor",
            url("audit:event_list") + "?action=accounts.organisation",
            load=True,
        ),
        Page(
            "audit trail, a week long ago",
            "bench-auditor",
            url("audit:event_list") + f"?since={long_ago}&until={week_later}",
            load=True,
        ),
        # The auditor's landing page: every system's gates and readiness, trends from snapshots.
        Page("readiness dashboard", "bench-auditor", url("readiness:dashboard"), load=True, smoke=True),
        Page("framework coverage", "bench-auditor", url("readiness:coverage"), load=True),
        Page("risk register", "bench-lead", url("risks:register"), load=True, smoke=True),
        Page("incidents", "bench-lead", url("incidents:incident_list"), load=True, smoke=True),
        Page("components (organisation)", "bench-lead", url("components:component_list"), load=True),
        Page("alignment reviews", "bench-lead", url("alignment:review_list"), load=True),
        Page("IR plans", "bench-lead", url("response:plan_list"), load=True),
        Page("statement of applicability", "bench-lead", url("regulatory:soa"), load=True),
    ]
    pages += [
        Page(
            "questionnaire save",
            "bench-lead",
            section,
            method="post",
            data=posted("bench-lead", section, section, {"intended_use": ["Answers triage requests; bench save."]}),
            ok=(302,),
        ),
        Page(
            "status change (start work)",
            "bench-member",
            act,
            method="post",
            data={"action": "start", "version": str(startable.version), "text": ""},
            ok=(302,),
            smoke=True,
        ),
        Page(
            "confirm the 400-item plan",
            "bench-lead",
            plan,
            method="post",
            data=posted("bench-lead", plan, plan),
            ok=(302,),
        ),
    ]
    return pages


# --- in-process measurement -------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def request(client, page: Page):
    from django.db import transaction

    if page.method == "get":
        return client.get(page.path, **FORWARDED)
    with transaction.atomic():  # the change is measured, then undone
        response = client.post(page.path, page.data, **FORWARDED)
        transaction.set_rollback(True)
    return response


def replay_ms(statements: list[str], rounds: int) -> float:
    """The page's SQL alone: the captured statements replayed on a raw cursor (median of rounds)."""
    from django.db import connection, transaction

    control = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")
    statements = [s for s in statements if not s.upper().startswith(control)]
    times = []
    for _ in range(rounds):
        with transaction.atomic():  # writes (a POST's) are undone after each round
            raw = connection.cursor().cursor
            start = time.perf_counter()
            for sql in statements:
                raw.execute(sql)
                if raw.description is not None:
                    raw.fetchall()
            times.append((time.perf_counter() - start) * 1000)
            transaction.set_rollback(True)
    return statistics.median(times)


def measure_in_process(pages: list[Page], client_for, rounds: int) -> list[Result]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = []
    for page in pages:
        client = client_for(page.persona)
        for _ in range(2):  # warm-up: caches, the session's first write
            request(client, page)
        with CaptureQueriesContext(connection) as ctx:
            response = request(client, page)
        sql = [q["sql"] for q in ctx.captured_queries]  # now: the next request resets the log
        result = Result(page.name, page.persona, page.path, page.method, response.status_code, len(sql))
        if response.status_code not in page.ok:
            result.over_budget.append(f"answered {response.status_code}, expected {page.ok}")
        times = []
        # GET pages are timed through gunicorn in the full run; in process they get a few rounds.
        for _ in range(rounds if page.method == "post" else max(3, rounds // 4)):
            start = time.perf_counter()
            request(client, page)
            times.append((time.perf_counter() - start) * 1000)
        result.inproc_p50_ms = round(statistics.median(times), 1)
        result.inproc_p95_ms = round(percentile(times, 95), 1)
        try:
            result.floor_ms = round(replay_ms(sql, max(3, rounds // 2)), 2)
        except Exception as exc:  # a statement that cannot run alone: report, do not fail
            print(f"  floor of {page.name}: replay failed ({exc.__class__.__name__})", file=sys.stderr)
        print(
            f"  {page.name:<40} {result.status} {result.queries:>3} queries  in-process p50 "
            f"{result.inproc_p50_ms:7.1f} ms  floor {result.floor_ms:6.2f} ms",
            flush=True,
        )
        results.append(result)
    return results


# --- HTTP measurement (gunicorn + wrk) --------------------------------------------------------

WRK_SCRIPT = """
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE") or ""
wrk.headers["X-Forwarded-Proto"] = "https"
done = function(s, lat, req)
  io.write(string.format('RESULT {"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "errors": %d}\\n',
    s.requests, s.duration / 1e6, lat:percentile(50) / 1e3, lat:percentile(95) / 1e3,
    s.errors.status + s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout))
end
"""


class Server:
    """gunicorn with the production config, bound to loopback; stopped by its own pid."""

    def __init__(self, port: int):
        self.port = port
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}"}
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        self.proc = subprocess.Popen(
            [gunicorn, "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:  # nosec B310 (a fixed http URL on loopback)
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not start; see {self.log.name}")

    def worker_peak_rss_mb(self) -> float:
        """Peak resident memory (VmHWM) of the busiest worker."""
        peak = 0
        for child in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split():
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        return round(peak / 1024, 1)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wrk(url: str, cookie: str, clients: int, seconds: int, script: str) -> dict:
    env = {**os.environ, "BENCH_COOKIE": cookie}
    out = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s", "-s", script, url],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    data = json.loads(line[len("RESULT ") :])
    data["rps"] = data["requests"] / data["seconds"] if data["seconds"] else 0.0
    return data


def measure_http(pages, results, client_for, port: int, seconds: int, runs: int) -> float:
    from django.conf import settings

    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: `apt-get install wrk` (Debian/Ubuntu) or `brew install wrk` (macOS).")
    script = Path(tempfile.mkstemp(prefix="bench-", suffix=".lua")[1])
    script.write_text(WRK_SCRIPT)
    server = Server(port)
    try:
        for page, result in zip(pages, results, strict=True):
            if page.method != "get":
                continue
            cookie = ""
            if page.persona:
                session = client_for(page.persona).cookies[settings.SESSION_COOKIE_NAME].value
                cookie = f"{settings.SESSION_COOKIE_NAME}={session}"
            url = f"http://127.0.0.1:{port}{page.path}"
            check = urllib.request.Request(url, headers={"Cookie": cookie, "X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(check, timeout=30) as response:  # nosec B310 (fixed http URL on loopback); a redirect to login fails here
                if response.status != 200 or response.url != url:
                    result.over_budget.append(f"gunicorn answered {response.status} at {response.url}")
                    continue
            wrk(url, cookie, 1, 1, str(script))  # warm-up
            one = [wrk(url, cookie, 1, seconds, str(script)) for _ in range(runs)]
            result.p50_ms = round(statistics.median(r["p50"] for r in one), 1)
            result.p95_ms = round(statistics.median(r["p95"] for r in one), 1)
            line = f"  {page.name:<40} c=1 p50 {result.p50_ms:7.1f} p95 {result.p95_ms:7.1f} ms"
            if page.load:
                eight = [wrk(url, cookie, 8, seconds, str(script)) for _ in range(runs)]
                result.rps_8 = round(statistics.median(r["rps"] for r in eight), 1)
                result.p95_8_ms = round(statistics.median(r["p95"] for r in eight), 1)
                result.errors_8 = sum(r["errors"] for r in eight)
                line += f"   c=8 {result.rps_8:6.1f} rps p95 {result.p95_8_ms:7.1f} ms"
            print(line, flush=True)
        return server.worker_peak_rss_mb()
    finally:
        server.stop()
        script.unlink(missing_ok=True)


# --- budgets and reports ----------------------------------------------------------------------


def check_budgets(results: list[Result], budgets: dict, smoke: bool) -> None:
    default = budgets.get("default", {})
    for result in results:
        budget = {**default, **budgets.get("pages", {}).get(result.name, {})}
        if result.queries > budget["queries"]:
            result.over_budget.append(f"{result.queries} queries > {budget['queries']}")
        if smoke:
            continue
        p50 = result.p50_ms if result.p50_ms is not None else result.inproc_p50_ms
        p95 = result.p95_ms if result.p95_ms is not None else result.inproc_p95_ms
        if p50:
            result.efficiency = round(min(result.floor_ms / p50, 1.0), 2)
        if p95 > budget["p95_ms"]:
            result.over_budget.append(f"p95 {p95} ms > {budget['p95_ms']} ms")
        if result.rps_8 is not None and "rps_8" in budget:
            if result.rps_8 < budget["rps_8"]:
                result.over_budget.append(f"{result.rps_8} rps at 8 clients < {budget['rps_8']}")
            if result.p95_8_ms > budget["p95_8_ms"]:
                result.over_budget.append(f"p95 at 8 clients {result.p95_8_ms} ms > {budget['p95_8_ms']} ms")
            if result.errors_8:
                result.over_budget.append(f"{result.errors_8} errors at 8 clients")


def markdown(results: list[Result], meta: dict) -> str:
    def cell(value, fmt="{:.1f}"):
        return "–" if value is None else fmt.format(value)

    lines = [
        f"# Bench {meta['mode']} run, {meta['started']}",
        "",
        f"Database {meta['database']}, scale {meta['scale']}, commit {meta['commit']}, {meta['cpus']} CPUs."
        + (f" Worker peak RSS {meta['worker_peak_rss_mb']} MB." if meta.get("worker_peak_rss_mb") else ""),
        "",
        "| page | persona | queries | floor ms | p50 ms | p95 ms | rps @8 | p95 @8 ms | efficiency | budget |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in results:
        p50 = r.p50_ms if r.p50_ms is not None else r.inproc_p50_ms
        p95 = r.p95_ms if r.p95_ms is not None else r.inproc_p95_ms
        where = "" if r.p50_ms is not None or meta["mode"] == "smoke" else " ¹"
        lines.append(
            f"| {r.name} | {r.persona or 'anonymous'} | {r.queries} | {r.floor_ms:.2f} | {cell(p50)}{where} | "
            f"{cell(p95)}{where} | {cell(r.rps_8)} | {cell(r.p95_8_ms)} | {cell(r.efficiency, '{:.2f}')} | "
            f"{'; '.join(r.over_budget) or 'ok'} |"
        )
    if meta["mode"] != "smoke":
        lines += ["", "¹ POST, timed in process inside a rolled-back transaction (not through gunicorn)."]
    return "\n".join(lines) + "\n"


def persona_clients():
    """`client_for(persona)`: a test client signed in as the persona (None: anonymous), one each."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.models import Organisation
    from bench.seed import BENCH_SLUG

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if not Organisation.objects.filter(slug=BENCH_SLUG).exists():
        raise SystemExit("No bench organisation: run `manage.py seed_bench --scale S` first.")
    clients: dict[str | None, Client] = {}

    def client_for(persona):
        if persona not in clients:
            clients[persona] = Client()
            if persona:
                clients[persona].force_login(get_user_model().objects.get(username=persona))
                # The first visit stores the organisation in the session; done here, so a POST
                # measured in a rolled-back transaction does not write the session every time.
                clients[persona].get(f"/o/{BENCH_SLUG}/", **FORWARDED)
        return clients[persona]

    return client_for


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="in-process query budgets only (CI)")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "4")))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=None, help="in-process timings per page")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8765")))
    parser.add_argument("--only", default="", help="measure only pages whose name contains this")
    parser.add_argument("--budgets", type=Path, default=BENCH_DIR / "budgets.toml")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from accounts.models import Organisation
    from bench.seed import BENCH_SLUG

    setup_test_environment()  # the test client's response.context; templates are unchanged
    client_for = persona_clients()
    pages = build_pages(client_for)
    if args.smoke:
        pages = [p for p in pages if p.smoke]
    if args.only:
        pages = [p for p in pages if args.only.lower() in p.name.lower()]
    rounds = args.rounds or (3 if args.smoke else 20)
    print(f"Measuring {len(pages)} pages in process ({rounds} rounds each)…", flush=True)
    results = measure_in_process(pages, client_for, rounds)
    from audit.models import AuditEvent

    org = Organisation.objects.get(slug=BENCH_SLUG)
    meta = {
        "mode": "smoke" if args.smoke else "full",
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "database": connection.vendor,
        "scale": round(AuditEvent.objects.filter(organisation=org).count() / 1_000_000, 3),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "cpus": os.cpu_count(),
    }
    if not args.smoke:
        print(f"Measuring GET pages through gunicorn with wrk ({args.runs} × {args.seconds} s)…", flush=True)
        meta["worker_peak_rss_mb"] = measure_http(pages, results, client_for, args.port, args.seconds, args.runs)
    budgets = tomllib.loads(args.budgets.read_text())
    check_budgets(results, budgets, args.smoke)
    rss_budget = budgets.get("worker", {}).get("peak_rss_mb")
    failures = [r for r in results if r.over_budget]
    rss_over = bool(rss_budget and meta.get("worker_peak_rss_mb", 0) > rss_budget)

    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    prefix = "smoke" if args.smoke else "bench"
    payload = json.dumps({"meta": meta, "pages": [asdict(r) for r in results]}, indent=2)
    table = markdown(results, meta)
    for name in (f"{prefix}-{stamp}", f"{prefix}-latest"):
        (args.out / f"{name}.json").write_text(payload)
        (args.out / f"{name}.md").write_text(table)
    print(table)
    for r in failures:
        print(f"OVER BUDGET: {r.name}: {'; '.join(r.over_budget)}", file=sys.stderr)
    if rss_over:
        print(f"OVER BUDGET: worker peak RSS {meta['worker_peak_rss_mb']} MB > {rss_budget} MB", file=sys.stderr)
    return 1 if failures or rss_over else 0


if __name__ == "__main__":
    sys.exit(main())
