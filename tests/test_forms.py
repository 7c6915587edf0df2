"""Every form renders the same way: each control has a label, help text and errors are tied to
their control, choices are grouped; and the restyled forms still save."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from paperfeed.digests.models import Subscription
from paperfeed.personal.models import SavedSearch

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


class FormOutline(HTMLParser):
    """The form controls of a page, the label targets, and the ids of everything."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self.ids: dict[str, dict] = {}
        self.open_labels = 0
        self.optgroups: list[tuple[str, list[tuple[str, str]]]] = []
        self._in_select: str | None = None
        self._option: dict | None = None
        self._text: list[str] = []
        self.stack: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v or "") for k, v in attrs}
        attrs["_inside_label"] = self.open_labels > 0
        attrs["_tag"] = tag
        attrs["_parents"] = [dict(a) for _, a in self.stack]
        if "id" in attrs:
            self.ids[attrs["id"]] = attrs
        if tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type") not in {"hidden", "submit"}:
            self.controls.append(attrs)
        if tag == "select":
            self._in_select = attrs.get("name")
        if tag == "optgroup" and self._in_select == "timezone":
            self.optgroups.append((attrs["label"], []))
        if tag == "option" and self._in_select == "timezone":
            self._option, self._text = attrs, []
        if tag not in {"input", "br", "img", "meta", "link", "hr"}:
            self.stack.append((tag, attrs))

    def handle_data(self, data):
        if self._option is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1
        if tag == "option" and self._option is not None:
            if self.optgroups:
                self.optgroups[-1][1].append((self._option["value"], "".join(self._text).strip()))
            self._option = None
        if tag == "select":
            self._in_select = None
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break


def outline(html: str) -> FormOutline:
    parser = FormOutline()
    parser.feed(html)
    return parser


def assert_every_control_is_labelled(html: str) -> FormOutline:
    page = outline(html)
    for control in page.controls:
        name = control.get("name") or control.get("id")
        labelled = control.get("id") in page.label_for or control["_inside_label"] or control.get("aria-label")
        assert labelled, f"control {name!r} has no label"
        for described in control.get("aria-describedby", "").split():
            assert described in page.ids, f"{name!r} points at a missing #{described}"
    return page


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("formreader", "formreader@example.org", PASSWORD)


@pytest.fixture
def client_in(reader):
    client = Client()
    client.force_login(reader)
    return client


@pytest.fixture
def subscribed(reader):
    return Subscription.objects.create(email=reader.email, user=reader, status="active")


@pytest.mark.parametrize(
    "path", ["/subscribe", "/login", "/signup", "/password-reset"], ids=lambda path: path.strip("/")
)
def test_public_forms_have_labelled_fields(client, path):
    response = client.get(path)
    assert response.status_code == 200
    page = assert_every_control_is_labelled(response.content.decode())
    assert len(page.controls) >= 2  # the header search and the form's own fields


@pytest.mark.parametrize(
    "path",
    ["/settings/personal", "/settings/digest", "/settings/account", "/collections", "/papers/submit"],
    ids=lambda path: path.strip("/").replace("/", "-"),
)
def test_account_forms_have_labelled_fields(client_in, subscribed, path):
    response = client_in.get(path)
    assert response.status_code == 200
    assert_every_control_is_labelled(response.content.decode())


def test_time_zones_are_grouped_with_common_ones_first(client_in, subscribed):
    page = outline(client_in.get("/settings/digest").content.decode())
    groups = dict(page.optgroups)
    names = [label for label, _ in page.optgroups]
    assert names[0] == "Common" and names[-1] == "Other names (older aliases)"
    assert {"Europe", "America", "Asia", "Africa", "Australia", "Pacific"} <= set(names)
    common = dict(groups["Common"])
    assert 10 <= len(common) <= 30 and common["UTC"] == "UTC" and common["Europe/Berlin"] == "Berlin (Europe)"
    # Inside a region, cities by name without repeating the region.
    assert ("America/Argentina/Buenos_Aires", "Argentina / Buenos Aires") in groups["America"]
    assert ("US/Eastern", "US/Eastern") in groups["Other names (older aliases)"]
    # The reader never chose a zone: the browser may suggest one (static/paperfeed/forms.js).
    assert "data-suggest-browser-zone" in page.ids["id_timezone"]
    assert "paperfeed/forms.js" in client_in.get("/settings/digest").content.decode()


