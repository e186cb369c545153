"""The base email layout (templates/emails/base.html): the shop's name and logo, amounts in ₹ with Indian
grouping; and every schedule's function run the way the worker runs it (Django-Q2 in sync mode)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django_q.models import Schedule
from django_q.tasks import async_task, fetch

from shop.notifications.layout import email_base_context
from shop.notifications.services import render_text

pytestmark = pytest.mark.django_db


def test_the_layout_shows_the_shops_name_and_logo_on_the_site_address(shop, settings):
    settings.SITE_URL = "https://sharma.example"
    shop.logo.save("logo.png", ContentFile(b"\x89PNG fake"), save=True)
    html = render_to_string("emails/credit_reminder.html", {
        **email_base_context(), "customer_name": "Asha", "as_of": date(2026, 11, 30), "balance": Decimal("123456.5"),
        "ageing": [("0–30 days", Decimal("123456.5"))], "upi_link": ""})
    assert "Sharma Kirana Store" in html
    assert f'src="https://sharma.example{shop.logo.url}"' in html
    assert "₹1,23,456.50" in html


def test_the_text_layout_is_readable_without_html(shop):
    text = render_text("emails/credit_reminder.txt", {
        **email_base_context(), "customer_name": "A & B Traders", "as_of": date(2026, 11, 30),
        "balance": Decimal("1500"), "ageing": [], "upi_link": ""})
    assert "A & B Traders" in text and "₹1,500.00" in text and "<" not in text
    assert text.rstrip().endswith("Sharma Kirana Store")


def test_without_a_logo_the_layout_shows_the_name_only(shop):
    assert email_base_context()["logo_url"] == ""
    assert "<img" not in render_to_string("emails/welcome.html", {**email_base_context(), "username": "priya",
                                                                  "link": "x", "login_url": "y"})


def test_every_schedule_runs_through_django_q(shop, owner):
    """What the cluster does when a schedule is due, inline (sync=True): each function runs without error."""
    for schedule in Schedule.objects.order_by("pk"):
        task = fetch(async_task(schedule.func, task_name=f"test-{schedule.pk}"))
        assert task.success, f"{schedule.name}: {task.result}"
