"""The forms authors post and edit works with, holding AO3's limits."""

import json
import re
import uuid

from django import forms

from accounts.models import Pseud
from tags.models import ARCHIVE_WARNINGS, CATEGORIES, RATINGS, TagKind
from tags.names import parse_tag_names
from works.checking import LimitError, check_chapter, check_chapters, check_parsing_cost
from works.languages import LANGUAGES
from works.limits import (
    MAX_CHAPTERS,
    NOTES_MAX,
    SUMMARY_MAX,
    TAG_NAME_MAX,
    TAGS_MAX,
    TEXT_MAX,
    TEXT_MIN,
    TITLE_MAX,
)

# Commas separate tags, so they are not in this list; AO3 refuses the rest in a tag name.
FORBIDDEN_TAG_CHARACTERS = "，、*<>^{}=`\\%"
FREE_TAG_FIELDS = {
    "fandoms": TagKind.FANDOM,
    "relationships": TagKind.RELATIONSHIP,
    "characters": TagKind.CHARACTER,
    "freeforms": TagKind.FREEFORM,
}


class TagField(forms.CharField):
    """Comma-separated tag names of one kind."""

    def __init__(self, *, kind, **kwargs):
        self.kind = kind
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20_000)
        kwargs.setdefault("widget", forms.TextInput(attrs={"data-tag-kind": kind}))
        super().__init__(**kwargs)

    def clean(self, value):
        names = parse_tag_names(super().clean(value) or "")
        for name in names:
            if len(name) > TAG_NAME_MAX:
                raise forms.ValidationError(
                    f"The tag '{name[:40]}…' is {len(name)} characters long;"
                    f" tags can be at most {TAG_NAME_MAX}."
                )
            bad = sorted({char for char in name if char in FORBIDDEN_TAG_CHARACTERS})
            if bad:
                raise forms.ValidationError(
                    f"The tag '{name}' contains {' '.join(bad)}, which tags cannot contain."
                )
        if self.required and not names:
            raise forms.ValidationError(self.error_messages["required"])
        return names


def chapter_text_field():
    """The box for a chapter's text, as the posting forms and a one-shot's edit form show it."""
    return forms.CharField(
        label="Work text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=f"HTML or plain text, {TEXT_MIN:,} to {TEXT_MAX:,} characters.",
    )


def checked_chapter_text(text):
    """`text` if check_chapter takes it, else its refusal in words for the text box, which
    say how to put it right. The chapter title has a field of its own, with its own limit."""
    try:
        check_chapter("", text)
    except LimitError as error:
        if error.limit == "text_min":
            message = (
                f"The chapter text must be at least {TEXT_MIN} characters long;"
                " type or paste it, or upload a file."
            )
        elif error.limit == "text_max":
            message = (
                f"The chapter text is {len(text):,} characters long;"
                f" a chapter can be at most {TEXT_MAX:,}. Split it into chapters."
            )
        elif error.limit == "parsing":
            try:
                check_parsing_cost(text, what="text")
            except LimitError as cost:
                message = str(cost)
            else:
                message = str(error)
        else:
            message = str(error)
        raise forms.ValidationError(message) from None
    return text


class ChapterTextMixin(forms.Form):
    """A chapter's text, typed or pasted, or an uploaded file converted into it."""

    chapter_text = chapter_text_field()
    upload = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text=".txt, .md, .html, .docx, .epub, or a seed export (.txt).",
    )
    # Chapters after the first one, from an uploaded file with several (an EPUB).
    more_chapters = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_more_chapters(self):
        raw = self.cleaned_data.get("more_chapters") or "[]"
        try:
            chapters = json.loads(raw)
            return [(str(c["title"]), str(c["html"])) for c in chapters]
        except (ValueError, KeyError, TypeError, RecursionError):
            # Only a damaged or hand-made form gets here: an upload fills this field.
            raise forms.ValidationError(
                "The chapters after the first one could not be read: upload the file again."
            ) from None

    def clean(self):
        cleaned = super().clean()
        if not self.upload_failed and "chapter_text" in cleaned and "more_chapters" in cleaned:
            # The first chapter's own fields said what was wrong with it; this checks the
            # chapters an upload added, their number and the text of all of them.
            try:
                check_chapters(self.chapters())
            except LimitError as error:
                raise forms.ValidationError(str(error)) from None
        return cleaned

    def apply_upload(self, converted):
        """Put an uploaded file's chapters into the text fields, so a re-shown form keeps them."""
        data = self.data.copy()
        first, *rest = converted.chapters
        data["chapter_text"] = first.html
        if first.title and not data.get("chapter_title"):
            data["chapter_title"] = first.title
        # Unescaped: non-ASCII text would grow sixfold in \u escapes.
        chapters = [{"title": c.title, "html": c.html} for c in rest]
        data["more_chapters"] = json.dumps(chapters, ensure_ascii=False)
        self.data = data

    # Set when an uploaded file could not be read: its own error says what to do.
    upload_failed = False

    def clean_chapter_text(self):
        text = self.cleaned_data.get("chapter_text", "")
        if self.upload_failed and not text.strip():
            return text
        return checked_chapter_text(text)

    def chapters(self):
        """(title, html) for each chapter this form carries."""
        first = (self.cleaned_data.get("chapter_title", ""), self.cleaned_data["chapter_text"])
        return [first, *self.cleaned_data.get("more_chapters", [])]


