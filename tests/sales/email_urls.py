"""A test-only URLconf: the project's URLs plus the invoice email view inside the admin namespace.

Used with @pytest.mark.urls("tests.sales.email_urls") until InvoiceAdmin.get_urls() includes
*email_urls(self); after that the marker is harmless and can go.
"""

from django.contrib import admin
from django.urls import include, path

from sales.email_views import email_urls
from sales.models import Invoice
from shop.urls import urlpatterns as project_urlpatterns

_admin_patterns = [
    path("sales/invoice/", include(email_urls(admin.site.get_model_admin(Invoice)))),
    *admin.site.get_urls(),
]

urlpatterns = [
    path("admin/", (_admin_patterns, "admin", admin.site.name)),
    *[pattern for pattern in project_urlpatterns if str(pattern.pattern) != "admin/"],
]
