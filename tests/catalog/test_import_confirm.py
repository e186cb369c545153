"""The import's confirm step reads only a file uploaded by the same user, from a private folder.

django-import-export posts the stored file's name back with the confirm form; its default storage
read (and deleted) any file of the server's temp folder named there.
"""

import os
import secrets
import stat
import tempfile
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from catalog.models import Product
from shop.import_uploads import (
    PrivateUploadStorage,
    UploadRefused,
    claim_upload_name,
    issue_upload_name,
    remove_stale_uploads,
)
from tests import factories
from tests.catalog.test_import import DATA, make_catalogue

pytestmark = pytest.mark.django_db
SECRET = "canary-secret-first-line"
PROCESS_IMPORT = reverse("admin:catalog_product_process_import")
IMPORT = reverse("admin:catalog_product_import")


@pytest.fixture
def catalogue(db):
    make_catalogue()


@pytest.fixture
def system_temp_canary():
    """A file in the server's temp folder, where the library's default storage looks."""
    path = Path(tempfile.gettempdir()) / f"galla-canary-{secrets.token_hex(4)}"
    path.write_text(f"{SECRET}\nsecond line\n")
    yield path
    path.unlink(missing_ok=True)


def preview(client):
    with (DATA / "products.csv").open("rb") as upload:
        response = client.post(IMPORT, {"resource": "0", "format": "0", "import_file": upload})
    assert response.context["confirm_form"] is not None
    return response


def confirm_data(response, **changes) -> dict:
    return {**response.context["confirm_form"].initial, **changes}


def assert_refused(client, data: dict, *, message: str = "not uploaded by you") -> None:
    response = client.post(PROCESS_IMPORT, data)
    assert response.status_code == 302 and response["Location"] == IMPORT
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(shown) == 1 and message in shown[0], shown
    assert SECRET not in response.content.decode() + shown[0] + client.get(IMPORT).content.decode()
    assert not Product.objects.exists()


def test_confirm_imports_the_file_its_own_preview_uploaded(client, owner, catalogue, _private_upload_dir):
    client.force_login(owner)
    response = client.post(PROCESS_IMPORT, confirm_data(preview(client)))
    assert response.status_code == 302 and Product.objects.count() == 5
    assert not any(_private_upload_dir.iterdir())  # removed once imported


def test_confirm_form_posts_a_signed_name_not_a_path(client, owner, catalogue, _private_upload_dir):
    client.force_login(owner)
    posted = confirm_data(preview(client))["import_file_name"]
    (stored,) = _private_upload_dir.iterdir()
    assert posted != stored.name and posted.startswith(stored.name + ":")
    assert len(stored.name) == 64


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "passwd", "", "0" * 64, "..",
                                  "x" * 5000])
def test_confirm_refuses_a_made_up_file_name(client, owner, catalogue, name):
    client.force_login(owner)
    assert_refused(client, confirm_data(preview(client), import_file_name=name))


def test_confirm_never_reads_or_deletes_a_file_in_the_temp_folder(client, owner, catalogue, system_temp_canary):
    client.force_login(owner)
    assert_refused(client, confirm_data(preview(client), import_file_name=system_temp_canary.name))
    assert system_temp_canary.read_text().startswith(SECRET)


def test_confirm_refuses_a_valid_looking_token_nobody_issued(client, owner, catalogue, _private_upload_dir):
    client.force_login(owner)
    data = confirm_data(preview(client))
    planted = _private_upload_dir / secrets.token_hex(32)
    planted.write_text(f"sku,name\n{SECRET},x\n")
    assert_refused(client, {**data, "import_file_name": planted.name})
    assert_refused(client, {**data, "import_file_name": f"{planted.name}:1abcde:forgedsignature"})
    assert planted.read_text().endswith(f"{SECRET},x\n")


def test_confirm_refuses_another_users_upload_and_leaves_it_for_them(client, owner, manager, catalogue,
                                                                     _private_upload_dir):
    client.force_login(owner)
    owners_confirm = confirm_data(preview(client))
    client.force_login(manager)
    assert_refused(client, owners_confirm)
    assert len(list(_private_upload_dir.iterdir())) == 1
    client.force_login(owner)
    assert client.post(PROCESS_IMPORT, owners_confirm).status_code == 302
    assert Product.objects.count() == 5


def test_confirm_refuses_an_upload_past_its_age(client, owner, catalogue, settings):
    client.force_login(owner)
    data = confirm_data(preview(client))
    settings.IMPORT_UPLOAD_MAX_AGE = -1
    assert_refused(client, data)


def test_confirming_twice_imports_once_and_explains_the_second(client, owner, catalogue):
    client.force_login(owner)
    data = confirm_data(preview(client))
    assert client.post(PROCESS_IMPORT, data, follow=True).status_code == 200  # and its message is shown
    Product.objects.all().delete()
    assert_refused(client, data, message="already been imported")


@pytest.mark.parametrize("changes", [{"format": "abc"}, {"format": "9"}, {"resource": "7"}, {"format": ""}])
def test_confirm_refuses_a_tampered_format_or_resource(client, owner, catalogue, changes):
    client.force_login(owner)
    assert_refused(client, confirm_data(preview(client), **changes), message="Upload the file again")


def test_cashier_still_gets_403_on_confirm(client, cashier):
    client.force_login(cashier)
    assert client.post(PROCESS_IMPORT, {"import_file_name": "../../etc/passwd"}).status_code == 403


# --- The storage and the names ---------------------------------------------------------------------


def test_storage_folder_and_files_are_private_and_names_random(_private_upload_dir):
    first, second = PrivateUploadStorage(read_mode="rb"), PrivateUploadStorage(read_mode="rb")
    first.save(b"one")
    second.save(b"two")
    assert first.name != second.name and len(first.name) == 64
    assert stat.S_IMODE(os.stat(_private_upload_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(_private_upload_dir / first.name).st_mode) == 0o600
    assert PrivateUploadStorage(name=first.name, read_mode="rb").read() == b"one"


@pytest.mark.parametrize("name", ["../secret", "A" * 64, "a" * 63, "a" * 65, None])
def test_storage_refuses_any_name_but_its_own_tokens_before_touching_the_disk(name, _private_upload_dir):
    storage = PrivateUploadStorage(name=name, read_mode="rb")
    with pytest.raises(UploadRefused):
        storage.read()
    with pytest.raises(UploadRefused):
        storage.remove()


def test_storage_folder_inside_media_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    with pytest.raises(ImproperlyConfigured):
        PrivateUploadStorage().save(b"x")


def test_name_signed_for_one_user_is_refused_to_another():
    owner, manager = factories.UserFactory(), factories.UserFactory()
    token = secrets.token_hex(32)
    signed = issue_upload_name(token, user=owner)
    assert claim_upload_name(signed, user=owner) == token
    with pytest.raises(UploadRefused):
        claim_upload_name(signed, user=manager)


def test_uploads_left_unconfirmed_are_removed_after_their_age(_private_upload_dir):
    storage = PrivateUploadStorage(read_mode="rb")
    storage.save(b"old")
    other = _private_upload_dir / "not-ours.txt"
    other.write_text("kept")
    remove_stale_uploads(_private_upload_dir, older_than=-1)
    assert not (_private_upload_dir / storage.name).exists()
    assert other.exists()
