"""What one work may hold (AO3's limits), checked wherever a work arrives: the posting
forms, uploads of every format, seed files and the services that store them."""

TITLE_MAX = 255
SUMMARY_MAX = 1250
NOTES_MAX = 5000
TEXT_MIN = 10
TEXT_MAX = 510_000
TAGS_MAX = 75
TAG_NAME_MAX = 150
# Chapters in one work. AO3 allows 5,000; at 2,000 the chapter index, the full work, a
# chapter and the reorder form each took under a second on the test machine, at 5,000 the
# full work took 2.5 s (tiny chapters) and a one-post save 14 s.
MAX_CHAPTERS = 2000
# What one post may carry (a typed work with an upload's chapters, a seed file, chapters
# added at once), so that saving it takes a few seconds at most: on the loaded test machine
# 500 chapters of 10,000 characters saved in 3.5 s, 1,000 of 5,000 in 7.9 s.
POST_CHAPTERS_MAX = 500
POST_TEXT_MAX = 5_000_000
