"""Shared test settings: hypothesis is derandomised, so every run (and CI)
checks the same configurations and a failure is reproducible."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "convbook",
    derandomize=True,
    deadline=None,
    max_examples=int(os.environ.get("CONVBOOK_EXAMPLES", "150")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile("convbook")


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """One clean build of the whole book per test session: (html dir, seconds)."""
    from book_site import build

    return build(tmp_path_factory.mktemp("book"))
