"""Loading seed files into the database, one transaction per file, never twice the same content."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, IntegrityError

from works.models import Work
from works.rendering import plain_text_to_html
from works.seeds import SeedError, SeedWork, decode_seed, parse_seed
from works.services import ChapterText, WorkError, work_create


@dataclass
class ImportResult:
    path: Path
    status: str  # "imported", "unchanged" or "failed"
    work: Work | None = None
    message: str = ""


def seed_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every path named that is not a directory, and every file inside each directory named.

    Files in a directory come in name order, skipping hidden ones (.gitkeep, editor swap
    files); a path that does not exist is kept so that its import reports it.
    """
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if _visible_file(p, path)))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _visible_file(path: Path, root: Path) -> bool:
    return path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)


def import_seed_file(path: str | Path) -> ImportResult:
    """Import one seed file; the result says what happened and never raises for bad input."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return ImportResult(path, "failed", message=f"cannot read it: {error.strerror}")
    try:
        text = decode_seed(data)
    except SeedError as error:
        return ImportResult(path, "failed", message=str(error))
    # Hashing the decoded text makes a copy saved with a BOM or CRLF line ends the same
    # content; for a plain UTF-8 file it is the hash of the file's bytes.
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = Work.objects.filter(source_hash=digest).first()
    if existing:
        return ImportResult(path, "unchanged", existing, "already imported, nothing changed")
    try:
        seed = parse_seed(text)
    except SeedError as error:
        return ImportResult(path, "failed", message=str(error))
    try:
        work = create_work_from_seed(seed, source_hash=digest)
    except WorkError as error:
        return ImportResult(path, "failed", message=str(error))
    except IntegrityError as error:
        # Another import of the same content may have won the race.
        existing = Work.objects.filter(source_hash=digest).first()
        if existing is None:
            return ImportResult(path, "failed", message=_database_message(error))
        return ImportResult(path, "unchanged", existing, "already imported, nothing changed")
    except DatabaseError as error:
        # The transaction rolled back, so nothing of this file is stored; the next files
        # still get their turn.
        return ImportResult(path, "failed", message=_database_message(error))
    return ImportResult(path, "imported", work)


def _database_message(error: DatabaseError) -> str:
    first_line = str(error).strip().split("\n", 1)[0]
    return f"the database refused it: {first_line}"


def create_work_from_seed(seed: SeedWork, *, source_hash: str) -> Work:
    """Create a posted work, its chapters and tags from a parsed seed, all or nothing; a seed
    past the limits any post is held to is a WorkError."""
    return work_create(
        title=seed.title,
        summary=plain_text_to_html(seed.summary),
        language=seed.language,
        complete=True,
        expected_chapters=len(seed.chapters),
        source_hash=source_hash,
        chapters=[ChapterText(c.title, plain_text_to_html(c.text)) for c in seed.chapters],
        tag_names=seed.tags,
    )
