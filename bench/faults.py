"""Fault runs on a bench.load.Site: PostgreSQL restarted under load, an import killed midway.

Each returns plain figures (dicts of numbers) that `make load` writes to bench/RESULTS.md
and tests/bench/test_faults.py asserts on. The checks of what the database holds run in
`manage.py shell` on the site's database (`check_posts`, `check_import`).
"""

import json
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

from bench.load import BASE_DIR, percentile

POST_RATING = "Teen And Up Audiences"
POST_WARNING = "No Archive Warnings Apply"
POST_CATEGORY = "Gen"
POST_FREEFORM = "Lighthouses"


def _success(record):
    return 200 <= record["status"] < 400


def _finished(record):
    return record["t"] + record["ms"] / 1000


def restart_during_load(site, *, seconds, down_at, down_for, while_down=None, **rates):
    """Stop PostgreSQL `down_at` s into a load run, start it `down_for` s later; the figures.

    `while_down`, when given, is called once the server has stopped.
    """
    marks = {}

    def restart():
        time.sleep(down_at)
        marks["stopping"] = time.time()
        site.cluster.stop("fast")
        marks["stopped"] = time.time()
        if while_down is not None:
            while_down()
        time.sleep(max(0.0, marks["stopped"] + down_for - time.time()))
        marks["starting"] = time.time()
        site.cluster.start()
        marks["ready"] = time.time()

    try:
        records = site.run_locust(seconds=seconds, run="restart", during=restart, **rates)
    finally:
        # Whatever went wrong, the site's server is left running for what comes next.
        if not site.cluster.running():
            site.cluster.start()
    summary = analyse_restart(records, marks)
    summary["posts"] = verify_posts(site, run="restart")
    return {"records": records, "marks": marks, "summary": summary}


def analyse_restart(records, marks):
    """What readers and authors saw before, while and after the server was down."""
    stopped, starting, ready = marks["stopped"], marks["starting"], marks["ready"]
    down = [r for r in records if stopped <= r["t"] < starting]
    in_flight = [r for r in records if r["t"] < stopped and _finished(r) > marks["stopping"]]
    after = sorted((r for r in records if r["t"] >= ready), key=_finished)
    unavailable = [r["ms"] for r in down if r["status"] == 503]
    first_success = next((r for r in after if _success(r)), None)
    failures_after = [r for r in after if not _success(r)]
    return {
        "requests": len(records),
        "statuses": dict(sorted(Counter(r["status"] for r in records).items())),
        "5xx_not_503": sum(1 for r in records if r["status"] >= 500 and r["status"] != 503),
        "socket_errors": sum(1 for r in records if not r["status"]),
        "down_seconds": round(starting - stopped, 2),
        "down_requests": len(down),
        "down_statuses": dict(sorted(Counter(r["status"] for r in down).items())),
        "down_503": len(unavailable),
        "down_503_p50_ms": percentile(unavailable, 50),
        "down_503_p95_ms": percentile(unavailable, 95),
        "down_503_max_ms": max(unavailable, default=None),
        "in_flight_statuses": dict(sorted(Counter(r["status"] for r in in_flight).items())),
        "start_seconds": round(ready - starting, 2),
        "first_success_after_s": (
            round(_finished(first_success) - ready, 2) if first_success else None
        ),
        "failures_after_restart": len(failures_after),
        "last_failure_after_s": (
            round(_finished(failures_after[-1]) - ready, 2) if failures_after else 0.0
        ),
        "after_requests": len(after),
    }