class OnceForm(forms.Form):
    """A form that makes a work or chapter carries a token of its own, so that the same form
    sent twice (two quick clicks, a resent POST) makes it once: see services.claim_submission."""

    submission_token = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput,
        initial=uuid.uuid4,
        error_messages={"invalid": "This form is damaged: reload the page and send it again."},
    )


class WorkForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX)
    fandoms = TagField(kind=TagKind.FANDOM, required=True, label="Fandoms")
    rating = forms.ChoiceField(choices=[("", "Choose a rating")] + [(r, r) for r in RATINGS])
    archive_warnings = forms.MultipleChoiceField(
        choices=[(w, w) for w in ARCHIVE_WARNINGS], widget=forms.CheckboxSelectMultiple
    )
    categories = forms.MultipleChoiceField(
        choices=[(c, c) for c in CATEGORIES], widget=forms.CheckboxSelectMultiple, required=False
    )
    relationships = TagField(kind=TagKind.RELATIONSHIP, label="Relationships")
    characters = TagField(kind=TagKind.CHARACTER, label="Characters")
    freeforms = TagField(kind=TagKind.FREEFORM, label="Additional Tags")
    language = forms.ChoiceField(choices=LANGUAGES, initial="en")
    summary = forms.CharField(max_length=SUMMARY_MAX, required=False, widget=forms.Textarea)
    notes = forms.CharField(
        label="Beginning notes", max_length=NOTES_MAX, required=False, widget=forms.Textarea
    )
    end_notes = forms.CharField(
        label="End notes", max_length=NOTES_MAX, required=False, widget=forms.Textarea
    )
    restricted = forms.BooleanField(label="Only show your work to registered users", required=False)
    complete = forms.BooleanField(label="This work is complete", required=False)
    expected_chapters = forms.IntegerField(
        label="Chapters planned", required=False, min_value=1, max_value=10_000,
        help_text="Leave empty if you don't know yet.",
    )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        count = sum(len(cleaned.get(field) or []) for field in FREE_TAG_FIELDS)
        for field in ["archive_warnings", "categories"]:
            count += len(cleaned.get(field) or [])
        count += 1  # the rating
        if count > TAGS_MAX:
            raise forms.ValidationError(
                f"This work has {count} tags; a work can have at most {TAGS_MAX} in all."
            )
        return cleaned

    def tag_names(self):
        """{kind: [name, …]} of every tag the form chose."""
        cleaned = self.cleaned_data
        names = {kind: cleaned[field] for field, kind in FREE_TAG_FIELDS.items()}
        names[TagKind.RATING] = [cleaned["rating"]]
        names[TagKind.ARCHIVE_WARNING] = cleaned["archive_warnings"]
        names[TagKind.CATEGORY] = cleaned["categories"]
        return {kind: values for kind, values in names.items() if values}

    def work_fields(self):
        keys = ["title", "language", "summary", "notes", "end_notes", "restricted", "complete"]
        fields = {key: self.cleaned_data[key] for key in keys}
        fields["expected_chapters"] = self.cleaned_data["expected_chapters"]
        return fields


class NewWorkForm(WorkForm, ChapterTextMixin, OnceForm):
    chapter_title = forms.CharField(label="Chapter title", max_length=TITLE_MAX, required=False)
    # Only the poster's own pseuds are choices, so another's is refused as invalid; left
    # out (a client that never saw the form), the work is by the default pseud.
    pseud = forms.ModelChoiceField(
        label="Creator/Pseud(s)", queryset=Pseud.objects.none(), required=False, empty_label=None
    )

    field_order = [
        "title", "pseud", *WorkForm.base_fields, "chapter_title", "chapter_text", "upload"
    ]  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            pseuds = user.pseuds.all()
            self.fields["pseud"].queryset = pseuds
            self.fields["pseud"].initial = pseuds.filter(is_default=True).first()

    def apply_seed(self, seed):
        """Fill the fields an uploaded seed export names and the author left empty."""
        data = self.data.copy()
        for field, kind in FREE_TAG_FIELDS.items():
            names = seed.tags.get(kind, [])
            if names and not data.get(field):
                data[field] = ", ".join(names)
        if not data.get("title"):
            data["title"] = seed.title
        if not data.get("summary"):
            data["summary"] = seed.summary
        if not data.get("rating"):
            data["rating"] = seed.tags.get(TagKind.RATING, [""])[0]
        if not data.getlist("archive_warnings"):
            data.setlist("archive_warnings", seed.tags.get(TagKind.ARCHIVE_WARNING, []))
        if not data.getlist("categories"):
            data.setlist("categories", seed.tags.get(TagKind.CATEGORY, []))
        self.data = data


