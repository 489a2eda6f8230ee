"""Administrator screens: API clients (token shown once on a page of its own, never stored or put in a message
cookie), webhook subscriptions (secret shown once) and the read-only webhook event and delivery log."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intranet.audit.services import audit_record
from intranet.core.admin import ReadOnlyAdmin
from intranet.core.background import enqueue

from . import services
from .models import (
    ApiClient,
    Endpoint,
    RestrictedField,
    WebhookDelivery,
    WebhookEvent,
    WebhookEventName,
    WebhookSubscription,
)


class ApiClientForm(forms.ModelForm):
    endpoints = forms.MultipleChoiceField(
        label=_("allowed endpoints"), choices=Endpoint.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    fields = forms.MultipleChoiceField(
        label=_("granted restricted fields"),
        choices=RestrictedField.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ApiClient
        fields = ["name", "description", "contact_email", "endpoints", "fields", "units", "expires_at", "rate_limit"]


def _secret_page(request, *, title, obj, label, secret, back_url):
    response = TemplateResponse(
        request,
        "api/admin_secret.html",
        {
            "title": title,
            "obj": obj,
            "label": label,
            "secret": secret,
            "back_url": back_url,
            "opts": obj._meta,
            "site_header": admin.site.site_header,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = [
        "name",
        "token_prefix",
        "endpoints",
        "fields",
        "expires_at",
        "revoked_at",
        "rate_limit",
        "last_used_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["name", "token_prefix", "contact_email"]
    filter_horizontal = ["units"]
    readonly_fields = ["token_prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke", "rotate_token"]

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the audit trail refers to clients

    def save_model(self, request, obj, form, change):
        if not change:
            token = services.token_generate()
            obj.token_prefix, obj.token_hash = token[:12], services.token_hash(token)
            obj.created_by = request.user
            request._serambi_new_token = token
        super().save_model(request, obj, form, change)
        audit_record(
            action="api.client_created" if not change else "api.client_changed",
            request=request,
            obj=obj,
            details={"endpoints": obj.endpoints, "fields": obj.fields},
        )

    def response_add(self, request, obj, post_url_continue=None):
        token = getattr(request, "_serambi_new_token", None)
        if token is None:
            return super().response_add(request, obj, post_url_continue)
        return _secret_page(
            request, title=_("API client created"), obj=obj, label=_("Token"), secret=token, back_url="../"
        )

    @admin.action(description=_("Revoke the selected clients' tokens"))
    def revoke(self, request, queryset):
        for client in queryset:
            services.api_client_revoke(client=client, request=request)
        self.message_user(request, _("Revoked."), messages.SUCCESS)

    @admin.action(description=_("Issue a new token (the old one stops working)"))
    def rotate_token(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one client."), messages.ERROR)
            return None
        client = queryset.get()
        token = services.api_client_set_token(client=client, request=request)
        return _secret_page(
            request, title=_("New token issued"), obj=client, label=_("Token"), secret=token, back_url="."
        )


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("receiver URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"), choices=WebhookEventName.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookSubscription
        fields = ["client", "url", "events", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            services.check_receiver_url(url)
        except services.ApiClientError as exc:
            raise forms.ValidationError(str(exc)) from None
        return url


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["client", "url", "events", "active", "created_at"]
    list_filter = ["active", "client"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.secret = "whsec_" + services.secrets.token_urlsafe(32)
            request._serambi_new_secret = obj.secret
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "_serambi_new_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        return _secret_page(
            request,
            title=_("Webhook subscription created"),
            obj=obj,
            label=_("Signing secret"),
            secret=secret,
            back_url="../",
        )


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "name", "event_id", "unit"]
    list_filter = ["name"]
    search_fields = ["event_id"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The delivery log: what was sent where, how often, with which answer."""

    list_display = [
        "created_at",
        "event",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
        "last_error",
    ]
    list_filter = ["status", "event__name", "subscription__client"]
    search_fields = ["event__event_id"]
    list_select_related = ["event", "subscription", "subscription__client"]
    actions = ["retry_now"]

    @admin.action(description=_("Retry now (also deliveries that gave up)"))
    def retry_now(self, request, queryset):
        with transaction.atomic():
            n = queryset.exclude(status=WebhookDelivery.Status.DELIVERED).update(
                status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now(), attempts=0
            )
        from .tasks import deliver_due_webhooks

        enqueue(deliver_due_webhooks)
        self.message_user(request, _("%(n)d deliveries queued.") % {"n": n}, messages.SUCCESS)
