"""API tokens in the admin: a superuser lists everyone's and revokes any.

Tokens are made by their owners on the tokens page (the secret is shown to
them alone), so the admin adds none and changes none but by revoking; the
digest is never shown. Django's model permissions decide who gets here, and
only a superuser has them by default.
"""

from django.contrib import admin, messages

from api.models import ApiToken
from api.tokens import revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "read_only",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["read_only", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    fields = [
        "name",
        "user",
        "prefix",
        "read_only",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["revoke_tokens"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens", permissions=["delete"])
    def revoke_tokens(self, request, queryset):
        n = revoke(queryset)
        self.message_user(
            request, f"Revoked {n} token{'s' * (n != 1)}.", messages.SUCCESS
        )
