"""The version of what work listings show, which keys their cached filter sidebars."""

from archive import versions

# A listing's sidebar counts its works' tags and is cached (works.listing.FRAGMENT_SECONDS):
# every write that changes which works a listing shows (posting, editing, restricting,
# deleting, importing) moves this version, so no sidebar counts a work its listing has lost.
# The tag graph's version (tags.wrangling.graph_version) keys them too.
LISTING_VERSION_KEY = "works:listing-version"


def listing_version():
    return versions.current(LISTING_VERSION_KEY)


def listings_changed():
    """Once this transaction commits, sidebars cached for the old works go stale."""
    versions.change_on_commit(LISTING_VERSION_KEY)
