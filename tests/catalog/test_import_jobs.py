"""Imports past IMPORT_BACKGROUND_ROWS run on the background worker, with a job page to watch.

Django-Q2 runs tasks synchronously in the tests (Q_CLUSTER sync=True), so a queued job runs as soon as
the confirm request's on_commit callbacks do. The threshold is lowered to THRESHOLD rows here so the
files stay small; the behaviour is the same at the default 2,000.
"""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from django_q.exceptions import TimeoutException

from catalog import import_jobs
from catalog.import_jobs import import_job_queue, import_job_run
from catalog.models import ImportJob, Product, StockMovement, Warehouse
from catalog.resources import RESOURCES, ProductResource
from shop.import_uploads import PrivateUploadStorage
from tests import factories
from tests.catalog.test_import import make_catalogue
from tests.catalog.test_import_limits import csv_bytes, xlsx_bytes
from tests.conftest import transactional_db

pytestmark = pytest.mark.django_db
THRESHOLD = 30
HEADER = ["sku", "name", "unit", "selling_price", "tax_rate"]
FORMATS = {"csv": ("0", csv_bytes), "xlsx": ("1", xlsx_bytes)}


@pytest.fixture(autouse=True)
def small_threshold(settings):
    settings.IMPORT_BACKGROUND_ROWS = THRESHOLD


@pytest.fixture
def catalogue(db):
    make_catalogue()


def product_rows(n: int) -> list[list[str]]:
    return [[f"SKU-{i:05d}", f"Product {i}", "pcs", "10", "18"] for i in range(n)]


def url(model: str, view: str, *args) -> str:
    return reverse(f"admin:catalog_{model}_{view}", args=args)


def upload(client, rows: list[list], *, fmt: str = "csv", model: str = "product"):
    """Post the import form with a generated file (header first)."""
    index, make = FORMATS[fmt]
    return client.post(url(model, "import"), {
        "resource": "0", "format": index, "import_file": SimpleUploadedFile(f"{model}s.{fmt}", make(rows))})


def confirm(client, upload_response, *, model: str = "product"):
    return client.post(url(model, "process_import"), upload_response.context["confirm_form"].initial)


def confirm_and_run(client, upload_response, on_commit, *, model: str = "product"):
    """Confirm, then commit: the queued task runs (synchronously) from the on_commit callback."""
    with on_commit(execute=True):
        return confirm(client, upload_response, model=model)


def make_job(user, **fields) -> ImportJob:
    defaults = {"kind": "products", "file_name": "products.csv", "file_format": "csv",
                "upload_token": f"{ImportJob.objects.count() + 1:064x}"}
    return ImportJob.objects.create(created_by=user, **{**defaults, **fields})


def status_partial(client, job) -> str:
    response = client.get(url("importjob", "status", job.pk))
    assert response.status_code == 200
    return response.content.decode()


# --- The upload step ------------------------------------------------------------------------------


def test_big_file_upload_shows_its_row_count_and_first_rows_instead_of_a_preview(client, manager, catalogue):
    client.force_login(manager)
    response = upload(client, [HEADER, *product_rows(THRESHOLD + 1)])
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["background"]["rows"] == THRESHOLD + 1
    assert "result" not in response.context  # no row-by-row dry run
    assert f"This file has {THRESHOLD + 1} rows" in page
    assert "SKU-00000" in page and "SKU-00009" in page and "SKU-00010" not in page  # the first ten rows
    assert not Product.objects.exists() and not ImportJob.objects.exists()


def test_small_file_still_gets_the_row_by_row_preview_and_imports_on_confirm(client, manager, catalogue):
    client.force_login(manager)
    response = upload(client, [HEADER, *product_rows(THRESHOLD)])
    assert "background" not in response.context
    assert response.context["result"].total_rows == THRESHOLD and response.context["confirm_form"] is not None
    response = confirm(client, response)
    assert response.status_code == 302 and response["Location"] == url("product", "changelist")
    assert Product.objects.count() == THRESHOLD
    assert not ImportJob.objects.exists()


