"""Turning what authors and seed files give us into safe HTML, and counting its words."""

import html
import re

import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "big", "blockquote", "br", "caption", "center", "cite", "code", "col",
    "colgroup", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt"},
    "span": {"class"},
    "div": {"class"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src"}

_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*\n\s*")
_WORD = re.compile(r"\w+(?:['’\-]\w+)*")
_TAG = re.compile(r"<[^>]*>")
_BLOCK_TAG = re.compile(
    r"<(?:p|div|blockquote|ul|ol|dl|h[1-6]|table|pre|hr|center)\b", re.IGNORECASE
)
# Control characters and the spaces DOMPurify also ignores when it reads a URL's scheme.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f-\xa0\u1680\u180e\u2000-\u2029\u205f\u3000\ufeff]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def sanitize_html(markup):
    """Keep only the allowlisted tags and attributes; links get rel=nofollow."""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_drop_hidden_schemes,
        link_rel="nofollow",
        strip_comments=True,
    )


def _drop_hidden_schemes(element, attribute, value):
    """Drop a URL whose scheme is hidden by control characters or spaces ("\\x01java\\x03script:").

    nh3 reads such a URL as relative and keeps it; some browsers skip those characters.
    """
    if attribute in URL_ATTRIBUTES:
        scheme = _SCHEME.match(_URL_NOISE.sub("", html.unescape(value)).lower())
        if scheme and scheme.group(1) not in URL_SCHEMES:
            return None
    return value


def render_user_html(markup):
    """What an author typed, as the HTML we store and show: paragraphs, then sanitized."""
    return sanitize_html(with_paragraphs(markup))


def with_paragraphs(markup):
    """Markup with no block elements gets AO3's paragraphs: a blank line starts a new <p>,
    a single newline is a <br />. Its inline HTML is kept for the sanitizer to judge."""
    if not markup.strip() or _BLOCK_TAG.search(markup):
        return markup
    text = markup.replace("\r\n", "\n").replace("\r", "\n").strip()
    return "\n".join(
        "<p>" + "<br />\n".join(line.rstrip() for line in block.split("\n")) + "</p>"
        for block in _BLANK_LINES.split(text)
    )


def plain_text_to_html(text):
    """Plain text as HTML: a blank line starts a new paragraph, a single newline is a <br />."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    paragraphs = []
    for block in _BLANK_LINES.split(text):
        lines = [html.escape(line.rstrip(), quote=False) for line in block.split("\n")]
        paragraphs.append("<p>" + "<br />\n".join(lines) + "</p>")
    return "\n".join(paragraphs)


def count_words(markup):
    """Words in rendered HTML, counted over its text only."""
    return len(_WORD.findall(html.unescape(_TAG.sub(" ", markup))))
