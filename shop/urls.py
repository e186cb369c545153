from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from sales.upi_views import upi_callback
from shop import account_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    # Password reset from the login page (unfold's login shows the link when "admin_password_reset" exists).
    path("admin/password_reset/", account_views.PasswordResetView.as_view(), name="admin_password_reset"),
    path("admin/password_reset/done/", account_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("admin/reset/<uidb64>/<token>/", account_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("admin/reset/done/", account_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("admin/", admin.site.urls),
    path("payments/upi/callback/", upi_callback, name="upi_callback"),
]

handler403 = "shop.views.permission_denied"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
