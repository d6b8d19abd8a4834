"""Importing seed files: the rows each file becomes, and what `import_seeds` says about it."""

import re
from io import StringIO
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DataError

import works.importing
import works.services
from tags.models import Tag, TagKind
from tests.factories import make_tag
from works.importing import create_work_from_seed, import_seed_file, seed_files
from works.management.commands.import_seeds import PROGRESS_BAR_FROM
from works.management.commands.import_seeds import Command as ImportSeedsCommand
from works.models import Chapter, TaggedWork, Work
from works.seeds import SeedChapter, SeedWork, parse_seed

pytestmark = pytest.mark.django_db

SAMPLE = Path(settings.BASE_DIR) / "seeds" / "000_2e73f7debb663f5f.txt"


def seed(text="Some words of the story.", tags="freeform:\nFluff\n"):
    return f"Work Text:\n\n{text}\n[starting tags]\n{tags}"


def write(directory, name, content):
    path = directory / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def run(*args, **options):
    """Run import_seeds; returns (stdout lines, CommandError or None)."""
    out = StringIO()
    try:
        call_command("import_seeds", *map(str, args), stdout=out, **options)
    except CommandError as error:
        return out.getvalue().splitlines(), error
    return out.getvalue().splitlines(), None


def names(work, kind):
    return sorted(tag.name for tag in work.tags.all() if tag.kind == kind)


def table_sizes():
    return {model.__name__: model.objects.count() for model in (Work, Chapter, Tag, TaggedWork)}


# The sample


def test_sample_becomes_one_posted_work_with_its_chapter_and_tags():
    result = import_seed_file(SAMPLE)
    assert result.status == "imported"
    work = Work.objects.get()
    assert work == result.work
    assert work.title == "You leaned against the wall as you twisted the champagne…"
    assert work.posted and work.complete and not work.restricted
    assert work.expected_chapters == 1
    assert work.chapter_count == 1
    assert work.chapters_label == "1/1"
    assert names(work, TagKind.RELATIONSHIP) == [
        "Natasha Romanov (Marvel) & Reader",
        "Natasha Romanov (Marvel)/Reader",
    ]
    assert names(work, TagKind.FANDOM) == names(work, TagKind.RELATIONSHIP)
    # The sample file lists 16 freeform tags, all distinct.
    assert len(names(work, TagKind.FREEFORM)) == 16
    assert {"avenger!reader", "I'm Sorry", "No Plot/Plotless"} <= set(names(work, TagKind.FREEFORM))
    assert work.rating == "Not Rated"
    assert work.warning_names == ["Creator Chose Not To Use Archive Warnings"]
    assert names(work, TagKind.CHARACTER) == []
    assert len(work.source_hash) == 64


def test_sample_chapter_text_is_paragraphs_of_escaped_text():
    work = import_seed_file(SAMPLE).work
    chapter = work.chapters.get()
    assert chapter.position == 1
    assert chapter.title == ""
    page = BeautifulSoup(chapter.text_html, "html.parser")
    paragraphs = [p.get_text() for p in page.find_all("p")]
    assert paragraphs[0].startswith("You leaned against the wall")
    assert paragraphs[-1].endswith("your boyfriend couldn’t con")
    assert "“Sorry, this just isn’t working out.”" in paragraphs[0]
    assert chapter.word_count > 800
    assert work.word_count == chapter.word_count


def test_sample_fandom_and_relationship_tags_are_separate_rows():
    import_seed_file(SAMPLE)
    tags = Tag.objects.filter(name="Natasha Romanov (Marvel)/Reader")
    assert sorted(tags.values_list("kind", flat=True)) == [TagKind.FANDOM, TagKind.RELATIONSHIP]


# The command's output


def test_command_prints_one_line_per_file_with_the_work_url(tmp_path):
    first = write(tmp_path, "a.txt", seed("First story."))
    second = write(tmp_path, "b.txt", seed("Second story."))
    lines, error = run(tmp_path)
    assert error is None
    one, two = Work.objects.order_by("pk")
    assert lines == [
        f"imported {first}: /works/{one.pk}",
        f"imported {second}: /works/{two.pk}",
        "2 files: 2 imported, 0 unchanged, 0 failed",
    ]
    assert one.title == "First story."