def test_a_chosen_time_zone_is_kept_and_not_overridden_by_the_browser(client_in, subscribed):
    for zone in ["America/Argentina/Buenos_Aires", "US/Eastern"]:
        response = client_in.post("/settings/digest", {"period": "weekly", "timezone": zone, "send_hour": "18"})
        assert response.status_code == 200 and b"Saved." in response.content
        subscribed.refresh_from_db()
        assert (subscribed.timezone, subscribed.send_hour, subscribed.period) == (zone, 18, "weekly")
    page = outline(client_in.get("/settings/digest").content.decode())
    assert "data-suggest-browser-zone" not in page.ids["id_timezone"]
    assert page.ids["id_period_1"]["type"] == "radio"


def test_an_unknown_time_zone_is_refused_next_to_the_field(client_in, subscribed):
    response = client_in.post("/settings/digest", {"period": "daily", "timezone": "Mars/Olympus", "send_hour": "9"})
    assert response.status_code == 400
    page = outline(response.content.decode())
    select = page.ids["id_timezone"]
    assert select["aria-invalid"] == "true" and "id_timezone_error" in select["aria-describedby"].split()
    assert page.ids["id_timezone_error"]["class"] == "field-error"
    assert "Mars/Olympus is not one of the available choices" in response.content.decode()
    subscribed.refresh_from_db()
    assert subscribed.timezone == "UTC"


def test_checkboxes_come_before_their_labels_with_help_under_them(client_in, subscribed):
    html = client_in.get("/settings/digest").content.decode()
    page = outline(html)
    box = page.ids["id_include_trending"]
    assert box["type"] == "checkbox" and "field-check" in box["_parents"][-1]["class"]
    assert box["aria-describedby"] == "id_include_trending_helptext"
    # The sections are one fieldset with a legend.
    assert "<legend>What goes in it</legend>" in html and "<legend>How often</legend>" in html


def test_every_number_is_explained_in_words(client_in, subscribed):
    digest = client_in.get("/settings/digest").content.decode()
    assert "The 10 most upvoted papers of the day (20 of the week in a weekly digest)." in digest
    assert "Up to 5 new papers for each search you saved" in digest
    assert "Your local hour." in digest
    personal = client_in.get("/settings/personal").content.decode()
    page = outline(personal)
    threshold = page.ids["id_threshold"]
    assert (threshold["type"], threshold["min"], threshold["max"], threshold["step"]) == ("number", "0.0", "1.0", "0.05")
    assert threshold["aria-describedby"] == "id_threshold_helptext"
    assert "How closely a new paper must match your words to be sent to you, from 0 to 1." in personal
    assert "0.7 only very close matches, so fewer papers" in personal
    subscribe = Client().get("/subscribe").content.decode()
    assert "Daily: the 10 most upvoted papers of each day" in subscribe
    tokens = client_in.get("/settings/account").content.decode()
    assert "up to 100 characters" in tokens and 'aria-describedby="api-token-name-help"' in tokens


def test_restyled_personal_forms_still_save(client_in, reader):
    client_in.post("/settings/personal/search-add", {"query": "sparse attention", "threshold": "0.65"})
    assert SavedSearch.objects.get(user=reader).threshold == 0.65
    page = client_in.get("/settings/personal").content.decode()
    assert "match ≥ 0.65" in page


def test_collection_form_errors_sit_next_to_the_field(client_in):
    response = client_in.post("/collections", {"name": "   ", "public": "on"})
    assert response.status_code == 400
    page = outline(response.content.decode())
    assert page.ids["id_name"]["aria-invalid"] == "true"
    assert page.ids["id_name_error"]["class"] == "field-error"
    assert page.ids["id_public"]["type"] == "checkbox"
