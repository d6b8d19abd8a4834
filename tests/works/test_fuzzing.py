"""Fuzzing the seed parser and the upload converters: any input ends in a result or in the
error type whose message the user sees, never in a crash."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from works.seeds import SeedError, SeedWork, decode_seed, parse_seed
from works.uploads import ACCEPTED_EXTENSIONS, Converted, UploadError, convert_upload

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SECTION_NAMES = ["fandom", "relationship", "freeform", "rating", "title", "summary", "bogus"]
# Lines a seed file is made of, so the fuzzer reaches past "no Work Text:".
SEED_LINES = st.one_of(
    st.just("Work Text:"),
    st.just("[starting tags]"),
    st.sampled_from(SECTION_NAMES).map(lambda name: f"{name}:"),
    st.from_regex(r"Chapter [0-9]{1,3}(: [^\n]{0,20})?", fullmatch=True),
    st.text(max_size=80).map(lambda text: text.replace("\n", " ")),
)


def _check_seed(data):
    try:
        work = parse_seed(decode_seed(data))
    except SeedError as error:
        assert str(error)
    else:
        assert isinstance(work, SeedWork)
        assert work.title and work.chapters


@FUZZ
@given(st.binary(max_size=2000))
def test_seed_parser_survives_any_bytes(data):
    _check_seed(data)


@FUZZ
@given(st.lists(SEED_LINES, max_size=40), st.sampled_from(["\n", "\r\n", "\r"]))
def test_seed_parser_survives_seed_shaped_text(lines, newline):
    _check_seed(("\ufeff" + newline.join(lines)).encode("utf-8"))


def _check_upload(name, data):
    # In this process: the sandbox would turn a converter's crash into a polite message.
    try:
        converted = convert_upload(SimpleUploadedFile(name, data), sandboxed=False)
    except UploadError as error:
        assert str(error)
    else:
        assert isinstance(converted, Converted)
        assert converted.chapters


@FUZZ
@given(st.sampled_from(ACCEPTED_EXTENSIONS), st.binary(max_size=3000))
def test_converters_survive_any_bytes(extension, data):
    _check_upload(f"upload{extension}", data)


@FUZZ
@given(
    st.sampled_from([".html", ".md", ".txt"]),
    st.text(alphabet=st.sampled_from(list("<>/=\"' &;#abpdivscript\n")), max_size=500),
)
def test_text_converters_survive_markup_shaped_text(extension, text):
    _check_upload(f"upload{extension}", text.encode("utf-8"))


@FUZZ
@given(
    st.sampled_from([".docx", ".epub"]),
    st.dictionaries(
        st.sampled_from(
            ["mimetype", "META-INF/container.xml", "word/document.xml", "content.opf",
             "[Content_Types].xml", "chapter.xhtml"]
        ),
        st.binary(max_size=300),
        max_size=5,
    ),
)  # fmt: skip
def test_zip_converters_survive_broken_archives(extension, members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    _check_upload(f"upload{extension}", buffer.getvalue())
