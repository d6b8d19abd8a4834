"""Seeded draws for the generator: uniform picks and weighted (Zipf-popular) choices."""

from bisect import bisect
from itertools import accumulate


def zipf_cum_weights(size, exponent=1.0):
    """Cumulative weights where the item of rank r is drawn in proportion to 1 / r**exponent."""
    return list(accumulate(1 / rank**exponent for rank in range(1, size + 1)))


def pick(rng, items):
    """rng.choice for the hot loop: same uniform pick, a fraction of the cost."""
    return items[int(rng.random() * len(items))]


class Weighted:
    """Items drawn in proportion to their weights (random.choices, without its per-call cost)."""

    __slots__ = ("items", "last", "total", "totals")

    def __init__(self, items, cum_weights):
        self.items = list(items)
        self.totals = cum_weights
        self.total = cum_weights[-1] if cum_weights else 0
        self.last = len(cum_weights) - 1

    @classmethod
    def of(cls, weights):
        return cls(weights, list(accumulate(weights.values())))

    @classmethod
    def zipf(cls, items):
        """The first item the most popular, the r-th drawn 1/r as often."""
        return cls(items, zipf_cum_weights(len(items)))

    def draw(self, rng):
        return self.items[bisect(self.totals, rng.random() * self.total, 0, self.last)]

    def draws(self, rng, count):
        items, totals, total, last, random_ = (
            self.items, self.totals, self.total, self.last, rng.random,
        )  # fmt: skip
        if not items:
            return []
        return [items[bisect(totals, random_() * total, 0, last)] for _ in range(count)]
