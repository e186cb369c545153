"""Project-wide views that are not pages of one model."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.template.response import TemplateResponse
from django.urls import reverse


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Answer 403 inside the admin's layout, with a way back, for a signed-in staff member; plainly otherwise."""
    user = getattr(request, "user", None)
    if not (user and user.is_active and user.is_staff):
        return HttpResponseForbidden("Forbidden")
    reason = str(exception) if exception and str(exception) else ""
    context = {**admin.site.each_context(request), "title": "", "reason": reason,
               "counter_url": reverse("admin:sales_counter") if user.has_perm("sales.use_counter") else ""}
    return TemplateResponse(request, "admin/403.html", context, status=403)
