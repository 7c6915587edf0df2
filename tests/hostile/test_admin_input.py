"""The hostile-input test for the admin: every model registered with it, as a superuser.

The admin's pages are Django's code, but what they show and filter is paperfeed's: its models,
their list filters, search fields and date hierarchies, its own admin actions and forms. So
each registered model (read from admin.site, so a new ModelAdmin is covered without editing
this file) gets the same troublemakers as the site's routes (tests/hostile/grammar.py): in the
change list's search, ordering, page, filters and date hierarchy; as object ids of the change,
history and delete pages; in every field of the add form. No 5xx.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django import forms
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.hostile.grammar import FAR_DATES

pytestmark = pytest.mark.django_db

MODELS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
VALUES = ["\x00", "a\udc80b", "' OR 1=1 --", 'NEAR("', "%", "x" * 5000, "-1", str(2**64), "1e3", "9999-12-31"]
# Fewer where a value meets a number or a key: what breaks there is its type, not its text.
FEW = ["\x00", "abc", str(2**64)]
OBJECT_IDS = ["-1", str(2**64), "abc", "\x00", "a\udc80b", "%2F..%2F"]


def _q(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def _filter_names(model_admin) -> list[str]:
    names = []
    for entry in model_admin.list_filter:
        name = entry[0] if isinstance(entry, (tuple, list)) else entry
        if isinstance(name, str):
            names += [name, f"{name}__exact", f"{name}__id__exact", f"{name}__isnull"]
    return names


def requests_for(model, model_admin, request) -> list[tuple[str, str, dict | None]]:
    info = (model._meta.app_label, model._meta.model_name)
    changelist = reverse("admin:%s_%s_changelist" % info)
    sent: list[tuple[str, str, dict | None]] = [("GET", changelist, None)]
    sent += [("GET", f"{changelist}?q={_q(value)}", None) for value in VALUES]
    for value in FEW:
        sent.append(("GET", f"{changelist}?o={_q(value)}&p={_q(value)}", None))
        sent += [("GET", f"{changelist}?{_q(name)}={_q(value)}", None) for name in _filter_names(model_admin)]
    sent.append(("GET", f"{changelist}?all=&_popup=1&_to_field=password&e=1", None))
    if model_admin.date_hierarchy:
        field = model_admin.date_hierarchy
        for day in FAR_DATES[:8]:
            year, _, rest = day.partition("-")
            month = rest[:2] or "13"
            sent.append(("GET", f"{changelist}?{field}__year={_q(year)}&{field}__month={_q(month)}&{field}__day=99", None))
    for object_id in OBJECT_IDS:
        for view in ("change", "history", "delete"):
            url = reverse(f"admin:%s_%s_{view}" % info, args=["OBJECT"]).replace("OBJECT", _q(object_id))
            sent.append(("GET", url, None))
    if model_admin.has_add_permission(request):
        add = reverse("admin:%s_%s_add" % info)
        sent.append(("GET", add, None))
        fields = list(model_admin.get_form(request).base_fields)
        for value in [*FEW, "a\udc80b", "x" * 5000]:
            sent.append(("POST", add, {name: value for name in fields}))
    # Bulk actions on ids that are not ids.
    sent.append(("POST", changelist, {"action": "delete_selected", "_selected_action": ["abc", "\x00", str(2**64)]}))
    return sent


def _form(data: dict) -> bytes:
    pairs = [(name, value) for name, values in data.items() for value in (values if isinstance(values, list) else [values])]
    return "&".join(f"{_q(name)}={_q(value)}" for name, value in pairs).encode("ascii")


@pytest.mark.parametrize(("model", "model_admin"), MODELS, ids=[model._meta.label for model, _ in MODELS])
def test_admin_answers_hostile_input_without_a_server_error(model, model_admin, sample_db, django_user_model,
                                                           monkeypatch):
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", "correct horse battery")
    client = Client(raise_request_exception=True)
    client.force_login(superuser)
    request = RequestFactory().get("/admin/")
    request.user = superuser  # what the add form offers a superuser
    for number, (method, url, data) in enumerate(requests_for(model, model_admin, request)):
        if number == 1:
            # The first request, the plain change list, shows a full page of the sample's rows
            # (every column of up to list_per_page rows). The hostile ones after it attack the
            # search, ordering, page number, filters and ids, not how a row is shown: a page of
            # two rows still shows every column, at a fraction of the rendering (rows were most
            # of this test's time).
            monkeypatch.setattr(model_admin, "list_per_page", 2)
        try:
            if method == "GET":
                response = client.get(url)
            else:  # sent as a client would: a lone surrogate as the bytes that encode it
                response = client.post(url, _form(data), content_type="application/x-www-form-urlencoded")
        except Exception as error:
            raise AssertionError(f"{type(error).__name__}: {error} on {method} {url[:300]} {str(data)[:300]}") from error
        assert response.status_code < 500, f"{response.status_code} on {method} {url[:300]} {str(data)[:300]}"


def test_every_registered_model_is_covered():
    # The parametrisation reads the registry: paperfeed's own admins are in it.
    labels = {model._meta.label for model, _ in MODELS}
    assert {"papers.Paper", "discussion.Comment", "digests.Subscription", "accounts.Attempt"} <= labels


def test_every_admin_link_field_takes_a_link_without_a_scheme_as_https(django_user_model, rf):
    """core.admin_site: "github.com/x/y" is https://github.com/x/y in every admin form, as
    Django 6 will assume (5.2 assumes http:// and warns)."""
    request = rf.get("/admin/")
    request.user = django_user_model.objects.create_superuser("links", "links@example.org", "correct horse battery")
    link_fields = []
    for model, model_admin in MODELS:
        form = model_admin.get_form(request)
        fields = form.base_fields.items()
        link_fields += [(model, name, field) for name, field in fields if isinstance(field, forms.URLField)]
    assert len(link_fields) >= 4  # the papers' code and project links, license, an organization's avatar
    for model, name, field in link_fields:
        assert field.clean("github.com/x/y") == "https://github.com/x/y", (model._meta.label, name)
