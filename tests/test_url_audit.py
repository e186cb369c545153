"""Every URL the project serves, opened by each role: the answer each one must get.

The routes are read from the URLconf, so a new view without a row here fails the test. The table is
the contract and is written out by hand; when a route changes, the failure prints the rows to review.

Cells: an HTTP status, or "login" for a redirect to the login page. A GET on an endpoint that only
takes POST answers 405 to those allowed past the permission check. Object URLs point at a record
the role may or may not reach: the invoice and its payment were made by ANOTHER cashier, so a
cashier must not open them; so was the khata repayment whose receipt is asked for.
"""

import contextlib
import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

from catalog.models import Product, Warehouse
from catalog.services import StockChange, stock_add_opening
from sales.services import checkout
from tests import factories
from tests.shop.test_roles import credit_note_for, make_instance

ROLES = ("anonymous", "cashier", "manager", "owner")
SECRET_COST = Decimal("4321.17")
L = "login"

# route                                                            anonymous cashier manager owner
EXPECTED: dict[str, tuple] = {
    '':                                                                     (302, 302, 302, 302),
    'admin/search/':                                                        (L, 200, 200, 200),
    'admin/':                                                               (L, 200, 200, 200),
    'admin/settings/':                                                      (L, 200, 200, 200),
    'admin/login/':                                                         (200, 302, 302, 302),
    'admin/logout/':                                                        (302, 405, 405, 405),
    'admin/password_change/':                                               (L, 200, 200, 200),
    'admin/password_change/done/':                                          (L, 200, 200, 200),
    'admin/autocomplete/':                                                  (L, 403, 403, 403),
    'admin/jsi18n/':                                                        (L, 200, 200, 200),
    'admin/r/<path:content_type_id>/<path:object_id>/':                     (L, 404, 404, 404),
    'admin/shop/outboundemail/<path:object_id>/resend/':                    (L, 403, 200, 200),
    'admin/shop/outboundemail/':                                            (L, 403, 200, 200),
    'admin/shop/outboundemail/add/':                                        (L, 403, 403, 403),
    'admin/shop/outboundemail/<path:object_id>/history/':                   (L, 403, 200, 200),
    'admin/shop/outboundemail/<path:object_id>/delete/':                    (L, 403, 403, 403),
    'admin/shop/outboundemail/<path:object_id>/change/':                    (L, 403, 200, 200),
    'admin/shop/outboundemail/<path:object_id>/':                           (L, 302, 302, 302),
    'admin/shop/notification/<int:pk>/open/':                               (L, 404, 404, 302),
    'admin/shop/notification/mark_all_read/':                               (L, 302, 302, 302),
    'admin/shop/notification/':                                             (L, 200, 200, 200),
    'admin/shop/notification/add/':                                         (L, 403, 403, 403),
    'admin/shop/notification/<path:object_id>/history/':                    (L, 302, 302, 200),
    'admin/shop/notification/<path:object_id>/delete/':                     (L, 403, 403, 403),
    'admin/shop/notification/<path:object_id>/change/':                     (L, 302, 302, 200),
    'admin/shop/notification/<path:object_id>/':                            (L, 302, 302, 302),
    'admin/password_reset/':                                                (200, 200, 200, 200),
    'admin/password_reset/done/':                                           (200, 200, 200, 200),
    'admin/reset/<uidb64>/<token>/':                                        (200, 200, 200, 200),
    'admin/reset/done/':                                                    (200, 200, 200, 200),
    'admin/django_q/schedule/':                                             (L, 403, 200, 200),
    'admin/django_q/schedule/add/':                                         (L, 403, 403, 403),
    'admin/django_q/schedule/<path:object_id>/history/':                    (L, 403, 200, 200),
    'admin/django_q/schedule/<path:object_id>/delete/':                     (L, 403, 403, 403),
    'admin/django_q/schedule/<path:object_id>/change/':                     (L, 403, 200, 200),
    'admin/django_q/schedule/<path:object_id>/':                            (L, 302, 302, 302),
    'admin/django_q/success/':                                              (L, 403, 403, 200),
    'admin/django_q/success/add/':                                          (L, 403, 403, 403),
    'admin/django_q/success/<path:object_id>/history/':                     (L, 403, 403, 200),
    'admin/django_q/success/<path:object_id>/delete/':                      (L, 403, 403, 403),
    'admin/django_q/success/<path:object_id>/change/':                      (L, 403, 403, 200),
    'admin/django_q/success/<path:object_id>/':                             (L, 302, 302, 302),
    'admin/django_q/failure/':                                              (L, 403, 403, 200),
    'admin/django_q/failure/add/':                                          (L, 403, 403, 403),
    'admin/django_q/failure/<path:object_id>/history/':                     (L, 403, 403, 200),
    'admin/django_q/failure/<path:object_id>/delete/':                      (L, 403, 403, 403),
    'admin/django_q/failure/<path:object_id>/change/':                      (L, 403, 403, 200),
    'admin/django_q/failure/<path:object_id>/':                             (L, 302, 302, 302),
    'admin/django_q/ormq/':                                                 (L, 403, 403, 200),
    'admin/django_q/ormq/add/':                                             (L, 403, 403, 403),
    'admin/django_q/ormq/<path:object_id>/history/':                        (L, 403, 403, 200),
    'admin/django_q/ormq/<path:object_id>/delete/':                         (L, 403, 403, 403),
    'admin/django_q/ormq/<path:object_id>/change/':                         (L, 403, 403, 200),
    'admin/django_q/ormq/<path:object_id>/':                                (L, 302, 302, 302),
    'admin/shop/user/<id>/password/':                                       (L, 403, 403, 200),
    'admin/shop/user/':                                                     (L, 403, 403, 200),
    'admin/shop/user/add/':                                                 (L, 403, 403, 200),
    'admin/shop/user/<path:object_id>/history/':                            (L, 403, 403, 200),
    'admin/shop/user/<path:object_id>/delete/':                             (L, 403, 403, 200),
    'admin/shop/user/<path:object_id>/change/':                             (L, 403, 403, 200),
    'admin/shop/user/<path:object_id>/':                                    (L, 302, 302, 302),
    'admin/auth/group/':                                                    (L, 403, 403, 200),
    'admin/auth/group/add/':                                                (L, 403, 403, 200),
    'admin/auth/group/<path:object_id>/history/':                           (L, 403, 403, 200),
    'admin/auth/group/<path:object_id>/delete/':                            (L, 403, 403, 200),
    'admin/auth/group/<path:object_id>/change/':                            (L, 403, 403, 200),
    'admin/auth/group/<path:object_id>/':                                   (L, 302, 302, 302),
    'admin/shop/shopprofile/^([^/]+)/history/([^/]+)/$':                    (L, 403, 200, 200),
    'admin/shop/shopprofile/':                                              (L, 403, 302, 302),
    'admin/shop/shopprofile/add/':                                          (L, 403, 403, 403),
    'admin/shop/shopprofile/<path:object_id>/history/':                     (L, 403, 200, 200),
    'admin/shop/shopprofile/<path:object_id>/delete/':                      (L, 403, 403, 403),
    'admin/shop/shopprofile/<path:object_id>/change/':                      (L, 403, 200, 200),
    'admin/shop/shopprofile/<path:object_id>/':                             (L, 302, 302, 302),
    'admin/catalog/purchasereceipt/':                                       (L, 403, 200, 200),
    'admin/catalog/purchasereceipt/add/':                                   (L, 403, 200, 200),
    'admin/catalog/purchasereceipt/<path:object_id>/history/':              (L, 403, 200, 200),
    'admin/catalog/purchasereceipt/<path:object_id>/delete/':               (L, 403, 200, 200),
    'admin/catalog/purchasereceipt/<path:object_id>/change/':               (L, 403, 200, 200),
    'admin/catalog/purchasereceipt/<path:object_id>/':                      (L, 302, 302, 302),
    'admin/catalog/stocktransfer/':                                         (L, 403, 200, 200),
    'admin/catalog/stocktransfer/add/':                                     (L, 403, 200, 200),
    'admin/catalog/stocktransfer/<path:object_id>/history/':                (L, 403, 200, 200),
    'admin/catalog/stocktransfer/<path:object_id>/delete/':                 (L, 403, 200, 200),
    'admin/catalog/stocktransfer/<path:object_id>/change/':                 (L, 403, 200, 200),
    'admin/catalog/stocktransfer/<path:object_id>/':                        (L, 302, 302, 302),
    'admin/catalog/stockcount/':                                            (L, 403, 200, 200),
    'admin/catalog/stockcount/add/':                                        (L, 403, 200, 200),
    'admin/catalog/stockcount/<path:object_id>/history/':                   (L, 403, 200, 200),
    'admin/catalog/stockcount/<path:object_id>/delete/':                    (L, 403, 200, 200),
    'admin/catalog/stockcount/<path:object_id>/change/':                    (L, 403, 200, 200),
    'admin/catalog/stockcount/<path:object_id>/':                           (L, 302, 302, 302),
    'admin/catalog/taxrate/':                                               (L, 200, 200, 200),
    'admin/catalog/taxrate/add/':                                           (L, 403, 200, 200),
    'admin/catalog/taxrate/<path:object_id>/history/':                      (L, 200, 200, 200),
    'admin/catalog/taxrate/<path:object_id>/delete/':                       (L, 403, 200, 200),
    'admin/catalog/taxrate/<path:object_id>/change/':                       (L, 200, 200, 200),
    'admin/catalog/taxrate/<path:object_id>/':                              (L, 302, 302, 302),
    'admin/catalog/unit/':                                                  (L, 200, 200, 200),
    'admin/catalog/unit/add/':                                              (L, 403, 200, 200),
    'admin/catalog/unit/<path:object_id>/history/':                         (L, 200, 200, 200),
    'admin/catalog/unit/<path:object_id>/delete/':                          (L, 403, 200, 200),
    'admin/catalog/unit/<path:object_id>/change/':                          (L, 200, 200, 200),
    'admin/catalog/unit/<path:object_id>/':                                 (L, 302, 302, 302),
    'admin/catalog/category/process_import/':                               (L, 405, 405, 405),
    'admin/catalog/category/import/':                                       (L, 403, 200, 200),
    'admin/catalog/category/export/':                                       (L, 200, 200, 200),
    'admin/catalog/category/':                                              (L, 200, 200, 200),
    'admin/catalog/category/add/':                                          (L, 403, 200, 200),
    'admin/catalog/category/<path:object_id>/history/':                     (L, 200, 200, 200),
    'admin/catalog/category/<path:object_id>/delete/':                      (L, 403, 200, 200),
    'admin/catalog/category/<path:object_id>/change/':                      (L, 200, 200, 200),
    'admin/catalog/category/<path:object_id>/':                             (L, 302, 302, 302),
    'admin/catalog/brand/process_import/':                                  (L, 405, 405, 405),
    'admin/catalog/brand/import/':                                          (L, 403, 200, 200),
    'admin/catalog/brand/export/':                                          (L, 200, 200, 200),
    'admin/catalog/brand/':                                                 (L, 200, 200, 200),
    'admin/catalog/brand/add/':                                             (L, 403, 200, 200),
    'admin/catalog/brand/<path:object_id>/history/':                        (L, 200, 200, 200),
    'admin/catalog/brand/<path:object_id>/delete/':                         (L, 403, 200, 200),
    'admin/catalog/brand/<path:object_id>/change/':                         (L, 200, 200, 200),
    'admin/catalog/brand/<path:object_id>/':                                (L, 302, 302, 302),
    'admin/catalog/supplier/process_import/':                               (L, 405, 405, 405),
    'admin/catalog/supplier/import/':                                       (L, 403, 200, 200),
    'admin/catalog/supplier/export/':                                       (L, 403, 200, 200),
    'admin/catalog/supplier/^([^/]+)/history/([^/]+)/$':                    (L, 403, 200, 200),
    'admin/catalog/supplier/':                                              (L, 403, 200, 200),
    'admin/catalog/supplier/add/':                                          (L, 403, 200, 200),
    'admin/catalog/supplier/<path:object_id>/history/':                     (L, 403, 200, 200),
    'admin/catalog/supplier/<path:object_id>/delete/':                      (L, 403, 200, 200),
    'admin/catalog/supplier/<path:object_id>/change/':                      (L, 403, 200, 200),
    'admin/catalog/supplier/<path:object_id>/':                             (L, 302, 302, 302),
    'admin/catalog/warehouse/':                                             (L, 200, 200, 200),
    'admin/catalog/warehouse/add/':                                         (L, 403, 200, 200),
    'admin/catalog/warehouse/<path:object_id>/history/':                    (L, 200, 200, 200),
    'admin/catalog/warehouse/<path:object_id>/delete/':                     (L, 403, 200, 200),
    'admin/catalog/warehouse/<path:object_id>/change/':                     (L, 200, 200, 200),
    'admin/catalog/warehouse/<path:object_id>/':                            (L, 302, 302, 302),
    'admin/catalog/product/low-stock/':                                     (L, 200, 200, 200),
    'admin/catalog/product/process_import/':                                (L, 405, 405, 405),
    'admin/catalog/product/import/':                                        (L, 403, 200, 200),
    'admin/catalog/product/export/':                                        (L, 200, 200, 200),
    'admin/catalog/product/^([^/]+)/history/([^/]+)/$':                     (L, 200, 200, 200),
    'admin/catalog/product/':                                               (L, 200, 200, 200),
    'admin/catalog/product/add/':                                           (L, 403, 200, 200),
    'admin/catalog/product/<path:object_id>/history/':                      (L, 200, 200, 200),
    'admin/catalog/product/<path:object_id>/delete/':                       (L, 403, 200, 200),
    'admin/catalog/product/<path:object_id>/change/':                       (L, 200, 200, 200),
    'admin/catalog/product/<path:object_id>/':                              (L, 302, 302, 302),
    'admin/catalog/stock/process_import/':                                  (L, 405, 405, 405),
    'admin/catalog/stock/import/':                                          (L, 403, 200, 200),
    'admin/catalog/stock/export/':                                          (L, 200, 200, 200),
    'admin/catalog/stock/':                                                 (L, 200, 200, 200),
    'admin/catalog/stock/add/':                                             (L, 403, 403, 403),
    'admin/catalog/stock/<path:object_id>/history/':                        (L, 200, 200, 200),
    'admin/catalog/stock/<path:object_id>/delete/':                         (L, 403, 403, 403),
    'admin/catalog/stock/<path:object_id>/change/':                         (L, 200, 200, 200),
    'admin/catalog/stock/<path:object_id>/':                                (L, 302, 302, 302),
    'admin/catalog/importjob/<int:pk>/status/':                             (L, 403, 404, 200),
    'admin/catalog/importjob/':                                             (L, 403, 200, 200),
    'admin/catalog/importjob/add/':                                         (L, 403, 403, 403),
    'admin/catalog/importjob/<path:object_id>/history/':                    (L, 403, 404, 200),
    'admin/catalog/importjob/<path:object_id>/delete/':                     (L, 403, 403, 403),
    'admin/catalog/importjob/<path:object_id>/change/':                     (L, 403, 404, 200),
    'admin/catalog/importjob/<path:object_id>/':                            (L, 302, 302, 302),
    'admin/catalog/stockmovement/':                                         (L, 403, 200, 200),
    'admin/catalog/stockmovement/add/':                                     (L, 403, 403, 403),
    'admin/catalog/stockmovement/<path:object_id>/history/':                (L, 403, 200, 200),
    'admin/catalog/stockmovement/<path:object_id>/delete/':                 (L, 403, 403, 403),
    'admin/catalog/stockmovement/<path:object_id>/change/':                 (L, 403, 200, 200),
    'admin/catalog/stockmovement/<path:object_id>/':                        (L, 302, 302, 302),
    'admin/ledger/customer/^([^/]+)/history/([^/]+)/$':                     (L, 200, 200, 200),
    'admin/ledger/customer/':                                               (L, 200, 200, 200),
    'admin/ledger/customer/add/':                                           (L, 200, 200, 200),
    'admin/ledger/customer/<path:object_id>/history/':                      (L, 200, 200, 200),
    'admin/ledger/customer/<path:object_id>/delete/':                       (L, 403, 200, 200),
    'admin/ledger/customer/<path:object_id>/change/':                       (L, 200, 200, 200),
    'admin/ledger/customer/<path:object_id>/':                              (L, 302, 302, 302),
    'admin/ledger/daybookentry/export/':                                    (L, 200, 200, 200),
    'admin/ledger/daybookentry/pdf/':                                       (L, 200, 200, 200),
    'admin/ledger/daybookentry/expense/':                                   (L, 403, 200, 200),
    'admin/ledger/daybookentry/cash/':                                      (L, 403, 200, 200),
    'admin/ledger/daybookentry/':                                           (L, 200, 200, 200),
    'admin/ledger/daybookentry/add/':                                       (L, 403, 403, 403),
    'admin/ledger/daybookentry/<path:object_id>/history/':                  (L, 302, 200, 200),
    'admin/ledger/daybookentry/<path:object_id>/delete/':                   (L, 403, 403, 403),
    'admin/ledger/daybookentry/<path:object_id>/change/':                   (L, 302, 200, 200),
    'admin/ledger/daybookentry/<path:object_id>/':                          (L, 302, 302, 302),
    'admin/ledger/dayclosing/close/':                                       (L, 403, 200, 200),
    'admin/ledger/dayclosing/<int:pk>/reopen/':                             (L, 403, 403, 200),
    'admin/ledger/dayclosing/export/':                                      (L, 403, 200, 200),
    'admin/ledger/dayclosing/close_a_day/':                                 (L, 403, 302, 302),
    'admin/ledger/dayclosing/<path:object_id>/reopen_day/':                 (L, 403, 403, 302),
    'admin/ledger/dayclosing/':                                             (L, 403, 200, 200),
    'admin/ledger/dayclosing/add/':                                         (L, 403, 403, 403),
    'admin/ledger/dayclosing/<path:object_id>/history/':                    (L, 403, 200, 200),
    'admin/ledger/dayclosing/<path:object_id>/delete/':                     (L, 403, 403, 403),
    'admin/ledger/dayclosing/<path:object_id>/change/':                     (L, 403, 200, 200),
    'admin/ledger/dayclosing/<path:object_id>/':                            (L, 302, 302, 302),
    'admin/ledger/customer/receive-payment/':                               (L, 200, 200, 200),
    'admin/ledger/customer/<int:pk>/statement/':                            (L, 403, 200, 200),
    'admin/ledger/customer/<int:pk>/statement/pdf/':                        (L, 403, 200, 200),
    'admin/ledger/customer/<int:pk>/statement/email/':                      (L, 403, 200, 200),
    'admin/ledger/customer/<int:pk>/adjust/':                               (L, 403, 200, 200),
    'admin/ledger/customer/<int:pk>/opening-balance/':                      (L, 403, 200, 200),
    'admin/ledger/customer/ageing/':                                        (L, 403, 200, 200),
    'admin/ledger/customer/ageing/export/':                                 (L, 403, 200, 200),
    'admin/ledger/customer/ageing/pdf/':                                    (L, 403, 200, 200),
    'admin/ledger/customer/process_import/':                                (L, 405, 405, 405),
    'admin/ledger/customer/import/':                                        (L, 403, 200, 200),
    'admin/ledger/customer/export/':                                        (L, 403, 200, 200),
    'admin/ledger/creditentry/<int:pk>/reverse/':                           (L, 403, 200, 200),
    'admin/ledger/creditentry/<int:pk>/receipt/':                           (L, 403, 200, 200),
    'admin/ledger/creditentry/':                                            (L, 403, 200, 200),
    'admin/ledger/creditentry/add/':                                        (L, 403, 403, 403),
    'admin/ledger/creditentry/<path:object_id>/history/':                   (L, 403, 200, 200),
    'admin/ledger/creditentry/<path:object_id>/delete/':                    (L, 403, 403, 403),
    'admin/ledger/creditentry/<path:object_id>/change/':                    (L, 403, 200, 200),
    'admin/ledger/creditentry/<path:object_id>/':                           (L, 302, 302, 302),
    'admin/sales/invoice/counter/':                                         (L, 200, 200, 200),
    'admin/sales/invoice/counter/product/':                                 (L, 404, 404, 404),
    'admin/sales/invoice/counter/search/':                                  (L, 200, 200, 200),
    'admin/sales/invoice/counter/quote/':                                   (L, 405, 405, 405),
    'admin/sales/invoice/counter/customer/':                                (L, 404, 404, 404),
    'admin/sales/invoice/counter/checkout/':                                (L, 405, 405, 405),
    'admin/sales/invoice/counter/confirm-upi/':                             (L, 405, 405, 405),
    'admin/sales/invoice/counter/ping/':                                    (L, 204, 204, 204),
    'admin/sales/invoice/counter/hold/':                                    (L, 405, 405, 405),
    'admin/sales/invoice/counter/held/':                                    (L, 200, 200, 200),
    'admin/sales/invoice/counter/resume/':                                  (L, 405, 405, 405),
    'admin/sales/invoice/counter/discard/':                                 (L, 405, 405, 405),
    'admin/sales/invoice/<int:pk>/pdf/':                                    (L, 403, 200, 200),
    'admin/sales/invoice/<int:pk>/receipt/':                                (L, 403, 200, 200),
    'admin/sales/invoice/<int:pk>/email/':                                  (L, 403, 200, 200),
    # the audit's invoice has a return: its cancel page sends managers back to the invoice saying why
    'admin/sales/invoice/<int:pk>/cancel/':                                 (L, 403, 302, 302),
    'admin/sales/invoice/<path:object_id>/print_a4/':                       (L, 302, 302, 302),
    'admin/sales/invoice/<path:object_id>/print_receipt/':                  (L, 302, 302, 302),
    'admin/sales/invoice/<path:object_id>/email_invoice/':                  (L, 302, 302, 302),
    'admin/sales/invoice/<path:object_id>/share_whatsapp/':                 (L, 404, 302, 302),
    'admin/sales/invoice/<path:object_id>/return_items/':                   (L, 302, 302, 302),
    'admin/sales/invoice/<path:object_id>/cancel_invoice/':                 (L, 403, 403, 403),
    'admin/sales/invoice/':                                                 (L, 200, 200, 200),
    'admin/sales/invoice/add/':                                             (L, 403, 403, 403),
    'admin/sales/invoice/<path:object_id>/history/':                        (L, 302, 200, 200),
    'admin/sales/invoice/<path:object_id>/delete/':                         (L, 403, 403, 403),
    'admin/sales/invoice/<path:object_id>/change/':                         (L, 302, 200, 200),
    'admin/sales/invoice/<path:object_id>/':                                (L, 302, 302, 302),
    'admin/sales/creditnote/return/':                                       (L, 200, 200, 200),
    'admin/sales/creditnote/return/<int:invoice_pk>/':                      (L, 403, 200, 200),
    'admin/sales/creditnote/<int:pk>/pdf/':                                 (L, 403, 200, 200),
    'admin/sales/creditnote/<int:pk>/receipt/':                             (L, 403, 200, 200),
    'admin/sales/creditnote/<int:pk>/email/':                               (L, 403, 200, 200),
    'admin/sales/creditnote/new_return/':                                   (L, 302, 302, 302),
    'admin/sales/creditnote/<path:object_id>/print_a4/':                    (L, 302, 302, 302),
    'admin/sales/creditnote/<path:object_id>/print_receipt/':               (L, 302, 302, 302),
    'admin/sales/creditnote/<path:object_id>/email_credit_note/':           (L, 302, 302, 302),
    'admin/sales/creditnote/<path:object_id>/open_invoice/':                (L, 404, 302, 302),
    'admin/sales/creditnote/':                                              (L, 200, 200, 200),
    'admin/sales/creditnote/add/':                                          (L, 403, 403, 403),
    'admin/sales/creditnote/<path:object_id>/history/':                     (L, 302, 200, 200),
    'admin/sales/creditnote/<path:object_id>/delete/':                      (L, 403, 403, 403),
    'admin/sales/creditnote/<path:object_id>/change/':                      (L, 302, 200, 200),
    'admin/sales/creditnote/<path:object_id>/':                             (L, 302, 302, 302),
    'admin/sales/payment/<int:pk>/confirm/':                                (L, 404, 200, 200),
    'admin/sales/payment/statement/':                                       (L, 403, 200, 200),
    'admin/sales/payment/<path:object_id>/confirm_upi/':                    (L, 302, 302, 302),
    'admin/sales/payment/import_statement/':                                (L, 403, 302, 302),
    'admin/sales/payment/':                                                 (L, 200, 200, 200),
    'admin/sales/payment/add/':                                             (L, 403, 403, 403),
    'admin/sales/payment/<path:object_id>/history/':                        (L, 302, 200, 200),
    'admin/sales/payment/<path:object_id>/delete/':                         (L, 403, 403, 403),
    'admin/sales/payment/<path:object_id>/change/':                         (L, 302, 200, 200),
    'admin/sales/payment/<path:object_id>/':                                (L, 302, 302, 302),
    'admin/sales/discountrule/<path:object_id>/generate_coupons/':          (L, 403, 302, 302),
    'admin/sales/discountrule/':                                            (L, 403, 200, 200),
    'admin/sales/discountrule/add/':                                        (L, 403, 200, 200),
    'admin/sales/discountrule/<path:object_id>/history/':                   (L, 403, 200, 200),
    'admin/sales/discountrule/<path:object_id>/delete/':                    (L, 403, 200, 200),
    'admin/sales/discountrule/<path:object_id>/change/':                    (L, 403, 200, 200),
    'admin/sales/discountrule/<path:object_id>/':                           (L, 302, 302, 302),
    'admin/sales/coupon/generate/':                                         (L, 403, 200, 200),
    'admin/sales/coupon/<int:pk>/email/':                                   (L, 403, 200, 200),
    'admin/sales/coupon/generate_coupons/':                                 (L, 403, 302, 302),
    'admin/sales/coupon/<path:object_id>/email_coupon/':                    (L, 403, 302, 302),
    'admin/sales/coupon/':                                                  (L, 403, 200, 200),
    'admin/sales/coupon/add/':                                              (L, 403, 200, 200),
    'admin/sales/coupon/<path:object_id>/history/':                         (L, 403, 200, 200),
    'admin/sales/coupon/<path:object_id>/delete/':                          (L, 403, 200, 200),
    'admin/sales/coupon/<path:object_id>/change/':                          (L, 403, 200, 200),
    'admin/sales/coupon/<path:object_id>/':                                 (L, 302, 302, 302),
    # Reports: owners and managers; profit the owner alone. Cost figures inside a page are the owner's too.
    'admin/reports/report/':                                                (L, 403, 200, 200),
    'admin/reports/report/sales-by-period/':                                (L, 403, 200, 200),
    'admin/reports/report/sales-by-period/export/':                         (L, 403, 200, 200),
    'admin/reports/report/sales-by-period/pdf/':                            (L, 403, 200, 200),
    'admin/reports/report/sales-by-product/':                               (L, 403, 200, 200),
    'admin/reports/report/sales-by-product/export/':                        (L, 403, 200, 200),
    'admin/reports/report/sales-by-product/pdf/':                           (L, 403, 200, 200),
    'admin/reports/report/sales-by-category/':                              (L, 403, 200, 200),
    'admin/reports/report/sales-by-category/export/':                       (L, 403, 200, 200),
    'admin/reports/report/sales-by-category/pdf/':                          (L, 403, 200, 200),
    'admin/reports/report/sales-by-brand/':                                 (L, 403, 200, 200),
    'admin/reports/report/sales-by-brand/export/':                          (L, 403, 200, 200),
    'admin/reports/report/sales-by-brand/pdf/':                             (L, 403, 200, 200),
    'admin/reports/report/sales-by-cashier/':                               (L, 403, 200, 200),
    'admin/reports/report/sales-by-cashier/export/':                        (L, 403, 200, 200),
    'admin/reports/report/sales-by-cashier/pdf/':                           (L, 403, 200, 200),
    'admin/reports/report/sales-by-payment-mode/':                          (L, 403, 200, 200),
    'admin/reports/report/sales-by-payment-mode/export/':                   (L, 403, 200, 200),
    'admin/reports/report/sales-by-payment-mode/pdf/':                      (L, 403, 200, 200),
    'admin/reports/report/sales-by-hour/':                                  (L, 403, 200, 200),
    'admin/reports/report/sales-by-hour/export/':                           (L, 403, 200, 200),
    'admin/reports/report/sales-by-hour/pdf/':                              (L, 403, 200, 200),
    'admin/reports/report/discounts-and-returns/':                          (L, 403, 200, 200),
    'admin/reports/report/discounts-and-returns/export/':                   (L, 403, 200, 200),
    'admin/reports/report/discounts-and-returns/pdf/':                      (L, 403, 200, 200),
    'admin/reports/report/profit-by-product/':                              (L, 403, 403, 200),
    'admin/reports/report/profit-by-product/export/':                       (L, 403, 403, 200),
    'admin/reports/report/profit-by-product/pdf/':                          (L, 403, 403, 200),
    'admin/reports/report/profit-by-category/':                             (L, 403, 403, 200),
    'admin/reports/report/profit-by-category/export/':                      (L, 403, 403, 200),
    'admin/reports/report/profit-by-category/pdf/':                         (L, 403, 403, 200),
    'admin/reports/report/stock-on-hand/':                                  (L, 403, 200, 200),
    'admin/reports/report/stock-on-hand/export/':                           (L, 403, 200, 200),
    'admin/reports/report/stock-on-hand/pdf/':                              (L, 403, 200, 200),
    'admin/reports/report/stock-movements/':                                (L, 403, 200, 200),
    'admin/reports/report/stock-movements/export/':                         (L, 403, 200, 200),
    'admin/reports/report/stock-movements/pdf/':                            (L, 403, 200, 200),
    'admin/reports/report/slow-stock/':                                     (L, 403, 200, 200),
    'admin/reports/report/slow-stock/export/':                              (L, 403, 200, 200),
    'admin/reports/report/slow-stock/pdf/':                                 (L, 403, 200, 200),
    'admin/reports/report/gst/gstr-1/':                                     (L, 403, 200, 200),
    'admin/reports/report/gst/gstr-1/json/':                                (L, 403, 400, 400),  # shop without GSTIN
    'admin/reports/report/gst/gstr-1/export/':                              (L, 403, 200, 200),
    'admin/reports/report/gst/gstr-1/pdf/':                                 (L, 403, 200, 200),
    'admin/reports/report/gst/gstr-3b/':                                    (L, 403, 200, 200),
    'admin/^(?P<app_label>shop|django_q|auth|catalog|ledger|sales|reports)/$': (L, 200, 200, 200),
    'admin/(?P<url>.*)$':                                                   (L, 404, 404, 404),
    'payments/upi/callback/':                                               (405, 405, 405, 405),
}

