"""Catalogue tests keep uploaded import files in a folder of their own, removed after each test."""

import pytest


@pytest.fixture(autouse=True)
def _private_upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "import-uploads"
    return settings.IMPORT_UPLOAD_DIR
