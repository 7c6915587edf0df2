"""Collections through the test client: create, view, edit, delete, save from cards, permissions."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperfeed.community.collections import saving
from paperfeed.community.collections.models import Collection, CollectionItem

pytestmark = pytest.mark.django_db

DAY = "/papers/date/2026-11-20"


def csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user:
        client.force_login(user)
    client.get(DAY)  # the csrftoken cookie
    return client


def post(client: Client, url: str, data: dict | None = None, **headers):
    return client.post(
        url,
        {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, **(data or {})},
        headers=headers,
    )


@pytest.fixture
def ada(make_user):
    return make_user("ada")


@pytest.fixture
def bob(make_user):
    return make_user("bob")


def make(owner, name="Reading list", public=False, papers=()):
    collection = saving.create_collection(owner, name, public=public)
    for paper in papers:
        saving.add_paper(collection, paper)
    return collection


# -- the list and creating ----------------------------------------------------------------------


def test_list_needs_login(client, db):
    response = client.get("/collections")
    assert response.status_code == 302
    assert response["Location"] == "/login?next=/collections"
    assert client.post("/collections", {"name": "x"}).status_code == 302
    assert not Collection.objects.exists()


def test_list_shows_only_my_collections(client, ada, bob, paper):
    make(ada, "Ada's list", papers=[paper])
    make(bob, "Bob's list", public=True)
    client.force_login(ada)
    response = client.get("/collections")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a class="collection-name" href="/collections/ada/adas-list">Ada&#x27;s list</a>' in html
    assert "1 paper ·" in html
    assert "Bob&#x27;s list" not in html
    assert 'name="name"' in html and 'name="public"' in html


def test_create_redirects_to_the_new_collection_with_unique_slugs(ada):
    client = csrf_client(ada)
    first = post(
        client,
        "/collections",
        {"name": "Reading  list ", "description": "For Fridays", "public": "on"},
    )
    assert first.status_code == 303
    assert first["Location"] == "/collections/ada/reading-list"
    second = post(client, "/collections", {"name": "Reading list"})
    assert second["Location"] == "/collections/ada/reading-list-2"
    symbols = post(client, "/collections", {"name": "!!!"})
    assert symbols["Location"] == "/collections/ada/collection"
    created = Collection.objects.get(owner=ada, slug="reading-list")
    assert (created.name, created.description, created.public) == (
        "Reading list",
        "For Fridays",
        True,
    )
    assert Collection.objects.get(owner=ada, slug="reading-list-2").public is False


def test_same_slug_for_two_owners(ada, bob):
    assert make(ada).slug == make(bob).slug == "reading-list"


def test_create_needs_csrf_and_a_name(ada):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    assert client.post("/collections", {"name": "x"}).status_code == 403
    client = csrf_client(ada)
    response = post(client, "/collections", {"name": "   "})
    assert response.status_code == 400
    page = response.content.decode()
    # The error sits right after the field, and the field points at it.
    assert '<p class="field-error" id="id_name_error">This field is required.</p>' in page
    assert 'aria-invalid="true"' in page and 'aria-describedby="id_name_error"' in page
    assert not Collection.objects.exists()
    assert client.put("/collections", headers={"X-CSRFToken": client.cookies["csrftoken"].value}).status_code == 405


def test_collection_limit(ada, monkeypatch):
    monkeypatch.setattr(saving, "MAX_COLLECTIONS", 2)
    make(ada, "one")
    make(ada, "two")
    response = post(csrf_client(ada), "/collections", {"name": "three"})
    assert response.status_code == 400
    assert "You have 2 collections, the most one account may have." in response.content.decode()
    assert Collection.objects.filter(owner=ada).count() == 2


# -- viewing -----------------------------------------------------------------------------------


def test_private_collection_is_404_for_everyone_else(client, ada, bob, paper):
    make(ada, papers=[paper])
    assert client.get("/collections/ada/reading-list").status_code == 404
    client.force_login(bob)
    assert client.get("/collections/ada/reading-list").status_code == 404
    client.force_login(ada)
    response = client.get("/collections/ada/reading-list")
    assert response.status_code == 200
    html = response.content.decode()
    assert "A Paper Worth Saving" in html
    assert 'action="/collections/ada/reading-list/edit"' in html
    assert 'action="/collections/ada/reading-list/remove"' in html


def test_public_collection_is_visible_but_not_editable(client, ada, bob, paper):
    make(ada, public=True, papers=[paper])
    response = client.get("/collections/ada/reading-list")
    assert response.status_code == 200
    html = response.content.decode()
    assert "A Paper Worth Saving" in html
    assert "/edit" not in html and "/remove" not in html and "/delete" not in html
    assert client.get("/collections/nobody/reading-list").status_code == 404


# -- changing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["edit", "delete", "remove"])
def test_mutations_are_post_only_and_owner_only(ada, bob, paper, action):
    url_private = f"/collections/ada/{make(ada, 'Private', papers=[paper]).slug}/{action}"
    url_public = f"/collections/ada/{make(ada, 'Public', public=True, papers=[paper]).slug}/{action}"
    data = {"name": "Hijacked", "paper": paper.arxiv_id}
    anonymous = csrf_client()
    assert anonymous.get(url_public).status_code == 405
    response = post(anonymous, url_public, data)
    assert response.status_code == 302 and response["Location"].startswith("/login?next=")
    other = csrf_client(bob)
    assert other.get(url_public).status_code == 405
    assert post(other, url_public, data).status_code == 403
    assert post(other, url_private, data).status_code == 404
    assert Collection.objects.filter(owner=ada).count() == 2
    assert set(Collection.objects.values_list("name", flat=True)) == {
        "Private",
        "Public",
    }
    assert CollectionItem.objects.count() == 2


@pytest.mark.parametrize("action", ["edit", "delete", "remove"])
def test_mutations_are_rate_limited_after_the_owner_check(ada, bob, paper, action, monkeypatch):
    from datetime import timedelta

    from paperfeed.community.accounts.throttle import Limit
    from paperfeed.community.collections import views

    monkeypatch.setattr(views, "WRITE_LIMIT", Limit("collection", count=1, window=timedelta(minutes=1)))
    url = f"/collections/ada/{make(ada, 'Public', public=True, papers=[paper]).slug}/{action}"
    data = {"name": "Renamed", "paper": paper.arxiv_id}
    # Someone else's refused attempt does not use up the owner's allowance.
    assert post(csrf_client(bob), url, data).status_code == 403
    owner = csrf_client(ada)
    views.WRITE_LIMIT.hit(ada.pk)
    response = post(owner, url, data)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert Collection.objects.get(owner=ada).name == "Public"
    assert CollectionItem.objects.count() == 1


def test_owner_edits_and_the_slug_stays(ada):
    make(ada)
    client = csrf_client(ada)
    response = post(
        client,
        "/collections/ada/reading-list/edit",
        {"name": "Diffusion papers", "description": "New", "public": "on"},
    )
    assert response.status_code == 303
    assert response["Location"] == "/collections/ada/reading-list"
    edited = Collection.objects.get(owner=ada)
    assert (edited.name, edited.slug, edited.description, edited.public) == (
        "Diffusion papers",
        "reading-list",
        "New",
        True,
    )
    bad = post(client, "/collections/ada/reading-list/edit", {"name": "", "description": "x"})
    assert bad.status_code == 400
    assert Collection.objects.get(owner=ada).name == "Diffusion papers"


def test_owner_deletes(ada, paper):
    make(ada, papers=[paper])
    response = post(csrf_client(ada), "/collections/ada/reading-list/delete")
    assert response.status_code == 303
    assert response["Location"] == "/collections"
    assert not Collection.objects.exists() and not CollectionItem.objects.exists()


def test_owner_removes_an_item_with_and_without_htmx(ada, paper, second_paper):
    make(ada, papers=[paper, second_paper])
    client = csrf_client(ada)
    response = post(
        client,
        "/collections/ada/reading-list/remove",
        {"paper": paper.arxiv_id, "next": "/collections/ada/reading-list?p=1"},
    )
    assert response.status_code == 303
    assert response["Location"] == "/collections/ada/reading-list?p=1"
    response = post(
        client,
        "/collections/ada/reading-list/remove",
        {"paper": second_paper.arxiv_id},
        HX_Request="true",
    )
    assert response.status_code == 200 and response.content == b""
    assert not CollectionItem.objects.exists()


# -- saving from a card -----------------------------------------------------------------------


def save_url(paper) -> str:
    return f"/papers/{paper.arxiv_id}/save"


def test_save_needs_login(client, paper):
    response = client.get(save_url(paper) + "?next=" + DAY)
    assert response.status_code == 302
    assert response["Location"] == f"/login?next={DAY}"
    response = client.post(save_url(paper), {"new_name": "x"}, headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/login?next=/papers/2611.07001"
    assert not Collection.objects.exists()


def test_chooser_lists_my_collections_with_their_state(client, ada, bob, paper):
    with_it = make(ada, "Has it", papers=[paper])
    without = make(ada, "Lacks it")
    make(bob, "Bob's")
    client.force_login(ada)
    response = client.get(save_url(paper) + "?next=" + DAY)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="remove" value="{with_it.pk}" aria-pressed="true"' in html
    assert f'name="add" value="{without.pk}" aria-pressed="false"' in html
    assert "Bob&#x27;s" not in html
    assert f'name="next" value="{DAY}"' in html
    fragment = client.get(save_url(paper), headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div class="save-chooser">') and "<html" not in fragment


def test_add_remove_and_quick_create(ada, paper):
    target = make(ada, "Target")
    client = csrf_client(ada)
    response = post(client, save_url(paper), {"add": str(target.pk), "next": DAY})
    assert response.status_code == 303 and response["Location"] == DAY
    post(client, save_url(paper), {"add": str(target.pk)})  # a double click adds once
    assert list(target.items.values_list("paper_id", flat=True)) == [paper.pk]
    response = post(client, save_url(paper), {"remove": str(target.pk)})
    assert response.status_code == 303 and response["Location"] == "/papers/2611.07001"
    assert not target.items.exists()
    response = post(client, save_url(paper), {"new_name": "Quick one", "next": DAY})
    assert response.status_code == 303
    quick = Collection.objects.get(owner=ada, slug="quick-one")
    assert (quick.public, list(quick.items.values_list("paper_id", flat=True))) == (
        False,
        [paper.pk],
    )
    assert post(client, save_url(paper), {"new_name": "  "}).status_code == 400
    assert post(client, save_url(paper), {}).status_code == 400


def test_save_with_htmx_returns_the_chooser(ada, paper):
    target = make(ada, "Target")
    response = post(csrf_client(ada), save_url(paper), {"add": str(target.pk)}, HX_Request="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div class="save-chooser">')
    assert f'name="remove" value="{target.pk}" aria-pressed="true"' in html


def test_cannot_save_into_someone_elses_collection(ada, bob, paper):
    theirs = make(bob, "Bob's", public=True)
    client = csrf_client(ada)
    assert post(client, save_url(paper), {"add": str(theirs.pk)}).status_code == 404
    assert post(client, save_url(paper), {"add": "not-a-number"}).status_code == 404
    assert not CollectionItem.objects.exists()


def test_save_needs_csrf(ada, paper):
    target = make(ada, "Target")
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    assert client.post(save_url(paper), {"add": str(target.pk)}).status_code == 403
    assert not CollectionItem.objects.exists()


def test_item_limit(ada, paper, second_paper, monkeypatch):
    monkeypatch.setattr(saving, "MAX_ITEMS", 1)
    target = make(ada, "Small", papers=[paper])
    response = post(csrf_client(ada), save_url(second_paper), {"add": str(target.pk)})
    assert response.status_code == 400
    assert "holds 1 papers, the most a collection may hold" in response.content.decode()
    assert target.items.count() == 1


def test_cards_show_saved_state_in_one_query(client, ada, paper, second_paper):
    make(ada, papers=[paper])
    client.force_login(ada)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(DAY).content.decode()
    summaries = re.findall(
        r'<summary class="chip save-summary( is-saved)?">.*?(Saved|Save)</summary>',
        html,
        re.DOTALL,
    )
    assert sorted(summaries) == [("", "Save"), (" is-saved", "Saved")]
    assert len([q for q in queries.captured_queries if '"collections_collectionitem"' in q["sql"]]) == 1
    detail = Client()
    detail.force_login(ada)
    page = detail.get(f"/papers/{paper.arxiv_id}").content.decode()
    assert '<summary class="btn save-summary is-saved">' in page


def test_anonymous_cards_link_to_the_chooser(client, paper):
    html = client.get(DAY).content.decode()
    assert f'<a class="chip save-summary" href="/papers/2611.07001/save?next={DAY}">' in html


# -- escaping ----------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '" onmouseover="x'
URL = "javascript:alert(1)"


def test_hostile_names_and_descriptions_are_escaped_everywhere(client, ada, paper):
    collection = saving.create_collection(ada, f"{SCRIPT} {ATTRIBUTE}", f"{URL} {SCRIPT} {ATTRIBUTE}", public=True)
    saving.add_paper(collection, paper)
    saving.create_collection(ada, URL)
    assert collection.slug == "scriptalert1script-onmouseoverx"
    client.force_login(ada)
    pages = {
        "list": client.get("/collections"),
        "detail": client.get(f"/collections/ada/{collection.slug}"),
        "chooser": client.get(save_url(paper)),
        "fragment": client.get(save_url(paper), headers={"HX-Request": "true"}),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert SCRIPT not in html, name
        assert ATTRIBUTE not in html, name
        assert 'href="javascript:' not in html, name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, name
        assert "&quot; onmouseover=&quot;x" in html, name
    assert "javascript:alert(1)" in pages["list"].content.decode()  # shown as text, never as a link


def test_the_page_shows_items_in_their_order_with_their_notes_escaped(client, ada, paper, second_paper):
    # Order and notes are set through the API (Hugging Face's add/update_collection_item).
    collection = make(ada, public=True)
    saving.add_paper(collection, paper, note="<img src=x> first, 0.1<z<0.95")
    saving.add_paper(collection, second_paper)
    html = client.get("/collections/ada/reading-list").content.decode()
    assert html.index("A Paper Worth Saving") < html.index("Another Paper Worth Saving")  # new papers go last
    assert "&lt;img src=x&gt; first, 0.1&lt;z&lt;0.95" in html and "<img src=x>" not in html
    saving.move_item(collection.items.get(paper=second_paper), 0)
    html = client.get("/collections/ada/reading-list").content.decode()
    assert html.index("Another Paper Worth Saving") < html.index("A Paper Worth Saving")
    assert [item.position for item in collection.items.order_by("position")] == [0, 1]


# -- the paper page names the public collections holding the paper ---------------------------------


def test_the_paper_page_names_the_public_collections_holding_it(client, ada, bob, make_user, paper, second_paper, settings):
    url = f"/papers/{paper.arxiv_id}"
    assert "in-collections-heading" not in client.get(url).content.decode()  # in none: no section
    make(ada, "Contrastive <b>learning</b>", public=True, papers=[paper, second_paper])
    make(bob, "Bob's private pile", papers=[paper])
    suspended = make_user("carol")
    make(suspended, "Carol's shelf", public=True, papers=[paper])
    suspended.is_active = False
    suspended.save()
    make(bob, "Not this one", public=True, papers=[second_paper])
    html = client.get(url).content.decode()
    assert '<h2 id="in-collections-heading">In 1 collection</h2>' in html
    assert (
        '<a href="/collections/ada/contrastive-blearningb">Contrastive &lt;b&gt;learning&lt;/b&gt;</a> '
        '<span class="muted">by ada · 2 papers</span>'
    ) in html
    for hidden in ("private pile", "Carol", "Not this one"):
        assert hidden not in html
    # Five named, most recently updated first; the heading counts them all.
    for number in range(6):
        make(bob, f"Bob's list {number}", public=True, papers=[paper])
    html = client.get(url).content.decode()
    assert '<h2 id="in-collections-heading">In 7 collections</h2>' in html
    named = re.findall(r'<a href="/collections/[^"]+">([^<]+)</a> <span class="muted">by', html)
    assert named == ["Bob&#x27;s list 5", "Bob&#x27;s list 4", "Bob&#x27;s list 3", "Bob&#x27;s list 2", "Bob&#x27;s list 1"]


def test_public_collection_changes_refresh_cached_paper_pages_and_private_ones_do_not(ada, paper, second_paper):
    from paperfeed.core.page_cache import _current_generation as current_generation

    before = current_generation()
    private = make(ada, "Mine only", papers=[paper])
    saving.remove_paper(private, paper)
    assert current_generation() == before  # no page anyone else sees changed
    public = make(ada, "Shared", public=True)
    assert current_generation() != before
    for change in (
        lambda: saving.add_paper(public, paper),
        lambda: saving.remove_paper(public, paper),
        lambda: Collection.objects.get(pk=public.pk).save(),  # the edit form saves it whole
        lambda: Collection.objects.get(pk=public.pk).delete(),
    ):
        before = current_generation()
        change()
        assert current_generation() != before
