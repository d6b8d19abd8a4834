"""Template tags for the links to a work's downloads."""

from django import template

from works import downloads

register = template.Library()


@register.simple_tag
def download_links(work):
    """(label, href) for each download format of the work."""
    return downloads.download_links(work)
