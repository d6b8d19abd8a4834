"""Listings: the filter engine (parameters, query, facets), listing pages and feeds."""
