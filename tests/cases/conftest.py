import pytest
from django.utils import translation


@pytest.fixture
def english(settings):
    """English messages in tests that read them, whether they are made in the test's thread,
    in a request (admin pages follow LANGUAGE_CODE) or for e-mails (sent in LANGUAGE_CODE).
    Each module that uses it also checks one message in Chinese, the default."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
