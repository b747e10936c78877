"""Operators see outgoing e-mail in the Django admin: what failed, why, and when it is retried."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import EmailStatus, Notification, OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["notification", "status", "attempts", "to_address", "sent_at", "retry_at"]
    list_filter = ["status", "notification__kind"]
    search_fields = ["notification__recipient__email", "notification__title", "to_address"]
    readonly_fields = [
        "notification",
        "status",
        "to_address",
        "attempts",
        "last_error",
        "retry_at",
        "created_at",
        "claimed_at",
        "sent_at",
    ]
    actions = ["retry_now"]

    @admin.action(description=_("Retry failed e-mails now"))
    def retry_now(self, request, queryset):
        from .services import emails_enqueue

        failed = queryset.filter(status=EmailStatus.FAILED)
        ids = list(failed.values_list("notification_id", flat=True))
        failed.update(retry_at=timezone.now())
        emails_enqueue(notification_ids=ids)
        self.message_user(
            request,
            ngettext("%(count)s e-mail queued again.", "%(count)s e-mails queued again.", len(ids))
            % {"count": len(ids)},
        )

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__email", "title", "dedupe_key"]
    readonly_fields = ["recipient", "kind", "dedupe_key", "created_at", "read_at"]

    def has_add_permission(self, request):
        return False
