"""Browser tests share one Chromium per test session: the ``browser`` and ``page`` fixtures are
defined in ``tests/browser/fixtures.py`` and registered once in ``tests/conftest.py`` (so browser
tests in other folders, e.g. tests/insights, reuse the same Playwright session instead of starting
a second one inside the first one's event loop). ``screenshot`` is re-exported for the tests."""

from tests.browser.fixtures import ARTIFACTS, CHROMIUM, screenshot

__all__ = ["ARTIFACTS", "CHROMIUM", "screenshot"]
