"""Mixed load against gunicorn on a throwaway PostgreSQL, with faults: `make load`.

`python -m bench.load` builds a site of its own (a PostgreSQL cluster in a temporary
directory, the seeds plus generated works, gunicorn as in production on 127.0.0.1), drives
bench/locustfile.py at it, then runs bench/faults.py's database restart and killed import,
and bench/hostile_run.py's slow clients and hostile uploads, and appends dated sections to
bench/RESULTS.md. The shared development and system
PostgreSQL servers are never touched.

Settings (environment): LOAD_SECONDS (60), LOAD_READ_RPS (20), LOAD_POST_RPS (1),
LOAD_READERS (16), LOAD_AUTHORS (4), LOAD_WORKS (2000), LOAD_WORKERS (gunicorn workers, 3),
LOAD_FAULT_SECONDS (40), LOAD_DOWN_SECONDS (10), LOAD_IMPORT_FILES (300),
LOAD_HOSTILE_SECONDS (25), LOAD_NOTE (a line added to the sections, e.g. about the machine).
"""

import json
import math
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode
from urllib.request import urlopen

from bench.cluster import Cluster, free_port, postgres_bindirs, wait_for

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "RESULTS.md"
HOST = "127.0.0.1"
DATABASE = "archive_load"
KINDS = ["chapter", "full work", "tag listing", "filtered listing", "search", "post"]
# Environment variables of the surrounding shell that would point a child elsewhere.
FOREIGN_SETTINGS = ("DATABASE_URL", "ARCHIVE_DB_NAME", "ARCHIVE_DATA_DIR", "REDIS_URL")


def locust_program():
    """The locust executable beside this Python, or None when the bench extra is missing."""
    candidate = Path(sys.executable).parent / "locust"
    return str(candidate) if candidate.exists() else shutil.which("locust")


