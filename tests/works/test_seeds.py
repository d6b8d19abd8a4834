"""The seed parser: what a seed export file's bytes become, and which files it refuses."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tags.models import DEFAULT_RATING, DEFAULT_WARNING, TagKind
from works.seeds import GENERATED_TITLE_LENGTH, SeedError, decode_seed, parse_seed

SAMPLE = Path(settings.BASE_DIR) / "seeds" / "000_2e73f7debb663f5f.txt"
SAMPLE_RELATIONSHIPS = ["Natasha Romanov (Marvel)/Reader", "Natasha Romanov (Marvel) & Reader"]
SAMPLE_FREEFORMS = [
    "Drabble",
    "Natasha Romanov Is Not A Robot",
    "Natasha Romanov Feels",
    "Awesome Natasha Romanov",
    "Implied/Referenced Cheating",
    "Reader-Insert",
    "Gender-Neutral Pronouns",
    "Awkward Romance",
    "avenger!reader",
    "The Author Regrets Everything",
    "No beta I die like Loki",
    "No Plot/Plotless",
    "No Spoilers",
    "I'm Sorry",
    "Oops",
    "Based on a song",
]


def parse_bytes(data):
    return parse_seed(decode_seed(data))


def parse(text):
    return parse_bytes(text.encode())


def seed(text="Some words of the story.", tags=""):
    return f"Work Text:\n\n{text}\n[starting tags]\n{tags}"


# The sample export


def test_sample_has_its_tags_by_kind_kept_as_given():
    work = parse_bytes(SAMPLE.read_bytes())
    assert work.tags[TagKind.RELATIONSHIP] == SAMPLE_RELATIONSHIPS
    # The fandom section repeats the relationship names; they are stored as given.
    assert work.tags[TagKind.FANDOM] == SAMPLE_RELATIONSHIPS
    assert len(work.tags[TagKind.FREEFORM]) == 16
    assert work.tags[TagKind.FREEFORM] == SAMPLE_FREEFORMS
    assert work.tags[TagKind.RATING] == [DEFAULT_RATING]
    assert work.tags[TagKind.ARCHIVE_WARNING] == [DEFAULT_WARNING]
    assert set(work.tags) == {
        TagKind.RELATIONSHIP,
        TagKind.FANDOM,
        TagKind.FREEFORM,
        TagKind.RATING,
        TagKind.ARCHIVE_WARNING,
    }


def test_sample_is_one_chapter_that_keeps_its_curly_quotes_and_cut_off_end():
    work = parse_bytes(SAMPLE.read_bytes())
    assert len(work.chapters) == 1
    chapter = work.chapters[0]
    assert chapter.title == ""
    assert chapter.text.startswith("You leaned against the wall as you twisted the champagne")
    assert "“Sorry, this just isn’t working out.”" in chapter.text
    # The export stops mid-word; the text ends there, without the tag marker.
    assert chapter.text.endswith("your boyfriend couldn’t con")
    assert "[starting tags]" not in chapter.text
    # Paragraphs stay separated by blank lines; trailing spaces and NBSPs are gone.
    assert "\n\nYour relationships never worked out." in chapter.text
    assert all(line == line.rstrip() for line in chapter.text.split("\n"))


def test_sample_gets_a_title_from_its_first_words():
    work = parse_bytes(SAMPLE.read_bytes())
    assert work.title == "You leaned against the wall as you twisted the champagne…"
    assert len(work.title) <= GENERATED_TITLE_LENGTH
    assert work.summary == ""
    assert work.language == "en"


# Encodings, line ends and odd whitespace


def test_bom_is_ignored():
    plain = SAMPLE.read_bytes()
    with_bom = parse_bytes(b"\xef\xbb\xbf" + plain)
    assert with_bom == parse_bytes(plain)
    assert not with_bom.chapters[0].text.startswith("\ufeff")


def test_parse_seed_also_ignores_a_bom_left_in_text():
    work = parse_seed("\ufeffWork Text:\nHello.\n")
    assert work.chapters[0].text == "Hello."


@pytest.mark.parametrize("line_end", ["\r\n", "\r"])
def test_crlf_and_cr_line_ends_read_like_lf(line_end):
    plain = SAMPLE.read_bytes()
    converted = parse_bytes(plain.replace(b"\n", line_end.encode()))
    assert converted == parse_bytes(plain)
    assert "\r" not in converted.chapters[0].text


def test_decode_seed_returns_lf_text_without_bom():
    assert decode_seed(b"\xef\xbb\xbfWork Text:\r\nA\rB\n") == "Work Text:\nA\nB\n"


def test_non_breaking_spaces_in_headers_tags_and_blank_lines():
    text = (
        "Work Text:\u00a0\n"
        "First paragraph.\u00a0\u00a0\n"
        "\u00a0\n"
        "Second paragraph.\n"
        "[starting tags]\u00a0\n"
        "freeform:\u00a0\n"
        "\u00a0Hurt\u00a0Comfort\u00a0\n"
        "\u00a0\n"
        "fandom:\n"
        "Marvel\u00a0\u00a0Cinematic Universe\n"
    )
    work = parse(text)
    assert work.chapters[0].text == "First paragraph.\n\nSecond paragraph."
    assert work.tags[TagKind.FREEFORM] == ["Hurt Comfort"]
    assert work.tags[TagKind.FANDOM] == ["Marvel Cinematic Universe"]


def test_trailing_whitespace_is_dropped_everywhere():
    text = "Work Text:   \nOne line.   \t\n[starting tags]   \nrelationship:   \nA/B   \n"
    work = parse(text)
    assert work.chapters[0].text == "One line."
    assert work.tags[TagKind.RELATIONSHIP] == ["A/B"]


def test_leading_indent_inside_the_text_is_kept():
    work = parse(seed("First.\n    Indented second line."))
    assert work.chapters[0].text == "First.\n    Indented second line."


def test_markup_in_the_text_stays_as_written_text():
    work = parse(seed('<script>alert("x")</script> & <b>bold</b>'))
    assert work.chapters[0].text == '<script>alert("x")</script> & <b>bold</b>'


# Tag names


def test_unicode_tag_names_keep_their_punctuation():
    names = [
        "Ōkami Amaterasu/Reader (Ōkami)",
        "Steve Rogers & Bucky Barnes",
        "Dr. Who! (2005)",
        "Tony's Workshop",
        "Natasha’s “Bad” Idea",
        "Тони Старк/Читатель",
        "日本語のタグ",
        "Émilie du Châtelet",
    ]
    work = parse(seed(tags="freeform:\n" + "\n".join(names) + "\n"))
    assert work.tags[TagKind.FREEFORM] == names


def test_repeated_tag_within_a_kind_is_kept_once_in_its_first_spelling():
    work = parse(seed(tags="freeform:\nFluff\nFLUFF\nfluff  \nAngst\n"))
    assert work.tags[TagKind.FREEFORM] == ["Fluff", "Angst"]


def test_same_name_in_two_kinds_stays_in_both():
    work = parse(seed(tags="relationship:\nA/B\nfandom:\nA/B\n"))
    assert work.tags[TagKind.RELATIONSHIP] == ["A/B"]
    assert work.tags[TagKind.FANDOM] == ["A/B"]


def test_all_sections_are_read():
    text = (
        "title: The Lantern\n"
        "summary:\n"
        "A story about a lantern.\n"
        "\n"
        "Note: it glows.\n"
        "language: Français\n"
        "Work Text:\n"
        "Il était une fois.\n"
        "[starting tags]\n"
        "rating: teen and up audiences\n"
        "archive_warning:\n"
        "No Archive Warnings Apply\n"
        "category:\n"
        "F/F\n"
        "gen\n"
        "fandom:\n"
        "Original Work\n"
        "relationship:\n"
        "Alice/Beatrice\n"
        "character:\n"
        "Alice\n"
        "Beatrice\n"
        "freeform:\n"
        "Lanterns\n"
    )
    work = parse(text)
    assert work.title == "The Lantern"
    assert work.summary == "A story about a lantern.\n\nNote: it glows."
    assert work.language == "fr"
    assert work.tags == {
        TagKind.RATING: ["Teen And Up Audiences"],
        TagKind.ARCHIVE_WARNING: ["No Archive Warnings Apply"],
        TagKind.CATEGORY: ["F/F", "Gen"],
        TagKind.FANDOM: ["Original Work"],
        TagKind.RELATIONSHIP: ["Alice/Beatrice"],
        TagKind.CHARACTER: ["Alice", "Beatrice"],
        TagKind.FREEFORM: ["Lanterns"],
    }


def test_section_names_ignore_case_and_spaces_for_underscores():
    work = parse(seed(tags="Archive Warning:\nMajor Character Death\nFREEFORM:\nAngst\n"))
    assert work.tags[TagKind.ARCHIVE_WARNING] == ["Major Character Death"]
    assert work.tags[TagKind.FREEFORM] == ["Angst"]


def test_a_tag_with_a_colon_inside_is_a_tag():
    work = parse(seed(tags="fandom:\nStar Wars: The Clone Wars\n"))
    assert work.tags[TagKind.FANDOM] == ["Star Wars: The Clone Wars"]


def test_bad_language_is_an_error_naming_the_line():
    with pytest.raises(SeedError, match=r"^line 1: 'Klingonese' is not a language"):
        parse("language: Klingonese\nWork Text:\nQapla'.\n")


# Chapters


def test_chapter_headings_with_and_without_titles_split_the_text():
    text = (
        "Chapter 1: The Lantern\n"
        "It was dark.\n"
        "\n"
        "Chapter 2\n"
        "Then light.\n"
        "\n"
        "chapter 3 - Dawn\n"
        "Morning.\n"
        "CHAPTER 4. The End\n"
        "Night again.\n"
        "Chapter 5:\u00a0\n"
        "Epilogue.\n"
    )
    work = parse(seed(text))
    assert [(c.title, c.text) for c in work.chapters] == [
        ("The Lantern", "It was dark."),
        ("", "Then light."),
        ("Dawn", "Morning."),
        ("The End", "Night again."),
        ("", "Epilogue."),
    ]


def test_chapter_heading_must_stand_alone_on_its_line():
    text = "Chapter 2 was the one she hated.\n\nShe read Chapter 3: twice."
    work = parse(seed(text))
    assert len(work.chapters) == 1
    assert work.chapters[0].text == text


def test_text_before_the_first_heading_becomes_an_untitled_chapter():
    work = parse(seed("A prologue, untitled.\n\nChapter 1: Start\nThe story starts."))
    assert [(c.title, c.text) for c in work.chapters] == [
        ("", "A prologue, untitled."),
        ("Start", "The story starts."),
    ]


def test_blank_lines_before_the_first_heading_make_no_chapter():
    work = parse(seed("\n\n\nChapter 1: Start\nThe story starts."))
    assert [(c.title, c.text) for c in work.chapters] == [("Start", "The story starts.")]


def test_over_long_chapter_title_is_an_error_naming_the_line():
    with pytest.raises(SeedError, match=r"^line 3: the chapter title has 300 characters"):
        parse(f"Work Text:\nIntro.\nChapter 2: {'x' * 300}\nText.\n")


# Titles


def test_given_title_is_used_as_is():
    work = parse("title:  The   Lantern’s “Glow”  \nWork Text:\n" + "word " * 100)
    assert work.title == "The Lantern’s “Glow”"


def test_generated_title_is_cut_at_a_word_boundary_with_an_ellipsis():
    text = (
        "Once upon a time there was a lantern that glowed brighter than anything in the whole town."
    )
    work = parse(seed(text))
    assert work.title.endswith("…")
    assert len(work.title) <= GENERATED_TITLE_LENGTH
    stem = work.title.removesuffix("…")
    assert text.startswith(stem)
    assert text[len(stem)] == " "  # cut between words, not inside one
    assert len(stem) > GENERATED_TITLE_LENGTH - 15  # and not needlessly short


def test_generated_title_keeps_a_short_text_whole_and_collapses_its_spaces():
    work = parse(seed("A short\n\n  story."))
    assert work.title == "A short story."


def test_generated_title_drops_punctuation_before_the_ellipsis():
    text = "Lanterns, candles, torches, fires, stars, moons; everything glowing, forever and ever"
    work = parse(seed(text))
    assert not re.search(r"[,;:.]…$", work.title)
    assert work.title.endswith("…")


def test_generated_title_of_one_endless_word_is_still_short():
    work = parse(seed("a" * 500))
    assert work.title == "a" * (GENERATED_TITLE_LENGTH - 1) + "…"


def test_generated_title_reads_through_chapter_headings():
    work = parse(seed("Chapter 1: Beginning\nHello there."))
    assert work.title == "Hello there."


def test_over_long_given_title_is_an_error():
    with pytest.raises(SeedError, match=r"^line 1: the title has 300 characters"):
        parse(f"title: {'x' * 300}\nWork Text:\nText.\n")


# Defaults and the tags section


def test_no_tags_section_gives_default_rating_and_warning():
    work = parse("Work Text:\nJust a story.\nWith two lines.\n")
    assert work.chapters[0].text == "Just a story.\nWith two lines."
    assert work.tags == {
        TagKind.RATING: ["Not Rated"],
        TagKind.ARCHIVE_WARNING: ["Creator Chose Not To Use Archive Warnings"],
    }


def test_rating_is_matched_to_its_canonical_name():
    work = parse(seed(tags="rating:\nexplicit\n"))
    assert work.tags[TagKind.RATING] == ["Explicit"]


def test_bad_rating_is_an_error_naming_the_line_and_the_choices():
    with pytest.raises(SeedError) as error:
        parse(seed(tags="rating:\nSuper Explicit\n"))
    message = str(error.value)
    assert message.startswith("line 6: 'Super Explicit' is not one of: ")
    assert "General Audiences" in message
    assert "Not Rated" in message


def test_two_ratings_is_an_error_naming_the_second():
    with pytest.raises(SeedError, match=r"^line 7: a work has one rating"):
        parse(seed(tags="rating:\nMature\nExplicit\n"))


def test_the_same_rating_twice_is_one_rating():
    work = parse(seed(tags="rating:\nMature\nmature\n"))
    assert work.tags[TagKind.RATING] == ["Mature"]


def test_bad_warning_and_category_are_errors():
    with pytest.raises(SeedError, match=r"^line 6: 'Spiders' is not one of"):
        parse(seed(tags="archive_warning:\nSpiders\n"))
    with pytest.raises(SeedError, match=r"^line 6: 'M/M/M' is not one of"):
        parse(seed(tags="category:\nM/M/M\n"))


def test_unknown_section_is_an_error_naming_the_line():
    text = seed(tags="freeform:\nFluff\n\nships:\nA/B\n")
    with pytest.raises(SeedError) as error:
        parse(text)
    message = str(error.value)
    assert message.startswith("line 8: unknown section 'ships:'")
    assert text.split("\n")[7] == "ships:"
    assert "relationship" in message  # says which sections there are


def test_misspelt_section_with_spaces_is_an_error_not_a_tag():
    with pytest.raises(SeedError, match=r"^line 8: unknown section 'Additional Tags:'"):
        parse(seed(tags="freeform:\nFluff\n\nAdditional Tags:\nAngst\n"))


def test_unknown_section_before_work_text_is_an_error_naming_the_line():
    with pytest.raises(SeedError, match=r"^line 2: unknown section 'author:'"):
        parse("title: T\nauthor:\nSomeone\nWork Text:\nText.\n")


def test_a_tag_outside_any_section_is_an_error_naming_the_line():
    with pytest.raises(SeedError, match=r"^line 5: 'Fluff' is outside any section"):
        parse(seed(tags="Fluff\n"))


def test_over_long_tag_is_an_error_naming_the_line():
    with pytest.raises(SeedError, match=r"^line 6: tag '.*' has 151 characters; at most 150"):
        parse(seed(tags="freeform:\n" + "x" * 151 + "\n"))


def test_tag_of_exactly_150_characters_is_fine():
    work = parse(seed(tags="freeform:\n" + "x" * 150 + "\n"))
    assert work.tags[TagKind.FREEFORM] == ["x" * 150]


def test_inline_section_values_are_read():
    work = parse(seed(tags="rating: Mature\nfreeform: Fluff\nAngst\n"))
    assert work.tags[TagKind.RATING] == ["Mature"]
    assert work.tags[TagKind.FREEFORM] == ["Fluff", "Angst"]


def test_tag_marker_glued_to_a_cut_off_word_still_ends_the_text():
    work = parse("Work Text:\nShe couldn’t con[starting tags]\nfreeform:\nOops\n")
    assert work.chapters[0].text == "She couldn’t con"
    assert work.tags[TagKind.FREEFORM] == ["Oops"]


def test_text_on_the_work_text_line_is_part_of_the_text():
    work = parse("Work Text: Once upon a time.\nThe end.\n")
    assert work.chapters[0].text == "Once upon a time.\nThe end."


# Files that are not seeds


def test_missing_work_text_is_an_error():
    with pytest.raises(SeedError, match="no 'Work Text:' line"):
        parse("title: Hello\nfreeform:\nFluff\n")


def test_empty_file_is_an_error():
    with pytest.raises(SeedError, match="no 'Work Text:' line"):
        parse_bytes(b"")


@pytest.mark.parametrize(
    "text",
    [
        "Work Text:\n\n   \n[starting tags]\nfreeform:\nFluff\n",
        "Work Text:\n",
        "Work Text:\nChapter 1: Empty\n\nChapter 2\n",
    ],
)
def test_work_text_without_any_text_is_an_error(text):
    with pytest.raises(SeedError, match=r"^line 1: 'Work Text:' is followed by no text"):
        parse(text)


def test_nul_bytes_are_not_text():
    with pytest.raises(SeedError, match="not a text file"):
        decode_seed(b"Work Text:\nHello\x00world\n")


def test_binary_junk_is_not_utf8():
    junk = bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0xFF, 0xD8, 0xC3, 0x28])
    with pytest.raises(SeedError, match=r"not UTF-8 text \(bad byte at offset 0\)"):
        decode_seed(junk + b"Work Text:\nHello\n")


def test_latin1_text_is_not_utf8_and_the_message_says_where():
    data = "Work Text:\nUn café.\n".encode("latin-1")
    with pytest.raises(SeedError, match=r"^not UTF-8 text \(bad byte at offset 17\)$"):
        decode_seed(data)


def test_utf16_text_is_refused_with_a_clear_message():
    with pytest.raises(SeedError, match="UTF-16"):
        decode_seed("Work Text:\nHello\n".encode("utf-16"))


# Size


def test_a_700_kb_chapter_is_one_chapter_with_all_its_text():
    paragraph = "The lantern swung in the wind and the light went everywhere at once. " * 10
    body = "\n\n".join([paragraph.strip()] * 1100)
    assert len(body.encode()) > 700_000
    work = parse(seed(body, tags="freeform:\nLong\n"))
    assert len(work.chapters) == 1
    assert work.chapters[0].text == body
    assert len(work.title) <= GENERATED_TITLE_LENGTH


def test_a_long_line_without_a_colon_is_read_in_linear_time():
    """A header line of 150,000 spaces took the section pattern minutes to refuse (it
    backtracked over the spaces), holding a worker until it was killed."""
    import time

    text = "a" + " " * 150_000 + "b\nWork Text:\nChapter text that is long enough.\n"
    started = time.monotonic()
    with pytest.raises(SeedError):
        parse_seed(text)
    # "A clear message in seconds": the old pattern took 10 s at 60,000 spaces.
    assert time.monotonic() - started < 2
