"""Wrangling writes: canonical tags, synonyms, parents and fandoms' media, each change
recorded and undoable.

Works keep the ids of the tags their authors typed (`Work.tag_ids`); a change here only
rewrites TagFilter (which tags each filter finds) and the totals of the tags above the
changed one, so listings follow at once without touching the works.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from archive import caching
from archive.errors import ServiceError
from archive.transactions import retry_on_conflict
from tags.counting import recount_tags
from tags.models import (
    FIXED_KINDS,
    Medium,
    Tag,
    TagFilter,
    TagKind,
    TagParent,
    WranglingChange,
    lock_tag_graph,
    parent_kinds,
    refresh_filters,
    tags_below,
)
from tags.signals import fandom_mergers_changed

WRANGLERS_GROUP = "Wranglers"


class WranglingError(ServiceError):
    """A change the wrangling rules refuse; the message is for the wrangler."""


def is_wrangler(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Staff accounts in the Wranglers group, and superusers."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.is_staff and user.groups.filter(name=WRANGLERS_GROUP).exists()


@dataclass(frozen=True)
class TagState:
    """What wrangling sets on a tag."""

    canonical: bool = False
    merger_id: int | None = None
    parent_ids: frozenset[int] = frozenset()
    medium: str = Medium.UNCATEGORIZED

    @classmethod
    def of(cls, tag: Tag) -> "TagState":
        parents = TagParent.objects.filter(child=tag).values_list("parent_id", flat=True)
        return cls(tag.canonical, tag.merger_id, frozenset(parents), tag.medium)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "TagState":
        medium = data.get("medium", Medium.UNCATEGORIZED)
        return cls(data["canonical"], data["merger"], frozenset(data["parents"]), medium)

    def as_json(self) -> dict[str, Any]:
        data = {
            "canonical": self.canonical,
            "merger": self.merger_id,
            "parents": sorted(self.parent_ids),
        }
        # Left out at its default, as in the changes recorded before fandoms had media.
        if self.medium != Medium.UNCATEGORIZED:
            data["medium"] = str(self.medium)
        return data

    def describe_change(self, after: "TagState", names: Mapping[int, str]) -> str:
        """What going from this state to `after` does, in words; `names` maps ids to names."""

        def listed(ids: Iterable[int]) -> str:
            return ", ".join(sorted(names.get(pk, f"#{pk}") for pk in ids))

        parts = []
        if self.merger_id != after.merger_id:
            if self.merger_id:
                parts.append(f"no longer a synonym of {listed([self.merger_id])}")
            if after.merger_id:
                parts.append(f"made a synonym of {listed([after.merger_id])}")
        if self.canonical != after.canonical:
            parts.append("made canonical" if after.canonical else "made not canonical")
        if added := after.parent_ids - self.parent_ids:
            parts.append(f"parents added: {listed(added)}")
        if removed := self.parent_ids - after.parent_ids:
            parts.append(f"parents removed: {listed(removed)}")
        if self.medium != after.medium:
            parts.append(f"medium set to {Medium(after.medium).label}")
        text = "; ".join(parts) or "no change"
        return text[:1].upper() + text[1:]

    def made_canonical(self) -> "TagState":
        return replace(self, canonical=True, merger_id=None)

    def made_synonym_of(self, tag: Tag) -> "TagState":
        return replace(self, canonical=False, merger_id=tag.pk, parent_ids=frozenset())

    def with_parent(self, tag: Tag) -> "TagState":
        return replace(self.made_canonical(), parent_ids=self.parent_ids | {tag.pk})


@retry_on_conflict
def wrangle(
    tag: Tag,
    state: TagState,
    *,
    by: AbstractBaseUser | None,
    undoes: WranglingChange | None = None,
) -> WranglingChange | None:
    """Give `tag` this state, record the change and keep filters and totals in step.

    Returns the recorded change, or None when the tag already had this state.
    """
    with transaction.atomic():
        _lock_graph()
        # No key lock: posts may still insert taggings of this tag while it is wrangled.
        tag = Tag.objects.select_for_update(no_key=True).get(pk=tag.pk)
        before = TagState.of(tag)
        if state == before:
            return None
        _check(tag, state)
        below = tags_below(tag.pk)
        filters_before = _filters_above(tag)
        tag.canonical, tag.merger_id, tag.medium = state.canonical, state.merger_id, state.medium
        tag.save(update_fields=["canonical", "merger", "medium"])
        TagParent.objects.filter(child=tag).exclude(parent_id__in=state.parent_ids).delete()
        TagParent.objects.bulk_create(
            [TagParent(child=tag, parent_id=pk) for pk in state.parent_ids - before.parent_ids]
        )
        refresh_filters(below)
        recount_tags(filters_before | _filters_above(tag))
        if tag.kind == TagKind.FANDOM and state.merger_id != before.merger_id:
            fandom_mergers_changed.send(sender=Tag, fandom_ids=[tag.pk])
        change = WranglingChange.objects.create(
            tag=tag, user=by, before=before.as_json(), after=state.as_json(), undoes=undoes
        )
        caching.graph_changed()
    return change


@retry_on_conflict
def wrangle_many(
    tags: Iterable[Tag],
    change_state: Callable[[TagState], TagState],
    *,
    by: AbstractBaseUser | None,
) -> list[WranglingChange]:
    """Apply `change_state(TagState) -> TagState` to each tag, all or none."""
    with transaction.atomic():
        changes = [wrangle(tag, change_state(TagState.of(tag)), by=by) for tag in tags]
    return [change for change in changes if change]


@retry_on_conflict
def undo(change: WranglingChange, *, by: AbstractBaseUser | None) -> WranglingChange | None:
    """Put the tag back as it was before `change`, if nothing has changed it since."""
    with transaction.atomic():
        _lock_graph()
        tag = Tag.objects.get(pk=change.tag_id)
        if TagState.of(tag) != TagState.from_json(change.after):
            raise WranglingError(
                f"'{tag.name}' has been wrangled again since this change:"
                " undo the later changes first."
            )
        wanted = _ids_in(change.before)
        if Tag.objects.filter(pk__in=wanted).count() != len(wanted):
            raise WranglingError(
                f"A tag this change pointed '{tag.name}' away from no longer exists."
            )
        return wrangle(tag, TagState.from_json(change.before), by=by, undoes=change)


def _lock_graph() -> None:
    # One wrangling change at a time, since each reads the graph it is about to change (for
    # loops); and none while a post counts itself into the totals the change recounts.
    lock_tag_graph(exclusive=True)


def _ids_in(state_json: Mapping[str, Any]) -> list[int]:
    return [pk for pk in [state_json["merger"], *state_json["parents"]] if pk is not None]


def _filters_above(tag: Tag) -> set[int]:
    return set(TagFilter.objects.filter(tag=tag).values_list("filter_id", flat=True))


def _check(tag: Tag, state: TagState) -> None:
    """Refuse, naming the tag, what would break the graph: a wrong kind, a loop, a synonym
    of a synonym, a tag that others point at losing its canonical status, or a medium that
    is not one or not on a fandom."""
    name = tag.name
    if tag.kind in FIXED_KINDS:
        raise WranglingError(
            f"'{name}' is a {tag.get_kind_display().lower()}: ratings, warnings and categories"
            " are fixed and cannot be wrangled."
        )
    if state.medium not in Medium.values:
        raise WranglingError(f"'{state.medium}' is not one of the media.")
    if state.medium != Medium.UNCATEGORIZED and tag.kind != TagKind.FANDOM:
        raise WranglingError(
            f"'{name}' is a {tag.get_kind_display().lower()} tag: only fandoms belong to a medium."
        )
    if state.merger_id is not None:
        merger = Tag.objects.filter(pk=state.merger_id).first()
        if merger is None:
            raise WranglingError(f"The tag '{name}' was to be a synonym of no longer exists.")
        if merger.pk == tag.pk:
            raise WranglingError(f"'{name}' cannot be a synonym of itself.")
        if merger.kind != tag.kind:
            raise WranglingError(
                f"'{name}' is a {tag.get_kind_display().lower()} tag and '{merger.name}' a"
                f" {merger.get_kind_display().lower()} tag: a synonym must be of the same kind."
            )
        if not merger.canonical:
            raise WranglingError(
                f"'{merger.name}' is not canonical: make it canonical before pointing"
                f" '{name}' at it."
            )
        if state.canonical or state.parent_ids:
            raise WranglingError(
                f"A synonym is neither canonical nor has parents: '{name}' would be both."
            )
    if not state.canonical:
        if state.parent_ids and state.merger_id is None:
            raise WranglingError(f"Only canonical tags have parents: make '{name}' canonical.")
        _check_nothing_points_at(tag)
    parents = Tag.objects.filter(pk__in=state.parent_ids)
    if len(parents) != len(state.parent_ids):
        raise WranglingError(f"A parent chosen for '{name}' no longer exists.")
    below = tags_below(tag.pk)
    allowed = parent_kinds(tag.kind)
    for parent in parents:
        if parent.kind not in allowed:
            kinds = " or ".join(TagKind(kind).label.lower() for kind in allowed)
            raise WranglingError(
                f"'{parent.name}' is a {parent.get_kind_display().lower()} tag: a"
                f" {tag.get_kind_display().lower()} tag's parents are {kinds} tags."
            )
        if not parent.canonical:
            raise WranglingError(
                f"'{parent.name}' is not canonical: only canonical tags can be parents."
            )
        if parent.pk in below:
            raise WranglingError(
                f"'{parent.name}' is already below '{name}': making it a parent would make a loop."
            )


def _check_nothing_points_at(tag: Tag) -> None:
    synonyms = list(tag.synonyms.values_list("name", flat=True)[:5])
    if synonyms:
        raise WranglingError(
            f"'{tag.name}' has synonyms ({', '.join(synonyms)}): point them at another"
            " canonical tag before it stops being canonical."
        )
    children = list(tag.children.values_list("name", flat=True)[:5])
    if children:
        raise WranglingError(
            f"'{tag.name}' is the parent of {', '.join(children)}: remove it from them"
            " before it stops being canonical."
        )
