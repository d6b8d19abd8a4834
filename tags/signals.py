"""What tags tell the apps above them, which it does not import."""

from django.dispatch import Signal

# Sent inside the wrangle's transaction with `fandom_ids`, fandoms whose canonical tag
# changed: what counts as one fandom of a crossover changed for the works carrying them.
fandom_mergers_changed = Signal()
