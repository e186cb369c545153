"""Large catalogue imports on the background worker (Django-Q2), with a record the uploader can watch.

How a job travels:
1. `import_job_queue` writes an ImportJob (queued) for an upload already kept in the private upload
   storage (shop.import_uploads), and enqueues `import_job_run` once the caller's transaction commits.
   The same upload confirmed twice gives back the first job, never a second import.
2. `import_job_run` claims the job with one conditional UPDATE (queued -> running), so a task the broker
   delivers twice runs once (the ORM broker hands a task still running after Q_CLUSTER's retry to
   another worker; IMPORT_JOB_TIMEOUT is longer than that on purpose). It reads the file, writes the
   row count, then imports every row in ONE transaction (`import_dataset`, wrapped once more here so
   that even an exception half-way leaves nothing behind). Every status change is written outside that
   transaction, so the job page sees it; inside it, progress is the stage ("checking and saving every
   row"), not a row count.
3. Whatever happens, the job ends done or failed with the counts, the first bad rows (row, column,
   message) or the reason, and the upload is deleted.
4. A job still running long after its task's time limit (the worker was killed) is failed by
   `import_job_expire` when someone looks at it: its transaction died with the worker, so nothing
   was imported.
"""

import contextlib
import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_q.tasks import async_task

from catalog.importing import FileUnreadable, ImportReport, import_dataset, read_dataset
from catalog.models import ImportJob
from shop.import_uploads import PrivateUploadStorage, UploadRefused
from shop.models import User

logger = logging.getLogger(__name__)

Status = ImportJob.Status
Stage = ImportJob.Stage
RUN_TASK = "catalog.import_jobs.import_job_run"
VIEW_PERMISSION = "catalog.view_importjob"
VIEW_ALL_PERMISSION = "catalog.view_all_importjobs"
# A running job is given up this long after its task's time limit (settings.IMPORT_JOB_TIMEOUT).
EXPIRY_MARGIN = timedelta(minutes=2)


# --- Reads ----------------------------------------------------------------------------------------


def import_jobs_visible_to(user, jobs: QuerySet[ImportJob] | None = None) -> QuerySet[ImportJob]:
    """Return the import jobs this user may see: their own; the owner's view covers everyone's."""
    jobs = ImportJob.objects.all() if jobs is None else jobs
    if not user.has_perm(VIEW_PERMISSION):
        return jobs.none()
    if user.has_perm(VIEW_ALL_PERMISSION):
        return jobs
    return jobs.filter(created_by=user)


def should_run_in_background(rows: int) -> bool:
    """Return True when a file of this many data rows is imported by the worker, not in the request."""
    return rows > settings.IMPORT_BACKGROUND_ROWS


# --- Queueing -------------------------------------------------------------------------------------


def import_job_queue(*, user: User, kind: str, upload_token: str, file_name: str, file_format: str) -> ImportJob:
    """Record a job for an upload kept under upload_token and run it once the caller's transaction commits.

    Return the job; an upload already queued returns its job (a confirm button pressed twice).
    """
    existing = ImportJob.objects.filter(upload_token=upload_token).first()
    if existing is not None:
        return existing
    job = ImportJob(created_by=user, kind=kind, upload_token=upload_token, file_name=file_name[:255],
                    file_format=file_format)
    job.full_clean(exclude={"upload_token"})  # uniqueness is the database's, below
    try:
        with transaction.atomic():
            job.save(force_insert=True)
    except IntegrityError:  # the other press of the button won the race
        return ImportJob.objects.get(upload_token=upload_token)
    transaction.on_commit(partial(_enqueue, job.pk), robust=True)
    return job


def _enqueue(job_id: int) -> None:
    try:
        async_task(RUN_TASK, job_id, group="import", task_name=f"import-{job_id}",
                   timeout=settings.IMPORT_JOB_TIMEOUT)
    except Exception:
        # The broker is down: say so on the job instead of leaving it queued for ever.
        logger.exception("Could not queue import job %s", job_id)
        _finish(job_id, status=Status.FAILED, message=(
            "The background worker could not be reached, so nothing was imported. Upload the file again."))


