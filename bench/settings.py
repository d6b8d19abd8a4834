"""The archive's settings with bench.urls (which adds the /hello ceiling) and no rate limit."""

import os
from pathlib import Path

from archive.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# wrk is one client address sending thousands of requests: the per-address limit would
# answer nearly all of them with 429.
RATE_LIMIT_REQUESTS = 0
# make load collects the static files into its throwaway site's directory.
if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
