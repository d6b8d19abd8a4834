"""What one work may hold (AO3's limits), checked wherever a work arrives: the posting
forms, uploads of every format, seed files and the services that store them."""

TITLE_MAX = 255
SUMMARY_MAX = 1250
NOTES_MAX = 5000
TEXT_MIN = 10
TEXT_MAX = 510_000
TAGS_MAX = 75
TAG_NAME_MAX = 150
# Chapters in one work. AO3 allows 5,000; see the hardening notes for what our pages cope with.
MAX_CHAPTERS = 5000
