"""Typed tags, the filter closure, tag totals and wrangling; imports no other app."""
