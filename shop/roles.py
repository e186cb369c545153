"""The shop's three roles and the permissions each one holds.

Roles are auth groups. The lists are explicit so that a new model gives a cashier nothing
until someone decides otherwise here. `sync_role_permissions` is idempotent and is called by
data migrations after the models it names exist; it skips permissions not created yet.
"""

OWNER = "Owner"
MANAGER = "Manager"
CASHIER = "Cashier"
ROLES = (OWNER, MANAGER, CASHIER)

# Only the owner manages who works in the shop.
USER_MANAGEMENT_MODELS = {("shop", "user"), ("auth", "group"), ("auth", "permission")}
# Framework internals nobody edits through the admin.
INTERNAL_APPS = {"contenttypes", "sessions", "admin", "axes"}
# Django-Q2 runs whatever a schedule names, so schedules are code: nobody adds or deletes one, the owner
# changes when it runs, a manager looks. Task results and the queue are the owner's to look at.
TASK_QUEUE_APP = "django_q"
TASK_QUEUE_PERMISSIONS = {
    OWNER: {"django_q.view_schedule", "django_q.change_schedule", "django_q.view_success", "django_q.view_failure",
            "django_q.view_ormq"},
    MANAGER: {"django_q.view_schedule"},
}
# Of the general permissions, those only the owner holds: reopening a closed day changes a counted
# drawer's books; a manager sees their own import jobs only.
# Profit and margin rest on cost prices, which the owner alone sees in reports.
OWNER_ONLY_PERMISSIONS = {"ledger.reopen_day", "catalog.view_all_importjobs", "reports.view_profit"}

CASHIER_PERMISSIONS = {
    # their own in-app notifications (shop.notifications.inbox shows each user only theirs)
    "shop.view_notification",
    # catalog: look products up at the counter, never costs
    "catalog.view_product",
    "catalog.view_category",
    "catalog.view_brand",
    "catalog.view_unit",
    "catalog.view_taxrate",
    "catalog.view_warehouse",
    "catalog.view_stock",
    # customers: find or register a customer at the counter
    "ledger.view_customer",
    "ledger.add_customer",
    "ledger.change_customer",
    # day book: today's entries of their own counter only (ledger.selectors.day_book_entries_visible_to)
    "ledger.view_daybookentry",
    # udhar khata: see a customer's balance (on the customer pages) and take a repayment, nothing more
    "ledger.receive_credit_payment",
    # billing: the counter and their own invoices
    "sales.use_counter",
    "sales.view_invoice",
    "sales.add_invoice",
    "sales.view_payment",
    "sales.confirm_upi_payment",
    # returns: take goods back against their own recent bills (a manager approves above the limit)
    "sales.view_creditnote",
    "sales.add_creditnote",
}


def permissions_for(role: str, all_permissions: set[str]) -> set[str]:
    """Return the "app_label.codename" permissions a role holds, out of those that exist."""
    if role == OWNER:
        general = {p for p in all_permissions if p.split(".")[0] not in {*INTERNAL_APPS, TASK_QUEUE_APP}}
        return general | (TASK_QUEUE_PERMISSIONS[OWNER] & all_permissions)
    if role == MANAGER:
        general = {p for p in permissions_for(OWNER, all_permissions)
                   if _model_of(p) not in USER_MANAGEMENT_MODELS and not p.startswith(f"{TASK_QUEUE_APP}.")
                   and p not in OWNER_ONLY_PERMISSIONS}
        return general | (TASK_QUEUE_PERMISSIONS[MANAGER] & all_permissions)
    if role == CASHIER:
        return CASHIER_PERMISSIONS & all_permissions
    raise ValueError(f"Unknown role {role!r}")


def _model_of(permission: str) -> tuple[str, str]:
    """Return (app_label, model) of a default permission such as "shop.change_user"."""
    app_label, codename = permission.split(".")
    return app_label, codename.split("_", 1)[-1]


def ensure_permissions_exist(apps) -> None:
    """Create the permission rows of every installed model now (Django does it only after migrate)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Historical app configs have no models module, and create_permissions skips those.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = original


def sync_role_permissions(apps, schema_editor=None) -> None:
    """Create the three role groups and set each one's permissions to exactly its list."""
    ensure_permissions_exist(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
    }
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([by_name[name] for name in permissions_for(role, set(by_name))])