def test_big_file_with_an_unknown_column_is_refused_at_once_on_the_upload(client, manager, catalogue):
    client.force_login(manager)
    response = upload(client, [[*HEADER, "colour"], *[[*row, "red"] for row in product_rows(THRESHOLD + 1)]])
    assert "background" not in response.context and "confirm_form" not in response.context
    assert response.context["result"].has_errors()  # the header is checked before any row
    assert "Unknown column &quot;colour&quot;" in response.content.decode()


def test_confirm_naming_another_format_than_the_upload_is_refused_not_a_500(client, manager, catalogue):
    client.force_login(manager)
    uploaded = upload(client, [HEADER, *product_rows(THRESHOLD + 1)])  # a CSV
    data = {**uploaded.context["confirm_form"].initial, "format": "1"}  # ...confirmed as Excel
    response = client.post(url("product", "process_import"), data)
    assert response.status_code == 302 and response["Location"] == url("product", "import")
    assert not ImportJob.objects.exists() and not Product.objects.exists()


# --- Queued, run, imported ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_big_file_is_queued_on_commit_then_runs_and_imports_every_row(
        client, manager, catalogue, fmt, django_capture_on_commit_callbacks, _private_upload_dir):
    client.force_login(manager)
    uploaded = upload(client, [HEADER, *product_rows(THRESHOLD + 5)], fmt=fmt)
    with django_capture_on_commit_callbacks() as callbacks:
        response = confirm(client, uploaded)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == url("importjob", "change", job.pk)
    assert (job.status, job.kind, job.file_name, job.created_by) == ("queued", "products", f"products.{fmt}", manager)
    assert not Product.objects.exists() and len(callbacks) == 1  # nothing ran inside the request

    callbacks[0]()  # the commit: the task is queued and (in tests) runs
    job.refresh_from_db()
    assert (job.status, job.rows, job.new, job.updated, job.error_count) == ("done", THRESHOLD + 5, THRESHOLD + 5, 0, 0)
    assert job.message == f"Imported {THRESHOLD + 5} rows of products: {THRESHOLD + 5} new, 0 updated, 0 unchanged."
    assert job.started_at and job.finished_at and job.stage == "finished"
    assert Product.objects.count() == THRESHOLD + 5
    assert not any(_private_upload_dir.iterdir())  # the upload is deleted once the job has finished


def test_background_import_records_history_as_the_user_who_started_it(client, manager, catalogue,
                                                                       django_capture_on_commit_callbacks):
    client.force_login(manager)
    confirm_and_run(client, upload(client, [HEADER, *product_rows(THRESHOLD + 1)]), django_capture_on_commit_callbacks)
    assert {record.history_user for record in Product.history.all()} == {manager}


