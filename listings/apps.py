"""The listings app's configuration: it has no models of its own."""

from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "listings"
