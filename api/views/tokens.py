"""The tokens page: a user makes, names, reviews and revokes their own API tokens.

A browser page behind the portal's login (not an API endpoint: a token cannot
make tokens). A new token's secret is shown once, on the page the form's
redirect leads to (it waits in the server-side session until then); the page
lists only the first characters after that.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from api.forms import TokenForm
from api.models import ApiToken
from api.tokens import create_token, revoke

# The session key that carries a new token's secret to the one page showing it.
SHOW_ONCE = "api_token_to_show"


def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, secret = create_token(
            user=request.user,
            name=form.cleaned_data["name"],
            read_only=form.cleaned_data["read_only"],
            expires_at=form.expires_at(now=timezone.now()),
        )
        # Shown by the page the redirect leads to, then gone: a reload shows
        # it no more, and makes no second token.
        request.session[SHOW_ONCE] = secret
        return redirect("api:tokens")
    context = {
        "form": form,
        "secret": request.session.pop(SHOW_ONCE, None),
        "tokens": ApiToken.objects.filter(user=request.user),
    }
    status = 400 if form.is_bound else 200
    return render(request, "api/tokens.html", context, status=status)


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Only the owner revokes a token here (the admin revokes anyone's)."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    revoke(ApiToken.objects.filter(pk=token.pk))
    messages.success(request, f"Revoked “{token.name}”: it no longer works.")
    return redirect("api:tokens")
