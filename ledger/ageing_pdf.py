"""The khata ageing report printed on A4: who owes what, by how old the debt is, with the totals.

The day book's look (ledger.day_book_pdf): Mukta with ₹ and Devanagari names, the same ruled tables,
header and "Page n of N" footer, so the shop's papers look alike.
"""

import io

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Spacer, Table

from ledger.day_book_pdf import SIZE, WIDTH, PrintedHeading, ruled_table
from ledger.selectors import AgeingReport
from sales.documents.fonts import rich
from sales.documents.model import seller_of
from sales.documents.pages import BOTTOM_MARGIN, MARGIN, PAGE_HEIGHT, TOP_MARGIN, NumberedCanvas, on_page
from sales.documents.parts import INK, MUTED, markup, money, para
from shop.models import ShopProfile, User

HEADERS = ["Customer", "Phone", "Limit", "0–30 days", "31–60 days", "61–90 days", "Over 90 days", "Balance",
           "Last payment"]
# Name, phone, limit, four buckets, balance, last payment: the name takes what the amounts leave.
SHARES = (0.2, 0.1, 0.09, 0.1, 0.1, 0.1, 0.1, 0.11, 0.1)


def _amount(value) -> str:
    return money(value) if value else "—"


def _header(report: AgeingReport, profile: ShopProfile, printed_by: User) -> Table:
    left = [para(profile.name, 14, bold=True, leading=17)]
    if profile.address:
        left.append(markup("<br/>".join(rich(line) for line in profile.address.splitlines()), 8))
    who = printed_by.get_full_name() or printed_by.get_username()
    right = [para("KHATA AGEING", 14, bold=True, align="right", leading=17),
             para(f"As of {report.as_of:%d-%m-%Y}", 10, bold=True, align="right"),
             para(report.show_text, 8, align="right"),
             para(f"Printed {timezone.localtime():%d-%m-%Y %H:%M} by {who}", 7.5, align="right", color=MUTED)]
    return Table([[left, right]], colWidths=[WIDTH * 0.6, WIDTH * 0.4], style=[
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("LINEBELOW", (0, 0), (-1, -1), 1, INK),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])


def _last_payment(customer) -> str:
    return f"{timezone.localdate(customer.last_payment_at):%d-%m-%Y}" if customer.last_payment_at else "never"


def _table(report: AgeingReport) -> list:
    if not report.rows:
        return [para("No customer to list.", 9, color=MUTED)]
    rows = [HEADERS]
    alerts = []
    for index, row in enumerate(report.rows, start=1):
        customer, ageing = row.customer, row.ageing
        rows.append([para(customer.name, SIZE), customer.phone, money(customer.credit_limit),
                     *[_amount(amount) for _label, amount in ageing.buckets], money(ageing.balance),
                     _last_payment(customer)])
        if ageing.over_90:
            alerts.append((6, index))
        if row.over_limit:
            alerts.append((7, index))
    totals = report.totals
    rows.append([f"Total ({len(report.rows)} customers)", "", "", *[money(amount) for _label, amount in totals.buckets],
                 money(totals.balance), ""])
    widths = [WIDTH * share for share in SHARES]
    story = [ruled_table(rows, widths, right_from=2, bold_last=True, alerts=alerts)]
    if totals.advance:
        story += [Spacer(1, 4), para(f"Paid in advance (the shop owes it back): {money(totals.advance)}; "
                                     "the balance is what is owed less that.", 7.5, color=MUTED)]
    return story


def ageing_pdf(report: AgeingReport, *, profile: ShopProfile, printed_by: User) -> bytes:
    """Return the ageing report as an A4 PDF."""
    heading = PrintedHeading(title="Khata ageing", number=f"{report.as_of:%d-%m-%Y}", seller=seller_of(profile))
    story = [_header(report, profile, printed_by), Spacer(1, 8), *_table(report)]
    out = io.BytesIO()
    template = BaseDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=TOP_MARGIN,
                               bottomMargin=BOTTOM_MARGIN, title=f"Khata ageing {heading.number}",
                               author=profile.name, invariant=1)
    frame = Frame(MARGIN, BOTTOM_MARGIN, WIDTH, PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN, leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate(frames=[frame], onPage=lambda canvas, _: on_page(canvas, heading))])
    template.build(story, canvasmaker=lambda *args, **kwargs: NumberedCanvas(*args, document=heading, **kwargs))
    return out.getvalue()