def restart_lines(summary):
    posts = summary["posts"]

    def ms(value):
        return "n/a" if value is None else f"{value:.0f} ms"

    return [
        f"- Requests: {summary['requests']} (statuses {summary['statuses']}); 5xx other than"
        f" 503: {summary['5xx_not_503']}; socket errors: {summary['socket_errors']}",
        f"- While down ({summary['down_seconds']} s): {summary['down_requests']} requests,"
        f" statuses {summary['down_statuses']}; the 503s took p50 {ms(summary['down_503_p50_ms'])},"
        f" p95 {ms(summary['down_503_p95_ms'])}, max {ms(summary['down_503_max_ms'])}",
        f"- In flight when it stopped: statuses {summary['in_flight_statuses']}",
        f"- After `pg_ctl start` returned ({summary['start_seconds']} s): first success after"
        f" {summary['first_success_after_s']} s; {summary['failures_after_restart']} failed"
        f" requests after it, the last ending {summary['last_failure_after_s']} s after",
        f"- Posts: {posts['attempted']} attempted, {posts['acknowledged']} acknowledged (302 to"
        f" the work), {posts['lost']} of those lost, {posts['partial']} stored half-written,"
        f" {posts['duplicates']} duplicated; {posts['stored_unacknowledged']} stored whole"
        " although their author saw an error",
    ]


def verify_posts(site, *, run):
    """Check every post of run `run` (from its request log) against the database."""
    log = site.cluster.root / f"requests-{run}.jsonl"
    attempts = [
        json.loads(line)
        for line in log.read_text().splitlines()
        if line.strip() and '"title"' in line
    ]
    output = site.shell(
        f"from bench.faults import check_posts; check_posts(run={run!r})",
        stdin=json.dumps(attempts),
    )
    return json.loads(output)


def check_posts(*, run):
    """Print, as JSON, how the posts read from stdin fared (run in `manage.py shell`).

    A post whose author got the redirect to the work must be stored whole: posted, one
    chapter with the text, all its tags. Any work of the run stored otherwise is half-written.
    """
    from works.models import TaggedWork, Work

    attempts = {attempt["title"]: attempt for attempt in json.loads(sys.stdin.read())}
    stored = {}
    duplicates = 0
    for work in Work.objects.filter(title__startswith=f"Load {run} ").prefetch_related("chapters"):
        if work.title in stored:
            duplicates += 1
        stored[work.title] = work
    tags = {}
    for work_id, name in TaggedWork.objects.filter(
        content_object__in=[work.pk for work in stored.values()]
    ).values_list("content_object_id", "tag__name"):
        tags.setdefault(work_id, set()).add(name.lower())
    figures = Counter()
    for title, work in stored.items():
        attempt = attempts.get(title, {})
        number = title.rsplit(" ", 1)[-1]
        expected = {
            attempt.get("fandom", ""), POST_RATING, POST_WARNING, POST_CATEGORY,
            f"Load Tag {run} {number}", POST_FREEFORM,
        }  # fmt: skip
        chapters = list(work.chapters.all())
        whole = (
            work.posted
            and len(chapters) == 1
            and "The lamp on the pier" in chapters[0].text
            and tags.get(work.pk, set()) == {name.lower() for name in expected}
        )
        figures["whole" if whole else "partial"] += 1
        acknowledged = attempt.get("status") == 302
        if whole and not acknowledged:
            figures["stored_unacknowledged"] += 1
    for title, attempt in attempts.items():
        figures["attempted"] += 1
        if attempt["status"] == 302 and attempt.get("location", "").startswith("/works/"):
            figures["acknowledged"] += 1
            work = stored.get(title)
            if work is None or attempt["location"] != f"/works/{work.pk}":
                figures["lost"] += 1
    keys = ["attempted", "acknowledged", "lost", "whole", "partial", "stored_unacknowledged"]
    print(json.dumps({**{key: figures[key] for key in keys}, "duplicates": duplicates}))


def write_seed_files(directory, count):
    """`count` small seed files (two chapters and tags each) in the format of seeds/*.txt."""
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        text = (
            "Work Text:\n\n"
            f"The ferry left at dawn on day {number}, and the harbour bell rang twice.\n\n"
            "The keeper counted the crates and wrote each one down.\n\n"
            "Chapter 2: The Return\n\n"
            f"By dusk the ferry of day {number} was back, lighter by forty crates.\n\n"
            "[starting tags]\n"
            f"fandom:\nHarbour Tales {number % 7}\n\n"
            f"freeform:\nImport Tag {number}\nFerries\n\n"
            "rating:\nGeneral Audiences\n\n"
            f"title:\nKilled Import {number}\n"
        )
        (directory / f"{number:05d}.txt").write_text(text)


