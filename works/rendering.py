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
# The one class a paragraph may carry: what a centred paragraph of an uploaded Word document
# becomes (works.converters), centred by the site's stylesheet.
CENTRED_CLASS = "center"
ALLOWED_CLASSES = {"p": {CENTRED_CLASS}}
URL_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src"}
# Pictures in works are other sites' files, as on AO3 (the Content-Security-Policy allows
# https images): they load when scrolled to and are told nothing of the page they are on.
IMAGE_ATTRIBUTES = {"img": {"referrerpolicy": "no-referrer", "loading": "lazy"}}

_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*\n\s*")
_WORD = re.compile(r"\w+(?:['’\-]\w+)*")
_TAG = re.compile(r"<[^>]*>")
_BLOCK_TAG = re.compile(
    r"<(?:p|div|blockquote|ul|ol|dl|h[1-6]|table|pre|hr|center)\b", re.IGNORECASE
)
# Control characters and the spaces DOMPurify also ignores when it reads a URL's scheme.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f-\xa0\u1680\u180e\u2000-\u2029\u205f\u3000\ufeff]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_HTTPS_URL = re.compile(r"^https://[^/?#\s]+", re.IGNORECASE)
# In nh3's output an attribute's value never holds a ">" (it is written &gt;).
_IMG = re.compile(r"<img\b[^>]*>")
# nh3 empties a paragraph's class of every name it does not allow rather than drop it. In
# its output a "<" is always a tag's, and a paragraph has no other attribute to follow.
_EMPTY_CLASS_P = '<p class="">'
# In what an author typed: each try stops at the next "<", so the scan stays linear however
# many unclosed tags there are (html.parser took 49 s over 20,000 "<a ").
_IMG_TAG = re.compile(r"<img\b[^<>]*", re.IGNORECASE)
_SRC = re.compile(r"""\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)


def sanitize_html(markup):
    """Keep only the allowlisted tags and attributes; links get rel=nofollow; pictures that
    can never show on the archive's https pages are dropped (see `unshowable_images`)."""
    cleaned = nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_filter_urls,
        set_tag_attribute_values=IMAGE_ATTRIBUTES,
        link_rel="nofollow",
        strip_comments=True,
    )
    cleaned = _IMG.sub(lambda tag: tag[0] if ' src="' in tag[0] else "", cleaned)
    return cleaned.replace(_EMPTY_CLASS_P, "<p>")


def _filter_urls(element, attribute, value):
    """Drop a URL whose scheme is hidden by control characters or spaces ("\\x01java\\x03script:"),
    and a picture's address that is not https.

    nh3 reads such a URL as relative and keeps it; some browsers skip those characters.
    """
    if attribute in URL_ATTRIBUTES:
        url = _URL_NOISE.sub("", html.unescape(value))
        scheme = _SCHEME.match(url.lower())
        if scheme and scheme.group(1) not in URL_SCHEMES:
            return None
        if element == "img" and attribute == "src" and not _shows(url):
            return None
    return value


def _shows(url):
    """Whether a picture at `url` can show: an absolute https address. An https page blocks
    http pictures (or upgrades them, to what may not exist), and a relative address would
    point into the archive itself, which holds no pictures of works."""
    return bool(_HTTPS_URL.match(url))


def unshowable_images(markup):
    """The addresses of the pictures in `markup` that the sanitizer drops (http, relative,
    data: and other schemes), to tell the author why they are missing."""
    sources = []
    for tag in _IMG_TAG.finditer(markup):
        src = _SRC.search(tag[0])
        if src:
            value = next(group for group in src.groups() if group is not None)
            sources.append(html.unescape(value))
    return [src for src in sources if src and not _shows(_URL_NOISE.sub("", src))]


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
