"""How the page tests press buttons and poll, as htmx does."""

from django.urls import reverse

HTMX = {"HTTP_HX_REQUEST": "true"}


def press(client, name, *args):
    return client.post(reverse(f"pages:{name}", args=args), **HTMX)


def poll(client, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(f"{reverse('pages:sync_status')}?{query}")
