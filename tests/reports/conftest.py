import pytest


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Reports tests read English wording; users made in them follow the site language, so it
    is set before any user fixture. Tests of French or Arabic output ask for them explicitly."""
    settings.LANGUAGE_CODE = "en"
