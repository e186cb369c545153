"""The browser tests are the only ones that need a system package (Debian's chromium): without it they skip and
say how to install it, and in CI (GALLA_REQUIRE_BROWSER=1) the same gap is a failure."""

import pytest

from tests.conftest import chromium_or_skip


def test_browser_tests_skip_without_chromium_and_say_how_to_install_it(tmp_path):
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        chromium_or_skip(str(tmp_path / "chromium"), required=False)


def test_in_ci_a_missing_chromium_fails_instead_of_skipping(tmp_path):
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install chromium.*\(required in CI\)"):
        chromium_or_skip(str(tmp_path / "chromium"), required=True)


def test_an_installed_chromium_is_used(tmp_path):
    chromium = tmp_path / "chromium"
    chromium.touch()
    assert chromium_or_skip(str(chromium), required=True) == str(chromium)
