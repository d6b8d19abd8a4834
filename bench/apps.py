"""The bench app: owns `manage.py generate_works`; the archive's own apps never import it."""

from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "bench"
    verbose_name = "Benchmarks and synthetic data"
