"""Loading seed files into the database, one transaction per file, never twice the same content."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower

from tags.models import Tag
from works.models import Chapter, TaggedWork, Work
from works.rendering import plain_text_to_html
from works.seeds import SeedError, decode_seed, parse_seed


@dataclass
class ImportResult:
    path: Path
    status: str  # "imported", "unchanged" or "failed"
    work: Work | None = None
    message: str = ""


def seed_files(paths):
    """Every file named, and every file inside each directory named, in name order."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        else:
            found.append(path)
    return found


def import_seed_file(path):
    """Import one seed file; the result says what happened and never raises for bad input."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return ImportResult(path, "failed", message=f"cannot read it: {error.strerror}")
    digest = hashlib.sha256(data).hexdigest()
    existing = Work.objects.filter(source_hash=digest).first()
    if existing:
        return ImportResult(path, "unchanged", existing, "already imported, nothing changed")
    try:
        seed = parse_seed(decode_seed(data))
    except SeedError as error:
        return ImportResult(path, "failed", message=str(error))
    try:
        work = create_work_from_seed(seed, source_hash=digest)
    except IntegrityError:
        # Another import of the same content won the race.
        existing = Work.objects.filter(source_hash=digest).first()
        if existing is None:
            raise
        return ImportResult(path, "unchanged", existing, "already imported, nothing changed")
    return ImportResult(path, "imported", work)


@transaction.atomic
def create_work_from_seed(seed, *, source_hash):
    """Create a posted work, its chapters and tags from a parsed seed, all or nothing."""
    work = Work.objects.create(
        title=seed.title,
        summary=plain_text_to_html(seed.summary),
        language=seed.language,
        complete=True,
        expected_chapters=len(seed.chapters),
        source_hash=source_hash,
    )
    for position, chapter in enumerate(seed.chapters, start=1):
        Chapter.objects.create(
            work=work, position=position, title=chapter.title,
            text=plain_text_to_html(chapter.text),
        )  # fmt: skip
    tags = find_or_create_tags(seed.tags)
    TaggedWork.objects.bulk_create(TaggedWork(content_object=work, tag=tag) for tag in tags)
    return work


def find_or_create_tags(names_by_kind):
    """Tags for {kind: [name, …]}, matching existing names case-insensitively within a kind."""
    wanted = [(kind, name) for kind, names in names_by_kind.items() for name in names]
    if not wanted:
        return []
    condition = Q()
    for kind, name in wanted:
        condition |= Q(kind=kind, lower_name=name.lower())
    existing = {
        (tag.kind, tag.lower_name): tag
        for tag in Tag.objects.annotate(lower_name=Lower("name")).filter(condition)
    }
    tags = []
    for kind, name in wanted:
        tag = existing.get((kind, name.lower()))
        if tag is None:
            tag, _ = Tag.objects.get_or_create(
                kind=kind, name__iexact=name, defaults={"name": name, "kind": kind}
            )
        tags.append(tag)
    return tags
