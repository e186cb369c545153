from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


def _sync_roles_after_migrate(sender, apps=None, **kwargs):
    # Migrations create the roles; this keeps them whole when a later migration (ours or a
    # package's) adds permissions, and after a test flush.
    from django.apps import apps as global_apps

    from shop.roles import sync_role_permissions

    sync_role_permissions(apps or global_apps)  # flush sends no migration state


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self):
        post_migrate.connect(_sync_roles_after_migrate, sender=self, dispatch_uid="galla_sync_roles")
        from anymail.signals import tracking

        from shop.notifications.tracking import on_tracking

        tracking.connect(on_tracking, dispatch_uid="galla_email_delivery")


class GallaAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with Galla's admin site (installed with unfold's BasicAppConfig)."""

    default = False  # "shop" itself still means ShopConfig
    default_site = "shop.sites.GallaAdminSite"
