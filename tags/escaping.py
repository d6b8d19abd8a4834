"""AO3's escaping of tag names in URLs: `/` `&` `.` `?` `#` become `*s*` `*a*` `*d*` `*q*` `*h*`.

`*` may not appear in a tag name, so the escapes cannot be confused with the name's own text.
Percent-encoding of the rest is left to Django's `reverse()`.
"""

_ESCAPES = [("/", "*s*"), ("&", "*a*"), (".", "*d*"), ("?", "*q*"), ("#", "*h*")]


def escape_tag(name: str) -> str:
    """The URL path segment for a tag name, before percent-encoding."""
    for char, code in _ESCAPES:
        name = name.replace(char, code)
    return name


def unescape_tag(segment: str) -> str:
    """The tag name a percent-decoded URL path segment stands for."""
    for char, code in _ESCAPES:
        segment = segment.replace(code, char)
    return segment