PLACEHOLDER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
HISTORY_VERSION = "^([^/]+)/history/([^/]+)/$"
MODEL_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")


def routes(patterns=None, prefix: str = "") -> list[str]:
    """Return every route of the URLconf as its pattern text, e.g. "admin/sales/invoice/<int:pk>/pdf/"."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            found += routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append(prefix + str(pattern.pattern))
    return found


def concrete_url(route: str, objects: dict) -> str:
    """Turn a route into a URL to request, with an existing record's id in place of the placeholders."""
    if route.startswith("admin/^("):  # the app index regex: any app label
        return "/admin/sales/"
    if route == "admin/(?P<url>.*)$":  # the catch-all that redirects unknown admin URLs
        return "/admin/no-such-page/"
    if route.startswith("admin/r/"):  # view on site: content type, then object
        invoice = objects["sales.invoice"]
        return f"/admin/r/{ContentType.objects.get_for_model(invoice).pk}/{invoice.pk}/"
    match = MODEL_ROUTE.match(route)
    label = f"{match['app']}.{match['model']}" if match else None
    obj = objects.get(label)
    pk = obj.pk if obj is not None else 1
    if "<int:invoice_pk>" in route:  # the return form of a bill: the other cashier's sale
        return "/" + route.replace("<int:invoice_pk>", str(objects["sales.invoice"].pk))
    if HISTORY_VERSION in route:  # simple-history's page of one past version
        return "/" + route.replace(HISTORY_VERSION, f"{pk}/history/{obj.history.first().history_id}/")
    return "/" + PLACEHOLDER.sub(str(pk), route)