def kill_import(site, *, files, kill_after, timeout=120):
    """import_seeds on `files` seed files, SIGKILLed once `kill_after` were reported, rerun."""
    directory = site.cluster.root / "import-seeds"
    write_seed_files(directory, files)
    command = [sys.executable, "manage.py", "import_seeds", str(directory)]
    process = subprocess.Popen(
        command, cwd=BASE_DIR, env=site.env(), stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    # Bounded: a hung import is killed by the timer, and the loop below then ends.
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    imported = 0
    try:
        for line in process.stdout:
            if line.startswith("imported "):
                imported += 1
            if imported >= kill_after:
                process.send_signal(signal.SIGKILL)
                break
        process.wait(timeout=timeout)
    finally:
        watchdog.cancel()
        process.stdout.close()
    killed = process.returncode == -signal.SIGKILL
    rerun = subprocess.run(
        command, cwd=BASE_DIR, env=site.env(), capture_output=True, text=True, timeout=timeout
    )
    lines = rerun.stdout.strip().splitlines()
    stored = json.loads(
        site.shell("from bench.faults import check_import; check_import()", stdin=str(directory))
    )
    return {
        "files": files,
        "killed": killed,
        "imported_before_kill": imported,
        "rerun_exit": rerun.returncode,
        "rerun_summary": lines[-1] if lines else "",
        "rerun_unchanged": sum(1 for line in lines if line.startswith("unchanged ")),
        "rerun_imported": sum(1 for line in lines if line.startswith("imported ")),
        **stored,
    }


def check_import():
    """Print, as JSON, how the seed files in the directory named on stdin are stored (run in
    `manage.py shell`): each file's work once, with every chapter and tag of the file."""
    import hashlib
    from pathlib import Path

    from works.importing import seed_files
    from works.models import TaggedWork, Work
    from works.seeds import decode_seed, parse_seed

    figures = Counter()
    for path in seed_files([Path(sys.stdin.read().strip())]):
        text = decode_seed(path.read_bytes())
        seed = parse_seed(text)
        works = list(Work.objects.filter(source_hash=hashlib.sha256(text.encode()).hexdigest()))
        same_title = Work.objects.filter(title=seed.title).count()
        if not works:
            figures["missing"] += 1
            continue
        work = works[0]
        tags = TaggedWork.objects.filter(content_object=work).count()
        expected_tags = sum(len(names) for names in seed.tags.values())
        if work.chapters.count() != len(seed.chapters) or tags < expected_tags:
            figures["partial"] += 1
        elif same_title == 1:
            figures["stored_once"] += 1
        else:
            figures["duplicated"] += 1
    keys = ["stored_once", "missing", "partial", "duplicated"]
    print(json.dumps({key: figures[key] for key in keys}))


def problems(figures):
    """What in a `make load` run falls short of the issue's bar, as sentences (none: all met)."""
    found = []
    load, posts = figures["load"].get("total", {}), figures["posts"]
    restart, killed = figures["restart"], figures["import"]
    if load.get("5xx") or load.get("errors"):
        found.append(f"the load run had {load['5xx']} 5xx answers, {load['errors']} errors")
    for name, checked in (("load", posts), ("restart", restart["posts"])):
        if checked["lost"] or checked["partial"] or checked["duplicates"]:
            found.append(f"{name} run posts: {checked}")
    if restart["5xx_not_503"]:
        found.append(f"{restart['5xx_not_503']} answers were 5xx but not 503")
    if restart["down_503"] == 0:
        found.append("no request was answered 503 while the database was down")
    if restart["first_success_after_s"] is None:
        found.append("no request succeeded after the database came back")
    if killed["stored_once"] != killed["files"] or killed["rerun_exit"] != 0:
        found.append(f"killed import: {killed}")
    return found