class ChapterForm(ChapterTextMixin, OnceForm):
    chapter_title = forms.CharField(label="Chapter title", max_length=TITLE_MAX, required=False)
    summary = forms.CharField(max_length=SUMMARY_MAX, required=False, widget=forms.Textarea)
    notes = forms.CharField(
        label="Beginning notes", max_length=NOTES_MAX, required=False, widget=forms.Textarea
    )
    end_notes = forms.CharField(
        label="End notes", max_length=NOTES_MAX, required=False, widget=forms.Textarea
    )

    def chapter_fields(self):
        return {
            "title": self.cleaned_data["chapter_title"],
            "summary": self.cleaned_data["summary"],
            "notes": self.cleaned_data["notes"],
            "end_notes": self.cleaned_data["end_notes"],
            "text": self.cleaned_data["chapter_text"],
        }


# A hidden field is typed by nobody, so its errors say what to do rather than what is wrong.
VERSION_INVALID = (
    "This form is missing the version of the {what} it was opened at, or it is damaged:"
    " reload the page and make your changes again."
)


class VersionedForm(forms.Form):
    """An edit form carries the lock_version of the row it was opened at (see
    works.services.work_update), so a form opened before another save is refused."""

    what = "work"
    lock_version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        message = VERSION_INVALID.format(what=self.what)
        field = self.fields["lock_version"]
        field.error_messages = dict.fromkeys(
            ["required", "invalid", "min_value", "max_value", "max_digits"], message
        )


class WorkEditForm(WorkForm, VersionedForm):
    pass


class OneShotEditForm(WorkEditForm):
    """A work of one chapter is edited whole: its text is on the work's own form, and the
    chapter's version rides along as the work's does."""

    chapter_text = chapter_text_field()
    chapter_lock_version = forms.IntegerField(
        min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    field_order = [*WorkForm.base_fields, "chapter_text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        message = VERSION_INVALID.format(what="work's text")
        self.fields["chapter_lock_version"].error_messages = dict.fromkeys(
            ["required", "invalid", "min_value", "max_value"], message
        )

    def clean_chapter_text(self):
        return checked_chapter_text(self.cleaned_data["chapter_text"])


class ChapterEditForm(ChapterForm, VersionedForm):
    what = "chapter"


_ORDER_PART = re.compile(r"(\d{1,9})(?:\s*-\s*(\d{1,9}))?")


class ChapterOrderForm(forms.Form):
    """A work's chapters in a new order, as one field of chapter numbers and ranges
    ("2, 1, 3-40"): a field per chapter would pass Django's limit of 1,000 on a long work."""

    order = forms.CharField(
        label="New order",
        max_length=12 * MAX_CHAPTERS,
        help_text="The chapter numbers in the order you want, separated by commas; 3-10 stands"
        " for chapters 3 to 10. For example, 2, 1, 3-10 puts chapter 2 first.",
    )

    def __init__(self, *args, count, **kwargs):
        super().__init__(*args, **kwargs)
        self.count = count
        self.fields["order"].initial = f"1-{count}" if count > 1 else "1"

    def clean_order(self):
        """[chapter number, …] in the new order, each of the work's chapters once."""
        order, seen = [], set()
        for part in filter(None, (part.strip() for part in self.cleaned_data["order"].split(","))):
            match = _ORDER_PART.fullmatch(part)
            if not match or (match[2] and int(match[2]) < int(match[1])):
                raise forms.ValidationError(
                    f"'{part[:20]}' is not a chapter number or a range such as 3-10."
                )
            first, last = int(match[1]), int(match[2] or match[1])
            for number in (first, last):
                if not 1 <= number <= self.count:
                    raise forms.ValidationError(
                        f"There is no chapter {number}: this work has {self.count}."
                    )
            # Stopping at the first repeat keeps the work to one step per chapter.
            for number in range(first, last + 1):
                if number in seen:
                    raise forms.ValidationError(f"Chapter {number} is listed twice.")
                seen.add(number)
                order.append(number)
        missing = [number for number in range(1, self.count + 1) if number not in seen]
        if missing:
            listed = ", ".join(map(str, missing[:10])) + (", …" if len(missing) > 10 else "")
            what = f"Chapter {listed} is" if len(missing) == 1 else f"Chapters {listed} are"
            raise forms.ValidationError(f"{what} missing: list every chapter once.")
        return order
