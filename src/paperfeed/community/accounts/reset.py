"""Password reset by e-mail: Django's views, with the link built from PAPERFEED_BASE_URL.

Django would build the link from the request's Host header; a forged Host (host-header
poisoning) would then send the victim a working reset token pointing at the attacker's
server. The public address in the settings is the only host a mail ever names.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from paperfeed.community.accounts import limits
from paperfeed.community.accounts.forms import ResetRequestForm
from paperfeed.community.accounts.throttle import Throttled, client_ip, reserve
from paperfeed.community.accounts.views import too_many


class ResetRequest(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "accounts/password_reset_form.html"
    subject_template_name = "accounts/password_reset_subject.txt"
    email_template_name = "accounts/password_reset_email.txt"
    html_email_template_name = "accounts/password_reset_email.html"

    def form_valid(self, form):
        ip = client_ip(self.request)
        address = form.cleaned_data["email"].strip().lower()
        # Both limits count the request, in one reservation: checked and counted together,
        # atomically, so one refusal does not spend the other's allowance and requests sent
        # at once cannot pass either. The answer is the same whether the address has an account.
        try:
            reserve([(limits.RESETS_PER_IP, ip), (limits.RESETS_PER_EMAIL, address)])
        except Throttled as refusal:
            context = self.get_context_data(form=form, throttled=True)
            return too_many(self.render_to_response(context), refusal.retry_after)
        base = urlsplit(settings.BASE_URL)
        form.save(
            domain_override=base.netloc,
            use_https=base.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            html_email_template_name=self.html_email_template_name,
            request=self.request,
            extra_email_context={"site_name": "paperfeed", "valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)},
        )
        return HttpResponseRedirect(self.get_success_url())


class ResetDone(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class ResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever reads the account's mail proved they own it: lift a lock-out on it.
        limits.login_failures_per_account().clear(limits.login_account_key(form.user, ""))
        return response


class ResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
