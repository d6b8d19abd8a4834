"""Wranglers' forms: a tag's canonical status, merger, parents and medium, and bulk
wrangling."""

from django import forms
from django.db.models.functions import Lower

from tags.models import KIND_CLASSES, Medium, Tag, TagKind, TagParent, parent_kinds
from tags.names import parse_tag_names
from tags.wrangling import TagState


def find_tags(kind, names):
    """({lowercased name: tag}, [names with no tag of this kind])."""
    lowered = [name.lower() for name in names]
    found = {
        tag.lower_name: tag
        for tag in Tag.objects.annotate(lower_name=Lower("name")).filter(
            kind=kind, lower_name__in=lowered
        )
    }
    return found, [name for name in names if name.lower() not in found]


def _missing(kind, names):
    label = TagKind(kind).label.lower()
    return "; ".join(f"There is no {label} tag named '{name}'." for name in names)


class TagWrangleForm(forms.Form):
    """Canonical or not, synonym of which tag, the parents of each allowed kind, and a
    fandom's medium."""

    canonical = forms.BooleanField(
        required=False,
        help_text="Canonical tags are offered to authors first and filter works by their"
        " synonyms and subtags too.",
    )
    synonym_of = forms.CharField(
        required=False,
        max_length=150,
        label="Synonym of",
        help_text="A canonical tag of the same kind. A synonym is neither canonical nor has"
        " parents: its works are found through that tag.",
    )

    def __init__(self, *args, tag, **kwargs):
        super().__init__(*args, **kwargs)
        self.tag = tag
        self.parent_fields = {}
        for kind in parent_kinds(tag.kind):
            name = f"parents_{kind}"
            label = "Metatags" if kind == tag.kind else f"Parent {KIND_CLASSES[kind][3].lower()}"
            self.fields[name] = forms.CharField(
                required=False,
                label=label,
                # The tag-suggestions script offers existing tags of this kind.
                widget=forms.TextInput(attrs={"data-tag-kind": kind, "size": 60}),
                help_text="Canonical tags, separated by commas.",
            )
            self.parent_fields[name] = kind
        self.fields["synonym_of"].widget.attrs.update({"data-tag-kind": tag.kind, "size": 60})
        if tag.kind == TagKind.FANDOM:
            self.fields["medium"] = forms.ChoiceField(
                choices=Medium.choices,
                # A post without it (a script, an older page) leaves the medium as it is.
                required=False,
                help_text="The media index (/media) lists the fandom under this medium.",
            )
        if not self.is_bound:
            self.initial = self._current()

    def _current(self):
        initial = {"canonical": self.tag.canonical, "medium": self.tag.medium}
        if self.tag.merger_id:
            initial["synonym_of"] = self.tag.merger.name
        links = TagParent.objects.filter(child=self.tag).select_related("parent")
        for field, kind in self.parent_fields.items():
            names = sorted(link.parent.name for link in links if link.parent.kind == kind)
            initial[field] = ", ".join(names)
        return initial

    def clean(self):
        data = super().clean()
        parent_ids = set()
        for field, kind in self.parent_fields.items():
            found, missing = find_tags(kind, parse_tag_names(data.get(field, "")))
            if missing:
                self.add_error(field, _missing(kind, missing))
            parent_ids.update(tag.pk for tag in found.values())
        merger_name = data.get("synonym_of", "").strip()
        merger = None
        if merger_name:
            found, missing = find_tags(self.tag.kind, [merger_name])
            if missing:
                self.add_error("synonym_of", _missing(self.tag.kind, missing))
            else:
                merger = found[merger_name.lower()]
        self.state = TagState(
            canonical=data.get("canonical", False),
            merger_id=merger.pk if merger else None,
            parent_ids=frozenset(parent_ids),
            medium=data.get("medium") or self.tag.medium,
        )
        return data


QUEUE_KINDS = {
    "characters": TagKind.CHARACTER,
    "relationships": TagKind.RELATIONSHIP,
    "freeforms": TagKind.FREEFORM,
}
BULK_ACTIONS = [
    ("canonical_here", "Make canonical, in this fandom"),
    ("canonical", "Make canonical"),
    ("synonym", "Make synonyms of:"),
]


class BulkWrangleForm(forms.Form):
    """Tags picked from a fandom's queue and what to do with all of them."""

    selected_tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.none(),
        error_messages={"required": "Pick at least one tag to wrangle."},
    )
    action = forms.ChoiceField(choices=BULK_ACTIONS)
    synonym_of = forms.CharField(required=False, max_length=150, label="Canonical tag")

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["selected_tags"].queryset = Tag.objects.filter(kind=kind)

    def clean(self):
        data = super().clean()
        self.merger = None
        if data.get("action") == "synonym":
            name = data.get("synonym_of", "").strip()
            if not name:
                self.add_error("synonym_of", "Name the canonical tag to make these synonyms of.")
            else:
                found, missing = find_tags(self.kind, [name])
                if missing:
                    self.add_error("synonym_of", _missing(self.kind, missing))
                else:
                    self.merger = found[name.lower()]
        return data

    def change_state(self, fandom):
        """The function wrangle_many applies to each selected tag's state."""
        action = self.cleaned_data["action"]
        if action == "synonym":
            return lambda state: state.made_synonym_of(self.merger)
        if action == "canonical":
            return TagState.made_canonical
        return lambda state: state.with_parent(fandom)