# --- Running --------------------------------------------------------------------------------------


def import_job_run(job_id: int) -> str:
    """Import a queued job's file all-or-nothing and record the outcome; return the job's status.

    "skipped" when the job is not queued (another delivery of the task has it, or it is finished).
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, stage=Stage.READING, started_at=timezone.now())
    if not claimed:
        return "skipped"
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        report = _import(job)
    except BaseException as error:  # also the worker's time limit (a SystemExit): record it, then let it go
        # The import's transaction has rolled back by now, so nothing of the file was saved.
        logger.exception("Import job %s failed", job_id)
        _finish(job_id, status=Status.FAILED, message=_failure_message(error))
        if not isinstance(error, Exception):
            raise
        return Status.FAILED
    _finish_with_report(job_id, report)
    return Status.DONE if report.ok else Status.FAILED


def _import(job: ImportJob) -> ImportReport:
    data = PrivateUploadStorage(name=job.upload_token, read_mode="rb").read()
    try:
        dataset = read_dataset(data, file_name=job.file_name, file_format=job.file_format)
    except FileUnreadable as error:
        raise _JobRefused(str(error)) from None
    # Outside the import's transaction: the job page shows the row count while the rows are saved.
    ImportJob.objects.filter(pk=job.pk).update(rows=len(dataset), stage=Stage.IMPORTING)
    with transaction.atomic():
        return import_dataset(kind=job.kind, dataset=dataset, user=job.created_by, file_name=job.file_name)


class _JobRefused(Exception):
    """The file cannot be imported at all; the message says why in plain words."""


def _failure_message(error: BaseException) -> str:
    if isinstance(error, (_JobRefused, UploadRefused, PermissionDenied)):
        return f"Nothing was imported. {error}"
    if not isinstance(error, Exception):
        return (f"The import took longer than {settings.IMPORT_JOB_TIMEOUT} seconds and was stopped, so nothing "
                f"was imported. Split the file, or import it with the import_catalog command.")
    return (f"The import stopped with an error, so nothing was imported ({type(error).__name__}: "
            f"{str(error)[:300]}). Try again; if it happens again, tell whoever runs the server.")


def _finish_with_report(job_id: int, report: ImportReport) -> None:
    errors = [{"row": e.row, "column": e.column, "message": e.message}
              for e in report.errors[:settings.IMPORT_JOB_MAX_ERRORS]]
    _finish(job_id, status=Status.DONE if report.ok else Status.FAILED, message=report.summary(), rows=report.rows,
            new=report.new, updated=report.updated, unchanged=report.unchanged, error_count=len(report.errors),
            errors=errors)


def _finish(job_id: int, *, status: str, message: str, **outcome) -> None:
    """Record how a job ended (only once) and delete its upload."""
    ended = ImportJob.objects.filter(pk=job_id).exclude(status__in=[Status.DONE, Status.FAILED]).update(
        status=status, stage=Stage.FINISHED, message=message, finished_at=timezone.now(), **outcome)
    if ended:
        token = ImportJob.objects.filter(pk=job_id).values_list("upload_token", flat=True).first()
        _remove_upload(token)


def _remove_upload(token: str | None) -> None:
    with contextlib.suppress(UploadRefused):  # not a token the storage issues: nothing of ours to delete
        PrivateUploadStorage(name=token, read_mode="rb").remove()


def import_job_expire(job: ImportJob) -> ImportJob:
    """Fail a job whose worker died while running it (past its time limit); return the job as it now is."""
    if job.status != Status.RUNNING or job.started_at is None:
        return job
    cutoff = timezone.now() - timedelta(seconds=settings.IMPORT_JOB_TIMEOUT) - EXPIRY_MARGIN
    if job.started_at < cutoff:
        _finish(job.pk, status=Status.FAILED, message=(
            "The background worker stopped before this import finished, so nothing was imported. "
            "Upload the file again."))
        job.refresh_from_db()
    return job
