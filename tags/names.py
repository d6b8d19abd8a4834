"""Tag names as people type them: one spelling of a name, and a comma-separated list of them."""

import re

_SPACES = re.compile(r"\s+")


def clean_tag_name(raw: str) -> str:
    """The name with each run of whitespace made one space and its ends trimmed."""
    return _SPACES.sub(" ", raw).strip()


def parse_tag_names(raw: str) -> list[str]:
    """'A, B,,c ' → ['A', 'B', 'c'], keeping the first spelling of case-insensitive repeats."""
    names, seen = [], set()
    for part in raw.split(","):
        name = clean_tag_name(part)
        if name and name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names
