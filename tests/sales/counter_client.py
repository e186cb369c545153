"""Requests to the billing counter's JSON endpoints, as its page sends them."""

import json

from django.urls import reverse


def post(client, name: str, body):
    """POST a JSON body to the counter endpoint `name` (quote, checkout, customer...)."""
    return client.post(reverse(f"admin:sales_counter_{name}"), json.dumps(body), content_type="application/json")
