"""Where the admin's two-step import keeps an uploaded file between the preview and the confirm step.

django-import-export's default storage writes the upload to the system temp folder and trusts the
file name the confirm form posts back: a crafted name read (and then deleted) any file there. Here:

* `PrivateUploadStorage` (IMPORT_EXPORT_TMP_STORAGE_CLASS) keeps files in IMPORT_UPLOAD_DIR, a folder
  only the server's user may enter (0700, files 0600), outside MEDIA_ROOT, named by 64 random hex digits;
  it refuses any other name before touching the disk;
* the confirm form never carries the bare name: `issue_upload_name` signs it for the user who uploaded it
  (with a timestamp), and `claim_upload_name` gives it back only to that user, within IMPORT_UPLOAD_MAX_AGE.
"""

import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from import_export.tmp_storages import BaseStorage

TOKEN = re.compile(r"[0-9a-f]{64}")
REFUSED = "This import was not uploaded by you, or it has expired. Upload the file again."
GONE = "This upload has already been imported or has expired. Upload the file again."


class UploadRefused(ValueError):
    """A name that was not issued for this user's upload, or a file no longer there; the message says so."""


def _signer(user) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"galla.import-upload.user-{user.pk}")


def issue_upload_name(token: str, *, user) -> str:
    """Return the stored file's name signed for this user, for the confirm form to post back."""
    return _signer(user).sign(token)


def claim_upload_name(signed_name: str, *, user) -> str:
    """Return the file name a confirm form posted, if it was issued to this user and has not expired."""
    try:
        token = _signer(user).unsign(signed_name, max_age=settings.IMPORT_UPLOAD_MAX_AGE)
    except signing.BadSignature:  # also a made-up name, or one signed for someone else, or too old
        raise UploadRefused(REFUSED) from None
    if not TOKEN.fullmatch(token):
        raise UploadRefused(REFUSED)
    return token


def upload_folder() -> Path:
    """Return the private upload folder, created on first use with access for the server's user only."""
    folder = Path(settings.IMPORT_UPLOAD_DIR).resolve()
    for public in (settings.MEDIA_ROOT, settings.STATIC_ROOT):
        if public and folder.is_relative_to(Path(public).resolve()):
            raise ImproperlyConfigured(f"IMPORT_UPLOAD_DIR ({folder}) must not be inside {public}.")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o077:
        folder.chmod(0o700)
    return folder


def remove_stale_uploads(folder: Path, *, older_than: float) -> None:
    """Delete uploads nobody confirmed (the preview was left open), after IMPORT_UPLOAD_MAX_AGE."""
    cutoff = time.time() - older_than
    for entry in os.scandir(folder):
        if TOKEN.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            try:
                if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    os.remove(entry.path)
            except FileNotFoundError:
                pass  # another request removed it first


class PrivateUploadStorage(BaseStorage):
    """Upload files under random names in IMPORT_UPLOAD_DIR; any other name is refused."""

    def save(self, data) -> None:
        folder = upload_folder()
        remove_stale_uploads(folder, older_than=settings.IMPORT_UPLOAD_MAX_AGE)
        self.name = secrets.token_hex(32)
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        descriptor = os.open(folder / self.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)

    def read(self):
        try:
            descriptor = os.open(self._path(), os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            raise UploadRefused(GONE) from None
        with os.fdopen(descriptor, "rb") as file:
            data = file.read()
        return data if "b" in self.read_mode else data.decode(self.encoding or "utf-8-sig")

    def remove(self) -> None:
        self._path().unlink(missing_ok=True)

    def _path(self) -> Path:
        if not isinstance(self.name, str) or not TOKEN.fullmatch(self.name):
            raise UploadRefused(REFUSED)
        return upload_folder() / self.name
