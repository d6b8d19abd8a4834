"""Atom feeds of listings: a tag's newest works."""

from datetime import UTC, datetime, time

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed

from tags.models import Tag, filter_ids
from works.models import Work


class TagFeed(Feed):
    """Atom feed of the newest works carrying a tag."""

    feed_type = Atom1Feed
    items_shown = 20

    def get_object(self, request, tag_id):
        tag = Tag.objects.visible_to(request.user).filter(pk=tag_id).first()
        if tag is None:
            raise Http404(f"There is no tag with ID {tag_id}.")
        return tag

    def title(self, tag):
        return f"{tag.name} works"

    def link(self, tag):
        return tag.get_absolute_url()

    def subtitle(self, tag):
        return f"The newest works tagged {tag.name}."

    def items(self, tag):
        works = Work.objects.public().tagged_with_any(filter_ids([tag]))
        return works.recently_updated().with_tags()[: self.items_shown]

    def item_title(self, work):
        return work.title

    def item_description(self, work):
        return work.summary_html

    def item_author_name(self, work):
        return ", ".join(pseud.name for pseud in work.pseuds.all()) or "Anonymous"

    def item_pubdate(self, work):
        return datetime.combine(work.published, time.min, tzinfo=UTC)

    def item_updateddate(self, work):
        return work.updated_at

    def item_categories(self, work):
        return [tag.name for tag in work.all_tags]
