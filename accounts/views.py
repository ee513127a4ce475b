"""Login (remembering the browser's timezone the first time) and preferences."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render

from accounts.forms import TimezoneForm
from accounts.preferences import adopt_browser_timezone, set_timezone, stored_timezone


class LoginView(auth_views.LoginView):
    """Django's login; the form also carries the browser's timezone (login.js)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        adopt_browser_timezone(
            user=form.get_user(), name=self.request.POST.get("timezone", "")
        )
        return response


def preferences(request):
    current = stored_timezone(request.user) or settings.TIME_ZONE
    form = TimezoneForm(request.POST or None, initial={"timezone": current})
    if request.method == "POST" and form.is_valid():
        set_timezone(user=request.user, name=form.cleaned_data["timezone"])
        messages.success(request, "Your timezone is saved.")
        return redirect("preferences")
    return render(request, "accounts/preferences.html", {"form": form})
