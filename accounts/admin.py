from django.contrib import admin

from accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "timezone", "digest", "digest_hour"]
    search_fields = ["user__username", "timezone"]
    list_select_related = ["user"]
