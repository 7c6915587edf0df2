"""The admin site: Django's, answering malformed input with its own messages instead of a 500.

Django's admin trusts three things a forged request controls: list-filter values (a
foreign-key filter of 2**64 overflows SQLite's integers, PostgreSQL may refuse it with a
DataError), the ids of a bulk action's checkboxes ("abc" for an integer key raises
ValueError), and the keys posted for a many-to-many field (2**64 again). Only a staff session
can send any of them, but a server error is still the wrong answer, so every ModelAdmin
registered on this site — paperfeed's and Django's own (groups) — gets the checks below: a
bad filter is the admin's usual "invalid lookup" redirect (?e=1), ids that cannot be keys are
dropped (a bulk action with none left says "Items must be selected"), and a form whose
numbers no key can hold is a 400.

The mixin is added at registration (`AdminSite.register`), so a new ModelAdmin cannot miss
it; tests/hostile/test_admin_input.py sends the hostile inputs to every registered model.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, ValidationError
from django.db import DataError, connections, models, router, transaction


class TolerantInputMixin:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A link typed without a scheme ("github.com/x/y") is taken as https://, as Django 6
        # will by default (5.2 still assumes http:// and warns about the change).
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_changelist_instance(self, request):
        # The change list runs its queries while it is built; a savepoint keeps a refused
        # query from aborting the request's transaction on PostgreSQL.
        try:
            with transaction.atomic(using=router.db_for_read(self.model)):
                return super().get_changelist_instance(request)
        except (OverflowError, ValueError, DataError) as error:
            raise IncorrectLookupParameters(error) from error

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except (OverflowError, DataError) as error:
            # Raised while validating (the view's own transaction is rolled back): the form
            # held a number larger than any key of the database.
            raise BadRequest("A number in the form is larger than any key.") from error

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        usable = [value for value in selected if self._can_be_key(value)]
        if usable != selected:
            request.POST = request.POST.copy()
            request.POST.setlist(helpers.ACTION_CHECKBOX_NAME, usable)
        return super().response_action(request, queryset)

    def _can_be_key(self, value: str) -> bool:
        key = self.model._meta.pk
        try:
            python = key.to_python(value)
        except ValidationError:
            return False
        if isinstance(python, int):
            operations = connections[router.db_for_read(self.model)].ops
            low, high = operations.integer_field_range(key.get_internal_type())
            return (low is None or python >= low) and (high is None or python <= high)
        return True


class AdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, TolerantInputMixin):
            admin_class = type(
                admin_class.__name__, (TolerantInputMixin, admin_class), {"__module__": admin_class.__module__}
            )
        super().register(model_or_iterable, admin_class, **options)


class AdminConfig(DjangoAdminConfig):
    """In INSTALLED_APPS instead of "django.contrib.admin": the same app, this site as admin.site."""

    default_site = "paperfeed.core.admin_site.AdminSite"
