"""What an upload becomes, chapters of (not yet sanitized) HTML, or the error saying why not."""

from dataclasses import dataclass

from archive.errors import ServiceError


class UploadError(ServiceError):
    """An upload we cannot turn into chapters; the message tells the user what was wrong."""


@dataclass
class ConvertedChapter:
    title: str
    html: str


@dataclass
class Converted:
    chapters: list[ConvertedChapter]
    # Only for a seed export (a works.seeds.SeedWork), so that the form can fill in the
    # title, summary and tags.
    seed: object = None