def test_command_imports_only_the_paths_given(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    (tmp_path / "seeds").mkdir()
    write(tmp_path / "seeds", "default.txt", seed("In the default directory."))
    chosen = write(tmp_path, "chosen.txt", seed("The chosen one."))
    lines, error = run(chosen)
    assert error is None
    assert list(Work.objects.values_list("title", flat=True)) == ["The chosen one."]
    assert lines[0].startswith(f"imported {chosen}: /works/")


def test_command_reads_seeds_directory_by_default(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    (tmp_path / "seeds").mkdir()
    write(tmp_path / "seeds", "default.txt", seed("In the default directory."))
    lines, error = run()
    assert error is None
    assert list(Work.objects.values_list("title", flat=True)) == ["In the default directory."]
    assert lines[-1] == "1 files: 1 imported, 0 unchanged, 0 failed"


def test_base_url_prefixes_the_printed_urls(tmp_path):
    path = write(tmp_path, "a.txt", seed())
    lines, _ = run(path, base_url="https://archive.example/")
    work = Work.objects.get()
    assert lines[0] == f"imported {path}: https://archive.example/works/{work.pk}"


def test_quiet_run_prints_only_failures_and_the_summary(tmp_path):
    write(tmp_path, "a.txt", seed())
    bad = write(tmp_path, "b.txt", "no seed here")
    lines, error = run(tmp_path, verbosity=0)
    assert error is not None
    assert lines == [
        f"FAILED {bad}: no 'Work Text:' line, so this is not a seed export",
        "2 files: 1 imported, 0 unchanged, 1 failed",
    ]


def test_large_batch_shows_a_progress_bar_and_still_one_line_per_file(tmp_path, capsys):
    for number in range(PROGRESS_BAR_FROM):
        write(tmp_path, f"{number:03}.txt", seed(f"Story number {number}."))
    lines, error = run(tmp_path)
    assert error is None
    assert Work.objects.count() == PROGRESS_BAR_FROM
    assert len(lines) == PROGRESS_BAR_FROM + 1  # no blank lines between them
    assert all(line.startswith("imported ") for line in lines[:-1])
    assert f"{PROGRESS_BAR_FROM}/{PROGRESS_BAR_FROM}" in capsys.readouterr().err


def test_small_batch_has_no_progress_bar(tmp_path, capsys):
    write(tmp_path, "a.txt", seed())
    run(tmp_path)
    assert capsys.readouterr().err == ""


# Idempotency


def test_importing_the_same_file_again_changes_nothing_and_says_so(tmp_path):
    path = write(tmp_path, "a.txt", seed(tags="freeform:\nFluff\nfandom:\nMarvel\n"))
    run(path)
    work = Work.objects.get()
    before = table_sizes()
    lines, error = run(path)
    assert error is None
    assert table_sizes() == before
    assert lines == [
        f"unchanged {path}: already imported, nothing changed (/works/{work.pk})",
        "1 files: 0 imported, 1 unchanged, 0 failed",
    ]
    again = Work.objects.get()
    assert again.updated_at == work.updated_at
    assert again.title == work.title


def test_the_sample_imported_twice_is_one_work(tmp_path):
    first = import_seed_file(SAMPLE)
    before = table_sizes()
    second = import_seed_file(SAMPLE)
    assert second.status == "unchanged"
    assert second.work == first.work
    assert table_sizes() == before


def test_same_content_under_another_name_or_with_crlf_and_bom_is_unchanged(tmp_path):
    content = seed("The same story.\n\nTwo paragraphs.")
    write(tmp_path, "a.txt", content)
    write(tmp_path, "b.txt", content)
    write(tmp_path, "c.txt", b"\xef\xbb\xbf" + content.replace("\n", "\r\n").encode())
    lines, error = run(tmp_path)
    assert error is None
    assert Work.objects.count() == 1
    assert [line.split(" ", 1)[0] for line in lines[:-1]] == ["imported", "unchanged", "unchanged"]


# Atomicity


@pytest.mark.django_db(transaction=True)
def test_failure_after_the_chapters_were_created_leaves_no_rows(monkeypatch):
    seen = {}

    def fail(work, names_by_kind):
        seen["chapters"] = Chapter.objects.count()
        raise RuntimeError("tags service down")

    # work_create, which importing writes through, sets the tags after the chapters.
    monkeypatch.setattr(works.services, "set_work_tags", fail)
    seed_work = parse_seed(seed("Chapter 1\nOne.\nChapter 2\nTwo."))
    with pytest.raises(RuntimeError):
        create_work_from_seed(seed_work, source_hash="a" * 64)
    assert seen["chapters"] == 2  # the failure really came midway
    assert table_sizes() == {"Work": 0, "Chapter": 0, "Tag": 0, "TaggedWork": 0}


@pytest.mark.django_db(transaction=True)
def test_tag_the_database_refuses_rolls_back_the_whole_work():
    make_tag("Fluff")
    seed_work = SeedWork(
        title="Too long a tag",
        chapters=[SeedChapter(title="", text="One."), SeedChapter(title="", text="Two.")],
        tags={TagKind.FREEFORM: ["Fluff", "Angst", "x" * 151]},
    )
    with pytest.raises(DataError):
        create_work_from_seed(seed_work, source_hash="b" * 64)
    assert table_sizes() == {"Work": 0, "Chapter": 0, "Tag": 1, "TaggedWork": 0}


@pytest.mark.django_db(transaction=True)
def test_database_failure_in_one_file_is_reported_and_the_next_file_imports(tmp_path, monkeypatch):
    real_parse = works.importing.parse_seed

    def parse_with_long_tag(text):
        parsed = real_parse(text)
        if "Doomed" in text:
            parsed.tags[TagKind.FREEFORM].append("x" * 151)  # bypasses the parser's check
        return parsed

    monkeypatch.setattr(works.importing, "parse_seed", parse_with_long_tag)
    doomed = write(tmp_path, "a.txt", seed("Doomed.\nChapter 2\nMore."))
    write(tmp_path, "b.txt", seed("Survivor."))
    lines, error = run(tmp_path)
    assert error is not None
    assert lines[0].startswith(f"FAILED {doomed}: the database refused it: value too long")
    assert lines[1].startswith("imported ")
    assert list(Work.objects.values_list("title", flat=True)) == ["Survivor."]
    assert list(Chapter.objects.values_list("text", flat=True)) == ["<p>Survivor.</p>"]
    assert not Tag.objects.filter(name__startswith="xxx").exists()


# Bad files among good ones


@pytest.mark.django_db(transaction=True)
def test_bad_files_fail_with_a_reason_while_the_good_one_imports(tmp_path):
    good = write(tmp_path, "1_good.txt", seed("A good story."))
    no_marker = write(tmp_path, "2_no_marker.txt", "Just some notes.\n")
    latin1 = write(tmp_path, "3_latin1.txt", "Work Text:\nUn café.\n".encode("latin-1"))
    binary = write(tmp_path, "4_binary.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    bad_section = write(tmp_path, "5_bad_section.txt", seed(tags="ships:\nA/B\n"))
    lines, error = run(tmp_path)
    work = Work.objects.get()
    assert work.title == "A good story."
    assert lines == [
        f"imported {good}: /works/{work.pk}",
        f"FAILED {no_marker}: no 'Work Text:' line, so this is not a seed export",
        f"FAILED {latin1}: not UTF-8 text (bad byte at offset 17)",
        f"FAILED {binary}: not a text file (it contains NUL bytes)",
        lines[4],
        "5 files: 1 imported, 0 unchanged, 4 failed",
    ]
    assert lines[4].startswith(f"FAILED {bad_section}: line 5: unknown section 'ships:'")
    assert str(error) == "4 of 5 files failed to import"


def test_missing_path_fails_on_its_own_line_and_the_others_import(tmp_path):
    good = write(tmp_path, "good.txt", seed())
    missing = tmp_path / "missing.txt"
    lines, error = run(missing, good)
    assert Work.objects.count() == 1
    assert lines[0] == f"FAILED {missing}: cannot read it: No such file or directory"
    assert lines[1].startswith(f"imported {good}")
    assert error is not None


@pytest.mark.django_db(transaction=True)  # run_from_argv closes the connection at its end
def test_failed_run_exits_non_zero_from_the_command_line(tmp_path, capsys):
    bad = write(tmp_path, "bad.txt", "not a seed")
    with pytest.raises(SystemExit) as exit_info:
        ImportSeedsCommand().run_from_argv(["manage.py", "import_seeds", str(bad)])
    assert exit_info.value.code != 0
    captured = capsys.readouterr()
    assert f"FAILED {bad}" in captured.out
    assert "1 of 1 files failed to import" in captured.err


def test_hidden_files_in_a_directory_are_skipped(tmp_path):
    write(tmp_path, ".gitkeep", "")
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".git", "HEAD", "ref: refs/heads/main\n")
    (tmp_path / "nested").mkdir()
    inner = write(tmp_path / "nested", "story.txt", seed())
    assert seed_files([tmp_path]) == [inner]
    lines, error = run(tmp_path)
    assert error is None
    assert len(lines) == 2


def test_a_file_named_twice_is_imported_once(tmp_path):
    path = write(tmp_path, "a.txt", seed())
    assert seed_files([path, tmp_path]) == [path]


# Tags across files


def test_tags_are_reused_across_files_ignoring_case(tmp_path):
    write(tmp_path, "a.txt", seed("One.", tags="freeform:\nSlow Burn\nfandom:\nMarvel\n"))
    write(tmp_path, "b.txt", seed("Two.", tags="freeform:\nSLOW BURN\nfandom:\nmarvel\n"))
    write(tmp_path, "c.txt", seed("Three.", tags="relationship:\nslow burn\n"))
    run(tmp_path)
    freeform = Tag.objects.get(kind=TagKind.FREEFORM)
    assert freeform.name == "Slow Burn"  # the first spelling seen wins
    assert Tag.objects.get(kind=TagKind.FANDOM).name == "Marvel"
    assert Tag.objects.get(kind=TagKind.RELATIONSHIP).name == "slow burn"
    assert sorted(freeform.tagged_works.values_list("content_object__title", flat=True)) == [
        "One.",
        "Two.",
    ]
    # Default rating and warning are shared too.
    assert Tag.objects.filter(kind=TagKind.RATING).count() == 1
    assert Tag.objects.get(kind=TagKind.RATING).tagged_works.count() == 3


def test_existing_tag_is_reused_by_an_import(tmp_path):
    existing = make_tag("Hurt/Comfort")
    write(tmp_path, "a.txt", seed(tags="freeform:\nhurt/comfort\n"))
    run(tmp_path)
    work = Work.objects.get()
    assert [tag.pk for tag in work.tags.filter(kind=TagKind.FREEFORM)] == [existing.pk]


def test_ratings_warnings_and_categories_get_their_canonical_tags(tmp_path):
    tags = "rating:\nexplicit\narchive_warning:\nmajor character death\ncategory:\nf/m\n"
    write(tmp_path, "a.txt", seed(tags=tags))
    run(tmp_path)
    work = Work.objects.get()
    assert work.rating == "Explicit"
    assert work.warning_names == ["Major Character Death"]
    assert work.category_names == ["F/M"]


# What is stored


def test_chapters_are_stored_in_order_with_their_titles(tmp_path):
    text = (
        "Chapter 1: The Lantern\nDark.\n\n"
        "Chapter 2\nLight, and more light.\n\n"
        "Chapter 3: Dawn\nDay."
    )
    write(tmp_path, "a.txt", seed(text))
    run(tmp_path)
    work = Work.objects.get()
    rows = list(work.chapters.values_list("position", "title", "text_html", "word_count"))
    assert rows == [
        (1, "The Lantern", "<p>Dark.</p>", 1),
        (2, "", "<p>Light, and more light.</p>", 4),
        (3, "Dawn", "<p>Day.</p>", 1),
    ]
    assert (work.chapter_count, work.expected_chapters, work.word_count) == (3, 3, 6)
    assert work.title == "Dark. Light, and more light. Day."


def test_summary_title_and_language_are_stored(tmp_path):
    content = "title: The Lantern\nsummary:\nIt glows.\n\nIt <i>really</i> glows.\nlanguage: de\n"
    write(tmp_path, "a.txt", content + seed("Es war einmal."))
    run(tmp_path)
    work = Work.objects.get()
    assert work.title == "The Lantern"
    assert work.language == "de"
    assert work.summary_html == "<p>It glows.</p>\n<p>It &lt;i&gt;really&lt;/i&gt; glows.</p>"


def test_script_in_a_seed_is_stored_as_escaped_text(tmp_path):
    text = "<script>alert('pwned')</script>\n\n<img src=x onerror=alert(1)> & friends"
    write(tmp_path, "a.txt", seed(text))
    run(tmp_path)
    chapter = Chapter.objects.get()
    assert "<script" not in chapter.text_html
    assert "<img" not in chapter.text_html
    assert "&lt;script&gt;alert('pwned')&lt;/script&gt;" in chapter.text_html
    page = BeautifulSoup(chapter.text_html, "html.parser")
    assert page.find("script") is None and page.find("img") is None
    assert [p.get_text() for p in page.find_all("p")] == [
        "<script>alert('pwned')</script>",
        "<img src=x onerror=alert(1)> & friends",
    ]


def test_script_in_a_seed_shows_as_text_on_the_work_page(tmp_path, client):
    write(tmp_path, "a.txt", seed("<script>alert('pwned')</script> Hello."))
    run(tmp_path)
    work = Work.objects.get()
    response = client.get(work.get_absolute_url())
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert not any("pwned" in script.get_text() for script in page.find_all("script"))
    assert "<script>alert('pwned')</script> Hello." in page.get_text()


def test_a_chapter_near_the_size_limit_imports(tmp_path):
    # 720 paragraphs make about 500,000 characters of HTML; works.limits.TEXT_MAX is 510,000.
    paragraph = "The lantern swung in the wind and the light went everywhere at once. " * 10
    body = "\n\n".join([paragraph.strip()] * 720)
    path = write(tmp_path, "big.txt", seed(body))
    lines, error = run(path)
    assert error is None
    chapter = Chapter.objects.get()
    assert chapter.text_html.count("<p>") == 720
    assert 495_000 < len(chapter.text_html) <= 510_000
    assert chapter.word_count == 720 * 130
    assert Work.objects.get().word_count == 720 * 130
    assert re.fullmatch(rf"imported {re.escape(str(path))}: /works/\d+", lines[0])
