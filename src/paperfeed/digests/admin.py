from django.contrib import admin

from paperfeed.digests.models import Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("email", "period", "status", "user", "timezone", "send_hour", "confirmed_at", "ended_at")
    list_filter = ("status", "period")
    search_fields = ("email", "user__username")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "confirmed_at", "confirmation_sent_at")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only, because it is what guarantees exactly-once sending;
    held deliveries are settled with `paperfeed digest resolve`."""

    list_display = ("period_key", "subscription", "state", "attempts", "sent_at", "message_id")
    list_filter = ("state", "period_key")
    search_fields = ("subscription__email", "message_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