def test_big_file_with_one_bad_row_imports_nothing_and_the_job_names_the_row(client, manager, catalogue,
                                                                              django_capture_on_commit_callbacks,
                                                                              _private_upload_dir):
    rows = [HEADER, *product_rows(THRESHOLD + 10)]
    rows[21][3] = "-5"  # the 21st data row: row 22 as the spreadsheet numbers it
    client.force_login(manager)
    response = confirm_and_run(client, upload(client, rows), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == "failed" and not Product.objects.exists()
    assert job.error_count == 1 and job.errors == [
        {"row": 22, "column": "selling_price", "message": "Selling price cannot be negative (-5)."}]
    assert job.message == "Nothing was imported: 1 problem(s) in the file."
    page = client.get(response["Location"]).content.decode()
    assert "Selling price cannot be negative (-5)." in page and ">22<" in page
    assert not any(_private_upload_dir.iterdir())


def test_job_keeps_the_first_problems_and_counts_them_all(client, manager, catalogue, settings,
                                                        django_capture_on_commit_callbacks):
    settings.IMPORT_JOB_MAX_ERRORS = 3
    rows = [HEADER, *[[sku, name, unit, "-1", rate] for sku, name, unit, _price, rate in product_rows(THRESHOLD + 1)]]
    client.force_login(manager)
    response = confirm_and_run(client, upload(client, rows), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.error_count == THRESHOLD + 1 and [e["row"] for e in job.errors] == [2, 3, 4]
    assert f"And {THRESHOLD - 2} more problems" in client.get(response["Location"]).content.decode()


def test_big_opening_stock_file_runs_as_an_opening_stock_job(client, owner, catalogue,
                                                             django_capture_on_commit_callbacks):
    products = [factories.ProductFactory(sku=f"STK-{i:03d}") for i in range(THRESHOLD + 1)]
    rows = [["sku", "warehouse", "quantity"], *[[p.sku, "Godown", "4"] for p in products]]
    client.force_login(owner)
    response = confirm_and_run(client, upload(client, rows, model="stock"), django_capture_on_commit_callbacks,
                               model="stock")
    job = ImportJob.objects.get()
    assert (job.kind, job.status) == ("opening-stock", "done")
    godown = Warehouse.objects.get(name="Godown")
    assert StockMovement.objects.filter(kind="opening", warehouse=godown).count() == THRESHOLD + 1
    assert url("stock", "import") in client.get(response["Location"]).content.decode()  # "Import another file"


def test_confirming_a_big_upload_twice_queues_one_job(client, manager, catalogue, django_capture_on_commit_callbacks):
    client.force_login(manager)
    uploaded = upload(client, [HEADER, *product_rows(THRESHOLD + 1)])
    with django_capture_on_commit_callbacks():  # neither has run yet: a double click
        first, second = confirm(client, uploaded), confirm(client, uploaded)
    assert ImportJob.objects.count() == 1
    assert first["Location"] == second["Location"] == url("importjob", "change", ImportJob.objects.get().pk)


def test_confirming_a_finished_big_upload_again_is_refused(client, manager, catalogue,
                                                          django_capture_on_commit_callbacks):
    client.force_login(manager)
    uploaded = upload(client, [HEADER, *product_rows(THRESHOLD + 1)])
    confirm_and_run(client, uploaded, django_capture_on_commit_callbacks)
    response = confirm(client, uploaded)
    assert response["Location"] == url("product", "import")
    assert "already been imported" in str(list(get_messages(response.wsgi_request))[-1])
    assert ImportJob.objects.count() == 1


def test_another_user_cannot_confirm_a_big_upload(client, manager, owner, catalogue):
    client.force_login(manager)
    uploaded = upload(client, [HEADER, *product_rows(THRESHOLD + 1)])
    client.force_login(owner)
    assert confirm(client, uploaded)["Location"] == url("product", "import")
    assert not ImportJob.objects.exists()


def test_cashier_cannot_upload_or_confirm_an_import(client, cashier, catalogue):
    client.force_login(cashier)
    data = {"resource": "0", "format": "0",
            "import_file": SimpleUploadedFile("p.csv", csv_bytes([HEADER, *product_rows(THRESHOLD + 1)]))}
    assert client.post(url("product", "import"), data).status_code == 403
    assert client.post(url("product", "process_import"), {"import_file_name": "x"}).status_code == 403
    assert not ImportJob.objects.exists()


# --- Failures -------------------------------------------------------------------------------------


def test_worker_exception_leaves_the_job_failed_with_a_message_and_nothing_imported(
        client, manager, catalogue, monkeypatch, django_capture_on_commit_callbacks, _private_upload_dir):
    real_import = import_jobs.import_dataset

    def import_then_crash(**kwargs):
        real_import(**kwargs)  # every row is written...
        assert Product.objects.count() == THRESHOLD + 1
        raise RuntimeError("the database connection was lost")  # ...then the worker fails

    monkeypatch.setattr(import_jobs, "import_dataset", import_then_crash)
    client.force_login(manager)
    confirm_and_run(client, upload(client, [HEADER, *product_rows(THRESHOLD + 1)]), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.finished_at is not None
    assert "nothing was imported" in job.message and "RuntimeError: the database connection was lost" in job.message
    assert not Product.objects.exists()
    assert not any(_private_upload_dir.iterdir())


def test_job_past_its_time_limit_is_failed_and_nothing_imported(manager, catalogue, monkeypatch, _private_upload_dir):
    real_import = import_jobs.import_dataset

    def import_then_time_out(**kwargs):
        real_import(**kwargs)
        raise TimeoutException("Task exceeded maximum timeout value (600 seconds)")  # what Django-Q2 raises

    storage = PrivateUploadStorage(read_mode="rb")
    storage.save(csv_bytes([HEADER, *product_rows(THRESHOLD + 1)]))
    job = import_job_queue(user=manager, kind="products", upload_token=storage.name, file_name="p.csv",
                           file_format="csv")
    monkeypatch.setattr(import_jobs, "import_dataset", import_then_time_out)
    with pytest.raises(TimeoutException):  # handed back to the worker, which recycles itself
        import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "took longer than" in job.message
    assert not Product.objects.exists()


def test_job_whose_upload_is_gone_fails_with_a_message(manager, catalogue):
    job = make_job(manager, upload_token="a" * 64)
    assert import_job_run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and "already been imported or has expired" in job.message


def test_job_of_a_user_who_lost_the_import_permission_imports_nothing(manager, catalogue):
    storage = PrivateUploadStorage(read_mode="rb")
    storage.save(csv_bytes([HEADER, *product_rows(THRESHOLD + 1)]))
    job = make_job(manager, upload_token=storage.name)
    manager.groups.clear()  # no longer a manager by the time the worker runs the job
    assert import_job_run(job.pk) == "failed"
    job.refresh_from_db()
    assert "Only an owner or a manager may import files." in job.message and not Product.objects.exists()


def test_a_task_delivered_twice_runs_the_job_once(manager, catalogue):
    storage = PrivateUploadStorage(read_mode="rb")
    storage.save(csv_bytes([HEADER, *product_rows(THRESHOLD + 1)]))
    job = make_job(manager, upload_token=storage.name)
    assert import_job_run(job.pk) == "done"
    assert import_job_run(job.pk) == "skipped"
    assert Product.objects.count() == THRESHOLD + 1


def test_broker_down_at_commit_fails_the_job_instead_of_leaving_it_queued(client, manager, catalogue, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is not running")

    monkeypatch.setattr(import_jobs, "async_task", broker_down)
    client.force_login(manager)
    confirm_and_run(client, upload(client, [HEADER, *product_rows(THRESHOLD + 1)]), django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()
    assert job.status == "failed" and "could not be reached" in job.message
    assert not Product.objects.exists()


def test_running_job_left_by_a_dead_worker_is_shown_failed(client, manager, settings, _private_upload_dir):
    storage = PrivateUploadStorage(read_mode="rb")
    storage.save(b"sku\n")
    started = timezone.now() - timedelta(seconds=settings.IMPORT_JOB_TIMEOUT) - timedelta(minutes=3)
    job = make_job(manager, upload_token=storage.name, status="running", stage="importing", started_at=started)
    client.force_login(manager)
    page = status_partial(client, job)
    job.refresh_from_db()
    assert job.status == "failed" and "stopped before this import finished" in page
    assert not any(_private_upload_dir.iterdir())


def test_running_job_within_its_time_limit_is_left_running(client, manager):
    job = make_job(manager, status="running", stage="importing", started_at=timezone.now() - timedelta(seconds=30))
    client.force_login(manager)
    status_partial(client, job)
    job.refresh_from_db()
    assert job.status == "running"


# --- The job page, its partial and the list -------------------------------------------------------


@pytest.mark.parametrize(("fields", "shown", "polls"), [
    ({"status": "queued", "stage": "waiting"}, "Waiting for the background worker to start it.", True),
    ({"status": "running", "stage": "reading"}, "Reading the file.", True),
    ({"status": "running", "stage": "importing", "rows": 12345},
     "Checking and saving 12,345 rows, all or none.", True),
    ({"status": "done", "stage": "finished", "rows": 12345, "new": 12000, "updated": 345,
      "message": "Imported 12345 rows of products: 12000 new, 345 updated, 0 unchanged."},
     "Imported 12345 rows of products", False),
    ({"status": "failed", "stage": "finished", "rows": 40, "error_count": 1,
      "errors": [{"row": 7, "column": "unit", "message": 'Unknown unit "crate".'}],
      "message": "Nothing was imported: 1 problem(s) in the file."}, "Unknown unit &quot;crate&quot;.", False),
])
def test_job_page_and_partial_show_its_progress_and_poll_until_it_has_finished(client, manager, fields, shown, polls):
    job = make_job(manager, started_at=timezone.now(), finished_at=timezone.now(), **fields)
    client.force_login(manager)
    page = client.get(url("importjob", "change", job.pk))
    partial = status_partial(client, job)
    assert page.status_code == 200 and shown in page.content.decode() and shown in partial
    assert ('hx-trigger="every 2s"' in partial) is polls
    assert (f'hx-get="{url("importjob", "status", job.pk)}"' in page.content.decode()) is polls
    assert "<html" not in partial  # a fragment, not a page


def test_job_queued_for_long_says_the_worker_may_not_be_running(client, manager):
    job = make_job(manager, created_at=timezone.now() - timedelta(minutes=5))
    client.force_login(manager)
    assert "the background worker may not be running" in status_partial(client, job)
    fresh = make_job(manager)
    assert "may not be running" not in status_partial(client, fresh)


@pytest.mark.parametrize("view", ["change", "status", "history"])
def test_job_is_refused_to_another_manager_and_to_cashiers_and_shown_to_the_owner(client, manager, owner, cashier,
                                                                                  view):
    job = make_job(manager)
    other_manager = factories.UserFactory(username="manager2", role="Manager")
    expected = {manager: 200, owner: 200, other_manager: 404, cashier: 403}
    got = {}
    for user in expected:
        client.force_login(user)
        got[user] = client.get(url("importjob", view, job.pk)).status_code
    assert got == expected


def test_job_list_shows_a_manager_their_own_jobs_and_the_owner_everyones(client, manager, owner):
    other_manager = factories.UserFactory(username="manager2", role="Manager")
    mine, theirs = make_job(manager, file_name="mine.csv"), make_job(other_manager, file_name="theirs.csv")
    for user, expected in ((manager, {mine}), (other_manager, {theirs}), (owner, {mine, theirs})):
        client.force_login(user)
        response = client.get(url("importjob", "changelist"))
        assert set(response.context["cl"].result_list) == expected


def test_cashier_has_no_import_job_list(client, cashier):
    client.force_login(cashier)
    assert client.get(url("importjob", "changelist")).status_code == 403


def test_job_kinds_are_the_importable_files():
    assert set(ImportJob.Kind.values) == set(RESOURCES)


# --- Progress is visible outside the import's transaction -----------------------------------------


@transactional_db
def test_job_status_and_row_count_are_visible_outside_the_import_transaction(client, monkeypatch):
    """While the rows are being saved (inside the import's transaction), another connection (the job page's)
    already sees the job running, its stage and its row count."""
    make_catalogue()
    manager = factories.manager()
    seen = []
    real_before_import = ProductResource.before_import

    def before_import(self, dataset, **kwargs):
        real_before_import(self, dataset, **kwargs)

        def look():
            try:
                seen.append(ImportJob.objects.values_list("status", "stage", "rows").get())
            finally:
                connections.close_all()

        reader = threading.Thread(target=look)
        reader.start()
        reader.join()

    monkeypatch.setattr(ProductResource, "before_import", before_import)
    client.force_login(manager)
    confirm(client, upload(client, [HEADER, *product_rows(THRESHOLD + 1)]))  # on_commit runs at once here
    assert seen == [("running", "importing", THRESHOLD + 1)]
    assert ImportJob.objects.get().status == "done" and Product.objects.count() == THRESHOLD + 1
    assert Product.objects.filter(selling_price=Decimal("10")).count() == THRESHOLD + 1