def _shows_cost(response) -> bool:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return any(text in body for text in (b"4321.17", b"4,321.17"))


def answer(response) -> int | str:
    if response.status_code in (301, 302) and "/login/" in response["Location"]:
        return L
    return response.status_code


@pytest.fixture
def objects(db):
    users = {"owner": factories.owner(), "manager": factories.manager(), "cashier": factories.cashier()}
    other_cashier = factories.UserFactory(username="cashier2", role="Cashier")
    labels = {route_label for route in routes() if (m := MODEL_ROUTE.match(route))
              for route_label in [f"{m['app']}.{m['model']}"]}
    made = {}
    for label in sorted(labels - {"sales.invoice", "sales.payment", "sales.creditnote"}):  # a real sale, below
        with contextlib.suppress(KeyError):  # a route of no model (an app page)
            made[label] = make_instance(label, {**users, "cashier": other_cashier})
    for product in Product.objects.all():  # every product's cost, in its history too, is one a cashier never sees
        product.cost_price = SECRET_COST
        product.save()
    made["sales.invoice"] = _sale_by(other_cashier)
    made["sales.payment"] = made["sales.invoice"].payments.get()
    made["sales.creditnote"] = credit_note_for(made["sales.invoice"], other_cashier)
    return users, made


def _sale_by(cashier):
    """A real bill, paid by UPI that still awaits its transaction number."""
    product = factories.ProductFactory(selling_price=Decimal("100"), cost_price=SECRET_COST)
    stock_add_opening(entries=[StockChange(product, Warehouse.objects.get(is_default=True), Decimal("5"))],
                      user=None)
    return checkout(cashier=cashier, lines=[{"product": product, "quantity": Decimal("1")}],
                    payments=[{"method": "upi", "amount": Decimal("100")}])


