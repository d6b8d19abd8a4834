"""What a reader would see of an uploaded HTML document, kept to markup that works on our pages."""

import html
import re
from html.parser import HTMLParser

import nh3

from works.checking import LimitError, check_parsing_cost
from works.converted import UploadError
from works.rendering import ALLOWED_TAGS

# What browsers ignore around and inside a URL's scheme.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_BODY_START = re.compile(r"<body\b[^<>]*>", re.IGNORECASE)
_MARKUP = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")

# Never text of a story: removed with their content. Head elements (title, meta) are
# dropped too, since the normalizing pass reads a document as the content of a <body>.
_DROPPED_WITH_CONTENT = {
    "script", "style", "title", "template", "noscript", "iframe", "object", "noembed",
    "noframes", "canvas", "video", "audio", "svg", "button", "select", "textarea",
}  # fmt: skip
# What the normalizing pass keeps: the sanitizer's allowlist and a little more markup a
# later allowlist (workskins) might want; the sanitizer has the last word either way.
_KEPT_TAGS = ALLOWED_TAGS | {
    "acronym", "address", "article", "aside", "bdi", "bdo", "details", "dfn", "figcaption",
    "figure", "footer", "header", "kbd", "mark", "q", "rp", "rt", "ruby", "samp", "section",
    "strike", "summary", "tt", "var",
}  # fmt: skip
_KEPT_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
}


def extract_body(markup):
    """(what a reader of this HTML would see, as HTML; the text of its first h1-h3 or None).

    html5ever (through nh3) first turns whatever was given into well-formed HTML without
    head, scripts, styles, frames and the like, in linear time; html.parser, which can take
    quadratic time on malformed markup, then only reads that.
    """
    check_cost(markup)
    # Only the body is read: an XHTML head's <title/> would swallow all that follows it.
    body = _BODY_START.search(markup)
    normalized = nh3.clean(
        markup[body.end() :] if body else markup,
        tags=_KEPT_TAGS,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes=_KEPT_ATTRIBUTES,
        strip_comments=True,
        link_rel=None,
    )
    parser = _BodyExtractor()
    parser.feed(normalized)
    parser.close()
    return "".join(parser.parts).strip(), parser.heading


def check_cost(markup):
    """Refuse an upload whose markup would take the sanitizer minutes to read."""
    try:
        check_parsing_cost(markup)
    except LimitError as error:
        raise UploadError(str(error)) from None


def has_content(markup):
    return bool(html.unescape(_MARKUP.sub("", markup)).strip()) or "<img" in markup


class _BodyExtractor(HTMLParser):
    """Re-emits normalized HTML without what cannot work on our pages, noting its first heading.

    Images that are not on the web go (nothing inside an upload is served, and e-books' alt
    texts are mostly "Cover" or "Illo1"); links relative to the uploaded file, or whose
    href the normalizing pass removed, are unwrapped to their text. The first h1-h3 names
    an e-book's chapter.
    """

    VOID = {"area", "br", "col", "hr", "img", "wbr"}
    TITLE_HEADINGS = {"h1", "h2", "h3"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.heading = None
        self._links = []  # for each open <a>: whether its tags are kept
        self._heading_tag = None
        self._heading_text = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img" and not _is_web_url(attributes.get("src")):
            return
        if tag == "a":
            keep = _is_followable(attributes.get("href"))
            self._links.append(keep)
            if not keep:
                return
        if tag in self.TITLE_HEADINGS and self.heading is None and self._heading_tag is None:
            self._heading_tag = tag
        rendered = "".join(
            f" {name}" if value is None else f' {name}="{html.escape(value)}"'
            for name, value in attrs
        )
        self.parts.append(f"<{tag}{rendered}>")

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if tag == "a" and not (self._links and self._links.pop()):
            return
        if tag == self._heading_tag:
            self.heading = _SPACES.sub(" ", "".join(self._heading_text)).strip() or None
            self._heading_tag = None  # an empty heading names nothing: the next one may
        self.parts.append(f"</{tag}>")

    def handle_data(self, data):
        if self._heading_tag:
            self._heading_text.append(data)
        self.parts.append(html.escape(data, quote=False))


def _scheme_free(url):
    return _URL_NOISE.sub("", url or "").lower()


def _is_web_url(url):
    return _scheme_free(url).startswith(("http://", "https://"))


def _is_followable(href):
    """Whether a link in an upload still leads somewhere once its text is on our pages."""
    url = _scheme_free(href)
    if url.startswith(("http://", "https://", "mailto:")):
        return True
    # A root-relative link points into this archive; "//host" is another site's.
    return url.startswith("/") and not url.startswith("//")
