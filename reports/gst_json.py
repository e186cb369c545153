"""GSTR-1 as the JSON the GST portal's offline tool imports.

Field names as the GSTN's returns offline tool and API write them (GSTN publishes no formal schema):
top level gstin, fp (MMYYYY), version, hash; b2b[].ctin, inv[].inum/idt/val/pos/rchrg/inv_typ,
itms[].num, itm_det.rt/txval/iamt/camt/samt/csamt; b2cl[].pos, inv[]; b2cs[].sply_ty/pos/typ/rt/txval;
nil.inv[].sply_ty/expt_amt/nil_amt/ngsup_amt; cdnr[].ctin, nt[].ntty/nt_num/nt_dt/val/pos/rchrg/inv_typ;
cdnur[].typ/ntty/nt_num/nt_dt/val/pos; hsn.hsn_b2b[] and hsn.hsn_b2c[] (hsn.data[] before May 2025)
with num/hsn_sc/desc/uqc/qty/rt/txval/iamt/camt/samt/csamt; doc_issue.doc_det[].doc_num, docs[].num/
from/to/totnum/cancel/net_issue. Dates dd-mm-yyyy; amounts numbers with two decimals; credit notes
unsigned, marked ntty "C".
"""

import json
from decimal import Decimal

from reports.gst import Amounts, B2csRow, Document, Gstr1, HsnRow, SeriesRow

VERSION = "GST3.2.1"  # the offline tool release whose layout this follows
HSN_DESCRIPTION_LENGTH = 30  # the portal cuts a description at 30 characters


class PortalAmount(Decimal):
    """An amount written with exactly two decimals (json would write a float's shortest form)."""


def _money(amount: Decimal) -> PortalAmount:
    return PortalAmount(amount.quantize(Decimal("0.01")))


def _number(value: Decimal) -> int | float:
    """Return a rate or quantity as a JSON number: 18, 0.25, 1.5."""
    return int(value) if value == value.to_integral_value() else float(value)


def _date(day) -> str:
    return f"{day:%d-%m-%Y}"


def _taxes(amounts: Amounts, *, inter_state: bool) -> dict:
    """Return the tax fields of a line of the return: IGST for an inter-state supply, else CGST and SGST."""
    taxes = {"iamt": _money(amounts.igst)} if inter_state else {"camt": _money(amounts.cgst),
                                                                   "samt": _money(amounts.sgst)}
    return {**taxes, "csamt": _money(amounts.cess)}


def _items(document: Document) -> list[dict]:
    return [{"num": number, "itm_det": {"rt": _number(row.rate), "txval": _money(row.amounts.taxable),
                                        **_taxes(row.amounts, inter_state=document.inter_state)}}
            for number, row in enumerate(document.rates, start=1)]


def _by_gstin(documents: list[Document], key: str, write) -> list[dict]:
    groups: dict[str, list] = {}
    for document in documents:
        groups.setdefault(document.gstin, []).append(write(document))
    return [{"ctin": gstin, key: written} for gstin, written in groups.items()]


def _b2b_invoice(invoice: Document) -> dict:
    return {"inum": invoice.number, "idt": _date(invoice.date), "val": _money(invoice.value),
            "pos": invoice.place_of_supply, "rchrg": "N", "inv_typ": "R", "itms": _items(invoice)}


def _b2cl(invoices: list[Document]) -> list[dict]:
    groups: dict[str, list] = {}
    for invoice in invoices:
        groups.setdefault(invoice.place_of_supply, []).append(
            {"inum": invoice.number, "idt": _date(invoice.date), "val": _money(invoice.value),
             "itms": _items(invoice)})
    return [{"pos": pos, "inv": written} for pos, written in sorted(groups.items())]


def _b2cs(row: B2csRow) -> dict:
    return {"sply_ty": row.supply_type, "pos": row.place_of_supply, "typ": "OE", "rt": _number(row.rate),
            "txval": _money(row.amounts.taxable), **_taxes(row.amounts, inter_state=row.inter_state)}


def _note(note: Document, *, registered: bool) -> dict:
    written = {"ntty": "C", "nt_num": note.number, "nt_dt": _date(note.date), "val": _money(note.value),
               "pos": note.place_of_supply}
    if registered:
        written.update(rchrg="N", inv_typ="R")
    else:
        written = {"typ": "B2CL", **written}
    return {**written, "itms": _items(note)}


def _hsn(rows: list[HsnRow]) -> list[dict]:
    return [{"num": number, "hsn_sc": row.hsn, "desc": row.description[:HSN_DESCRIPTION_LENGTH], "uqc": row.uqc,
             "qty": _number(row.quantity), "rt": _number(row.rate), "txval": _money(row.amounts.taxable),
             "iamt": _money(row.amounts.igst), "camt": _money(row.amounts.cgst), "samt": _money(row.amounts.sgst),
             "csamt": _money(row.amounts.cess)}
            for number, row in enumerate(rows, start=1)]


def _doc_issue(rows: list[SeriesRow]) -> dict:
    natures: dict[int, list] = {}
    for row in rows:
        docs = natures.setdefault(row.nature, [])
        docs.append({"num": len(docs) + 1, "from": row.first, "to": row.last, "totnum": row.total,
                     "cancel": row.cancelled, "net_issue": row.net_issued})
    return {"doc_det": [{"doc_num": nature, "docs": docs} for nature, docs in sorted(natures.items())]}


def gstr1_portal_data(report: Gstr1) -> dict:
    """Return the return as the offline tool's JSON object; empty sections are left out, as the tool does."""
    data: dict = {"gstin": report.gstin, "fp": report.fp, "version": VERSION, "hash": "hash"}
    if report.b2b:
        data["b2b"] = _by_gstin(report.b2b, "inv", _b2b_invoice)
    if report.b2cl:
        data["b2cl"] = _b2cl(report.b2cl)
    if report.b2cs:
        data["b2cs"] = [_b2cs(row) for row in report.b2cs]
    if report.nil:
        data["nil"] = {"inv": [{"sply_ty": row.supply_type, "expt_amt": _money(Decimal(0)),
                                "nil_amt": _money(row.amount), "ngsup_amt": _money(Decimal(0))}
                               for row in report.nil]}
    if report.cdnr:
        data["cdnr"] = _by_gstin(report.cdnr, "nt", lambda note: _note(note, registered=True))
    if report.cdnur:
        data["cdnur"] = [_note(note, registered=False) for note in report.cdnur]
    if report.hsn_split:
        data["hsn"] = {"hsn_b2b": _hsn(report.hsn_b2b), "hsn_b2c": _hsn(report.hsn_b2c)}
    else:
        data["hsn"] = {"data": _hsn(report.hsn_b2c)}
    if report.documents:
        data["doc_issue"] = _doc_issue(report.documents)
    return data


def _write(value) -> str:
    """Write JSON text, amounts with their two decimals (10.50, not 10.5)."""
    if isinstance(value, PortalAmount):
        return f"{value:.2f}"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(key)}:{_write(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_write(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def gstr1_portal_json(report: Gstr1) -> str:
    """Return the return as the JSON text to upload to the GST portal's offline tool."""
    return _write(gstr1_portal_data(report))