class Site:
    """A throwaway PostgreSQL cluster, a migrated database with data, and gunicorn in front.

    `start()` builds it all; `close()` stops gunicorn and deletes the cluster. The site runs
    in production mode (bench.settings: DJANGO_DEBUG=0, a random SECRET_KEY, no rate limit,
    plain HTTP on the loopback), as bench/run.sh does.
    """

    def __init__(self, *, bindir=None, works=2000, authors=4, workers=3, seed=1):
        bindirs = [bindir] if bindir else postgres_bindirs()
        if not bindirs:
            raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl) found")
        self.bindir = bindirs[0]
        self.works = works
        self.authors = authors
        self.workers = workers
        self.seed = seed
        self.cluster = None
        self.gunicorn = None
        self.port = None
        self.targets = None

    @property
    def base_url(self):
        return f"http://{HOST}:{self.port}"

    def env(self, **extra):
        env = {key: value for key, value in os.environ.items() if key not in FOREIGN_SETTINGS}
        env.update(
            DATABASE_URL=self.cluster.url(DATABASE),
            DJANGO_SETTINGS_MODULE="bench.settings",
            DJANGO_DEBUG="0",
            SECURE_SSL_REDIRECT="0",
            SECRET_KEY=self.secret_key,
            BENCH_STATIC_ROOT=str(self.cluster.root / "static"),
            DOWNLOADS_DIR=str(self.cluster.root / "downloads"),
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def manage(self, *args, check=True, **kwargs):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=self.env(),
            check=check, capture_output=True, text=True, **kwargs,
        )  # fmt: skip

    def shell(self, code, *, stdin=""):
        """Run Python in `manage.py shell` against the site's database; what it printed."""
        return self.manage("shell", "--verbosity", "0", "-c", code, input=stdin).stdout

    def start(self):
        self.secret_key = "load-" + secrets.token_hex(24)
        self.cluster = Cluster(self.bindir)
        self.cluster.start()
        self.cluster.create_database(DATABASE)
        self.manage("migrate", "--noinput", "--verbosity", "0")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.manage("import_seeds", "--verbosity", "0")
        if self.works:
            self.manage(
                "generate_works", "--works", str(self.works), "--seed", str(self.seed),
                "--verbosity", "0",
            )  # fmt: skip
        self.targets = json.loads(
            self.shell(f"from bench.load import prepare; prepare(authors={self.authors})")
        )
        self.start_gunicorn()
        return self

    def start_gunicorn(self):
        self.port = free_port()
        self.gunicorn_log = open(self.cluster.root / "gunicorn.log", "ab")  # noqa: SIM115
        self.gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:archive.serving"],
            cwd=BASE_DIR,
            env=self.env(BIND=f"{HOST}:{self.port}", WEB_CONCURRENCY=str(self.workers)),
            stdout=self.gunicorn_log,
            stderr=subprocess.STDOUT,
        )
        if not wait_for(self._answers, timeout=30):
            raise RuntimeError(f"gunicorn did not answer on {self.base_url}: {self.log_tail()}")

    def _answers(self):
        try:
            with urlopen(f"{self.base_url}/hello", timeout=2) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    def log_tail(self, lines=40):
        path = self.cluster.root / "gunicorn.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def close(self):
        try:
            if self.gunicorn is not None and self.gunicorn.poll() is None:
                self.gunicorn.send_signal(signal.SIGTERM)
                try:
                    self.gunicorn.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.gunicorn.kill()
                    self.gunicorn.wait()
            if self.gunicorn is not None:
                self.gunicorn_log.close()
        finally:
            if self.cluster is not None:
                self.cluster.remove()

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc_info):
        self.close()

    def run_locust(self, *, seconds, read_rps, post_rps, readers, authors, run, during=None):
        """Drive the scenario for `seconds`; call `during()` meanwhile. The request records."""
        program = locust_program()
        if program is None:
            raise RuntimeError("locust is not installed (pip install -e '.[bench]')")
        directory = self.cluster.root
        targets = directory / "targets.json"
        targets.write_text(json.dumps(self.targets))
        log = directory / f"requests-{run}.jsonl"
        log.unlink(missing_ok=True)
        users = readers + authors
        env = self.env(
            LOAD_TARGETS=str(targets), LOAD_LOG=str(log), LOAD_RUN=run,
            LOAD_READ_RPS=str(read_rps), LOAD_POST_RPS=str(post_rps),
            LOAD_READERS=str(readers), LOAD_AUTHORS=str(authors),
        )  # fmt: skip
        with open(directory / f"locust-{run}.log", "wb") as output:
            process = subprocess.Popen(
                [
                    program, "-f", str(BASE_DIR / "bench" / "locustfile.py"), "--headless",
                    "--host", self.base_url, "--users", str(users), "--spawn-rate", str(users),
                    "--run-time", f"{seconds}s", "--stop-timeout", "10", "--only-summary",
                    "--exit-code-on-error", "0", "--loglevel", "WARNING",
                ],
                cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                if during is not None:
                    during()
                # Bounded: the run time, locust's stop timeout and a margin.
                process.wait(timeout=seconds + 60)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        if process.returncode != 0:
            tail = (directory / f"locust-{run}.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"locust exited with {process.returncode}: {tail}")
        return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def prepare(*, authors):
    """Print the scenario's targets as JSON (run in `manage.py shell` on the site's database):
    readable works and their chapters, tag pages, filters, searches, and author accounts."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from accounts.services import default_pseud
    from tags.models import Tag, TagKind
    from works.models import Work

    works = list(
        Work.objects.filter(posted=True, restricted=False)
        .order_by("?")
        .values_list("pk", flat=True)[:300]
    )
    chapters = {}
    for work in Work.objects.filter(pk__in=works).prefetch_related("chapters"):
        chapters[work.pk] = [chapter.pk for chapter in work.chapters.all()]
    fandoms = list(
        Tag.objects.filter(kind=TagKind.FANDOM)
        .exclude(name__contains=",")
        .order_by("-work_count", "id")[:20]
    )
    rating = Tag.objects.filter(kind=TagKind.RATING, name="Teen And Up Audiences").first()
    filters = []
    for fandom in fandoms[:10]:
        query = {"tag_id": fandom.name, "work_search[complete]": "T"}
        if rating is not None:
            query["include_work_search[rating_ids][]"] = rating.pk
        filters.append(f"/works?{urlencode(query)}")
    words = ["lantern", "river", "storm", "harbor", "mirror", "garden"]
    password = secrets.token_urlsafe(16)
    hashed = make_password(password)  # once: the real hasher is slow on purpose
    names = []
    for number in range(1, authors + 1):
        name = f"load_author_{number}"
        user, _ = get_user_model().objects.update_or_create(
            username=name, defaults={"password": hashed, "email": f"{name}@example.org"}
        )
        default_pseud(user)
        names.append(name)
    print(
        json.dumps(
            {
                "works": [{"id": pk, "chapters": chapters[pk]} for pk in works if chapters[pk]],
                "tag_pages": [f"/tags/{quote(f.name, safe='')}/works" for f in fandoms],
                "filters": filters,
                "searches": [
                    f"/works/search?{urlencode({'work_search[query]': w})}" for w in words
                ],
                "fandoms": [fandom.name for fandom in fandoms[:10]] or ["Lighthouse Tales"],
                "authors": names,
                "password": password,
            }
        )
    )


def percentile(values, share):
    """The nearest-rank percentile (share in 0..100) of `values`; None for none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


def summarize(records, seconds):
    """Per request kind (and in total): requests, rps, p50/p95/max ms and status counts."""
    rows = {}
    for kind in [*KINDS, "total"]:
        chosen = [r for r in records if kind == "total" or r["kind"] == kind]
        if not chosen:
            continue
        times = [r["ms"] for r in chosen]
        rows[kind] = {
            "requests": len(chosen),
            "rps": len(chosen) / seconds,
            "p50_ms": percentile(times, 50),
            "p95_ms": percentile(times, 95),
            "max_ms": max(times),
            "5xx": sum(1 for r in chosen if r["status"] >= 500),
            "errors": sum(1 for r in chosen if not r["status"]),
            "4xx": sum(1 for r in chosen if 400 <= r["status"] < 500),
        }
    return rows


def measured_records(records, *, since):
    """Only the scenario's requests (not logins) started at or after `since`."""
    return [r for r in records if r["kind"] in KINDS and r["t"] >= since]


def machine_lines():
    cpu = "unknown CPU"
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1048576:.1f} GiB memory"
    except OSError:
        pass
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(["git", "diff", "--quiet"], cwd=BASE_DIR, capture_output=True).returncode
    dirty = dirty == 1
    return [
        f"- Machine: {os.cpu_count()} CPUs ({cpu}){memory}; load average at the end {load}",
        f"- Code: {commit or 'unknown'}{' with uncommitted changes' if dirty else ''};"
        f" Python {platform.python_version()}",
    ]


def _ms(value):
    return "" if value is None else f"{value:.1f}"


def load_table(rows):
    lines = [
        "| kind | requests | requests/s | p50 ms | p95 ms | max ms | 5xx | 4xx | socket errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, row in rows.items():
        lines.append(
            f"| {kind} | {row['requests']} | {row['rps']:.1f} | {_ms(row['p50_ms'])} |"
            f" {_ms(row['p95_ms'])} | {_ms(row['max_ms'])} | {row['5xx']} | {row['4xx']} |"
            f" {row['errors']} |"
        )
    return lines


def setting(name, default, kind=int):
    return kind(os.environ.get(name, default))


def main():
    from bench import faults, hostile_run

    seconds = setting("LOAD_SECONDS", 60)
    # What the quiet 2-core machine sustained (bench/RESULTS.md, 2026-11-28 22:59).
    read_rps = setting("LOAD_READ_RPS", 20, float)
    post_rps = setting("LOAD_POST_RPS", 1, float)
    readers = setting("LOAD_READERS", 16)
    authors = setting("LOAD_AUTHORS", 4)
    works = setting("LOAD_WORKS", 2000)
    workers = setting("LOAD_WORKERS", 3)
    fault_seconds = setting("LOAD_FAULT_SECONDS", 40)
    down_seconds = setting("LOAD_DOWN_SECONDS", 10)
    import_files = setting("LOAD_IMPORT_FILES", 300)
    hostile_seconds = setting("LOAD_HOSTILE_SECONDS", 25, float)
    note = os.environ.get("LOAD_NOTE", "")
    rates = {"read_rps": read_rps, "post_rps": post_rps, "readers": readers, "authors": authors}

    print(f"== Site: {works} generated works plus the seeds, {workers} gunicorn workers")
    with Site(works=works, authors=authors, workers=workers) as site:
        print(f"PostgreSQL {site.cluster.version} in {site.cluster.root}, {site.base_url}")
        site.run_locust(seconds=5, run="warmup", **rates)

        print(f"== Load: {read_rps:g} reads/s and {post_rps:g} posts/s for {seconds} s")
        started = time.time()
        records = site.run_locust(seconds=seconds, run="load", **rates)
        rows = summarize(measured_records(records, since=started), seconds)
        print("\n".join(load_table(rows)))
        posts = faults.verify_posts(site, run="load")
        print(f"posts: {json.dumps(posts)}")

        print(f"== Fault: PostgreSQL stopped {down_seconds} s during {fault_seconds} s of load")
        restart = faults.restart_during_load(
            site, seconds=fault_seconds, down_at=10, down_for=down_seconds, **rates
        )
        print(json.dumps(restart["summary"], indent=1))

        print(f"== Killed import: {import_files} seed files")
        killed = faults.kill_import(site, files=import_files, kill_after=import_files // 3)
        print(json.dumps(killed, indent=1))

        print(f"== Hostile: slow clients and the worst uploads for {hostile_seconds:g} s")
        hostile = hostile_run.run(site, seconds=hostile_seconds)
        print("\n".join(hostile_run.summary_lines(hostile)))
        version = site.cluster.version
        figures = {
            "load": rows, "posts": posts, "restart": restart["summary"], "import": killed,
        }  # fmt: skip

    section = results_section(
        figures,
        version=version,
        seconds=seconds,
        works=works,
        workers=workers,
        fault_seconds=fault_seconds,
        down_seconds=down_seconds,
        **rates,
    )
    if note:
        section.insert(2, f"- Note: {note}")
    with open(RESULTS, "a") as results:
        results.write("\n" + "\n".join(section) + "\n")
    hostile_run.append_section(
        hostile_run.section(hostile, version=version, workers=workers, works=works, note=note)
    )
    print(f"Appended to {RESULTS.relative_to(BASE_DIR)}")
    failures = faults.problems(figures) + hostile_run.problems(hostile)
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


def results_section(figures, *, version, seconds, works, workers, fault_seconds, down_seconds,
                    read_rps, post_rps, readers, authors):  # fmt: skip
    from bench import faults

    rows, posts = figures["load"], figures["posts"]
    restart, killed = figures["restart"], figures["import"]
    total = rows.get("total", {})
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"## {when}: mixed load and faults (`make load`)",
        "",
        *machine_lines(),
        f"- Server: gunicorn (archive.serving), {workers} asyncio workers, DJANGO_DEBUG=0, on"
        f" {HOST}; PostgreSQL {version}, a throwaway cluster in a temporary directory",
        f"- Data: {works} generated works (seed 1) plus the seeds",
        f"- Load: locust (bench/locustfile.py), {readers} readers aiming at {read_rps:g}"
        f" requests/s in all (chapter 4 : full work 1 : tag listing 2 : filtered listing 1 :"
        f" search 1) and {authors} logged-in authors aiming at {post_rps:g} posts/s, for"
        f" {seconds} s after a 5 s warm-up",
        "",
        *load_table(rows),
        "",
        f"Load: {total.get('requests', 0)} requests, {total.get('rps', 0):.1f} requests/s,"
        f" {total.get('5xx', 0)} answered 5xx. Posts: {posts['acknowledged']} acknowledged,"
        f" {posts['lost']} lost, {posts['partial']} half-written, {posts['duplicates']}"
        " duplicated.",
        "",
        f"Database restart (`pg_ctl stop -m fast`, {down_seconds} s down, then `pg_ctl start`)"
        f" during {fault_seconds} s of the same load:",
        "",
        *faults.restart_lines(restart),
        "",
        f"Killed import: `import_seeds` on {killed['files']} generated seed files, SIGKILLed"
        f" after {killed['imported_before_kill']} had been reported imported; the rerun"
        f' exited {killed["rerun_exit"]} with "{killed["rerun_summary"]}"; in the database'
        f" {killed['stored_once']} of {killed['files']} files' works exist exactly once,"
        f" {killed['missing']} missing, {killed['partial']} half-written.",
    ]


if __name__ == "__main__":
    sys.exit(main())
