"""Login (remembering the browser's timezone the first time), preferences, the
digest's unsubscribe link, the guided first visit's dismissal, and the password
reset, which is there only when e-mail is configured."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts import tour
from accounts.forms import TimezoneForm
from accounts.preferences import (
    adopt_browser_timezone,
    set_digest,
    set_timezone,
    stop_digest,
    stored_digest,
    stored_timezone,
)
from accounts.throttling import client_address, reset_allowed
from attention.unsubscribe import user_id_from


class LoginView(auth_views.LoginView):
    """Django's login; the form also carries the browser's timezone (login.js)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["password_reset"] = settings.AAC_PASSWORD_RESET_ENABLED
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        adopt_browser_timezone(
            user=form.get_user(), name=self.request.POST.get("timezone", "")
        )
        return response


def preferences(request):
    current = stored_timezone(request.user) or settings.TIME_ZONE
    digest, hour = stored_digest(request.user)
    initial = {"timezone": current, "digest": digest, "digest_hour": hour}
    form = TimezoneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        set_timezone(user=request.user, name=data["timezone"])
        set_digest(user=request.user, enabled=data["digest"], hour=data["digest_hour"])
        messages.success(request, "Your preferences are saved.")
        return redirect("preferences")
    return render(request, "accounts/preferences.html", {"form": form})


@login_not_required
@csrf_exempt  # the signed token is the credential; mail clients post without CSRF
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """The digest's link: GET asks, POST stops the digest (RFC 8058's one-click
    POST too). No login: the signed token says whose digest it is."""
    user_id = user_id_from(token)
    if user_id is None:
        raise Http404("This unsubscribe link is not valid")
    done = request.method == "POST"
    if done:
        stop_digest(user_id=user_id)
    return render(request, "accounts/unsubscribe.html", {"done": done})


@require_POST
def dismiss_tour(request):
    """Hide the guided first visit for good, and stay on the page it was on."""
    if not settings.AAC_FIRST_VISIT_TOUR:
        raise Http404("The guided first visit is off (AAC_FIRST_VISIT_TOUR)")
    tour.dismiss(user=request.user)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = resolve_url(settings.LOGIN_REDIRECT_URL)
    return redirect(back)


def when_reset_enabled(view):
    """404 unless e-mail is configured (AAC_PASSWORD_RESET_ENABLED)."""

    @wraps(view)
    def enabled(request, *args, **kwargs):
        if not settings.AAC_PASSWORD_RESET_ENABLED:
            raise Http404("Password reset is off: no e-mail is configured")
        return view(request, *args, **kwargs)

    return enabled


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, throttled per address and per e-mail."""

    def form_valid(self, form):
        address = client_address(self.request)
        if not reset_allowed(address=address, email=form.cleaned_data["email"]):
            form.add_error(
                "email", "Too many password reset requests; try again in an hour."
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
