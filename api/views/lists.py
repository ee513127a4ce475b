"""What every list endpoint shares: its query parameters read by the form the
pages' table uses, and a page of rows answered in one shape."""

from django import forms
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from api.pagination import KeysetPage


def params_of(form: forms.Form) -> dict:
    """The form's valid parameters; an invalid one is a 400 naming it (the
    pages ignore it instead: a person can see the table, a script cannot)."""
    if not form.is_valid():
        raise ValidationError(_messages(form))
    return {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}


def _messages(form: forms.Form) -> dict[str, list[str]]:
    return {field: list(errors) for field, errors in form.errors.items()}


def page_response(
    page: KeysetPage, request: Request, serializer: type[Serializer]
) -> Response:
    return Response(
        {
            "results": serializer(page.rows, many=True).data,
            "next": page.next_url(request),
            "next_cursor": page.next_cursor,
        }
    )
