"""Hostile text in every field and upload format never runs script in a real browser.

The payloads are the live subset of ../shared/corpus/xss (those that do run when rendered
raw in this Chromium); a control renders one raw to prove the detector sees script running.
"""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tags.models import TagKind
from tests.factories import make_work
from works.downloads import open_download
from works.uploads import convert_upload

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "xss"
# Replaces the dialogs and records calls before any page script could run.
TRAP = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__xss.push(name + ":" + String(args[0])); };
}
"""
# Fires the events that event-handler payloads wait for, on every element.
PROVOKE = """
() => {
  for (const element of document.querySelectorAll("body *")) {
    for (const type of ["mouseover", "mouseenter", "focus", "focusin", "error", "load",
                        "animationstart", "pointerover"]) {
      element.dispatchEvent(new Event(type, {bubbles: true}));
    }
  }
  return window.__xss;
}
"""

pytestmark = [
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the XSS corpus is not at {CORPUS}"),
    pytest.mark.django_db(transaction=True),
]


def live_payloads():
    lines = (CORPUS / "payloads.txt").read_text(encoding="utf-8").split("\n")
    live = set()
    for row in (CORPUS / "chromium-liveness.tsv").read_text(encoding="utf-8").split("\n")[1:]:
        cells = row.split("\t")
        if len(cells) >= 4 and cells[0] == "payloads.txt" and "yes" in (cells[2], cells[3]):
            live.add(int(cells[1]))
    return [lines[number - 1] for number in sorted(live) if lines[number - 1].strip()]


def fired(page):
    return page.evaluate(PROVOKE) + [f"dialog:{d}" for d in page.dialogs]


@pytest.fixture
def trapped(page):
    page.add_init_script(TRAP)
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    return page


def test_the_detector_sees_a_raw_payload_run(trapped):
    trapped.evaluate(f"() => {{{TRAP}}}")  # as a function: evaluate calls a returned one
    trapped.set_content('<img src="x" onerror="alert(1)"><svg onload="alert(2)"></svg>')
    assert fired(trapped), "the trap saw nothing: the other tests would prove nothing"


def test_payloads_in_every_field_never_run(trapped, request):
    payloads = live_payloads()
    assert len(payloads) > 50
    works = []
    # Five payloads a work, each field holding one of them and the text all five.
    for start in range(0, len(payloads), 5):
        chunk = (payloads[start : start + 5] * 5)[:5]
        works.append(
            make_work(
                title=chunk[0][:255],
                summary=chunk[1],
                notes=chunk[2],
                end_notes=chunk[3],
                chapters=[(chunk[4][:255], "".join(chunk)), ("Second", f"<p>{chunk[0]}</p>")],
                rating="General Audiences",
                tags={TagKind.FREEFORM: [chunk[4][:150]], TagKind.FANDOM: ["Hostile"]},
            )
        )
    seen = {}
    urls = [f"/works/{work.pk}?view_full_work=true" for work in works]
    urls += [f"/tags/Hostile/works?page={n}" for n in range(1, (len(works) + 19) // 20 + 1)]
    for url in urls:
        trapped.goto(url)
        if hits := fired(trapped):
            seen[url] = hits
    assert not seen
    # Hostile markup may ask for outside images, which the CSP rightly blocks; only a
    # blocked or failed script would be a finding here.
    problems = request.node.browser_problems
    problems[:] = [p for p in problems if "script" in p.lower()]


def test_downloaded_html_never_runs_script(trapped, settings, tmp_path):
    # The downloaded file is opened from disk, where no Content-Security-Policy protects it.
    settings.DOWNLOADS_DIR = tmp_path
    payloads = live_payloads()
    work = make_work(
        title="Hostile download",
        summary="".join(payloads[:40]),
        chapters=[(payloads[0][:255], "".join(payloads))],
    )
    with open_download(work, "html") as file:
        html = file.read().decode("utf-8")
    trapped.evaluate(f"() => {{{TRAP}}}")  # as a function: evaluate calls a returned one
    trapped.set_content(html)
    assert not fired(trapped)


@pytest.mark.parametrize("name", ["hostile.html", "hostile.md", "hostile.txt"])
def test_uploaded_files_never_run_script(trapped, name):
    body = "\n\n".join(live_payloads()).encode("utf-8")
    converted = convert_upload(SimpleUploadedFile(name, body))
    text = "".join(chapter.html for chapter in converted.chapters)
    work = make_work(chapters=[("Uploaded", text)])
    trapped.goto(f"/works/{work.pk}?view_full_work=true")
    assert not fired(trapped)