@pytest.mark.django_db
def test_every_route_has_a_row():
    assert sorted(set(routes()) - set(EXPECTED)) == [], "new routes need a row in EXPECTED"
    assert sorted(set(EXPECTED) - set(routes())) == [], "rows for routes that no longer exist"


@pytest.mark.django_db
def test_each_role_gets_the_expected_answer_from_every_route(client, objects):
    users, made = objects
    got, saw_cost = {}, {role: [] for role in ROLES}
    for route in routes():
        url = concrete_url(route, made)
        row = []
        for role in ROLES:
            client.logout()
            if role != "anonymous":
                client.force_login(users[role])
            response = client.get(url)
            row.append(answer(response))
            if _shows_cost(response):
                saw_cost[role].append(route)
        got[route] = tuple(row)
    assert saw_cost["cashier"] == [], "a cashier saw a cost price on these routes"
    assert "admin/catalog/product/<path:object_id>/change/" in saw_cost["owner"]  # the check can see one
    wrong = {route: row for route, row in got.items() if EXPECTED.get(route) != row}
    assert not wrong, "rows that differ (got):\n" + "\n".join(
        f"    {repr(route) + ':':72} {row!r}," for route, row in wrong.items())


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["cashier", "manager", "owner"])
def test_each_role_sees_the_lines_of_an_invoice_it_reaches_and_a_cashier_no_cost(client, objects, role):
    users, _made = objects
    own = _sale_by(users["cashier"])  # the cashier's own bill: every role reaches it
    line = own.lines.get()
    client.force_login(users[role])
    response = client.get(f"/admin/sales/invoice/{own.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert line.description in page and "₹100.00" in page, "the invoice's lines are not on its page"
    assert not _shows_cost(response)
