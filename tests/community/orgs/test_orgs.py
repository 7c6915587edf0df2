"""Organization pages and the Organization admin with its members."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib import admin

from paperfeed.community.orgs.admin import MembershipInline, OrganizationAdmin
from paperfeed.community.orgs.models import Membership
from paperfeed.papers.models import Organization
from tests.community.submissions.support import (
    csrf_client,
    list_paper,
    make_org,
    make_paper,
)

pytestmark = pytest.mark.django_db


def tile(page: str, slug: str) -> str:
    """The <li> of one organization on /organizations."""
    match = re.search(rf'<li class="org-tile">(?:(?!</li>).)*?href="/organizations/{slug}"(?:(?!</li>).)*</li>', page, re.DOTALL)
    assert match, f"no tile for {slug}"
    return match.group(0)


def card_titles(page: str) -> list[str]:
    return re.findall(r'class="card-title math">([^<]*)</a>', page)


def test_the_list_shows_each_organization_with_its_paper_and_member_counts(client, make_user):
    lab = make_org("orgtest-lab", "Orgtest Lab", avatar_url="https://cdn.example.org/lab.png")
    quiet = make_org("orgtest-quiet", "Orgtest Quiet")
    first, second = make_paper(title="First"), make_paper(title="Second")
    list_paper(first, date(2026, 12, 1), organization=lab)
    list_paper(second, date(2026, 12, 2), organization=lab)
    Membership.objects.create(organization=lab, user=make_user("ada"))

    response = client.get("/organizations")
    assert response.status_code == 200
    page = response.content.decode()
    lab_tile = tile(page, "orgtest-lab")
    assert '<img class="org-avatar" src="https://cdn.example.org/lab.png" alt=""' in lab_tile
    assert '<a class="org-tile-name" href="/organizations/orgtest-lab">Orgtest Lab</a>' in lab_tile
    assert '<p class="muted org-stats">2 papers · 1 member</p>' in lab_tile
    quiet_tile = tile(page, "orgtest-quiet")
    assert '<span class="org-avatar org-avatar-initial" aria-hidden="true">O</span>' in quiet_tile
    assert '<p class="muted org-stats">0 papers</p>' in quiet_tile
    assert page.index("orgtest-lab") < page.index("orgtest-quiet")  # more papers first
    assert quiet.pk


def test_an_organization_page_shows_its_papers_newest_day_first_and_its_members(client, make_user, settings):
    settings.PAGE_SIZE = 2
    lab = make_org("orgtest-pages", "Pages Lab")
    other = make_org("orgtest-elsewhere", "Elsewhere")
    for day, title in [(3, "Day three"), (1, "Day one"), (2, "Day two")]:
        list_paper(make_paper(title=title), date(2026, 12, day), organization=lab, upvotes=day)
    list_paper(make_paper(title="Not ours"), date(2026, 12, 4), organization=other)
    admin_user, member = make_user("zed"), make_user("bea")
    Membership.objects.create(organization=lab, user=member)
    Membership.objects.create(organization=lab, user=admin_user, role=Membership.Role.ADMIN)
    Membership.objects.create(organization=lab, user=make_user("gone", is_active=False))

    page = client.get("/organizations/orgtest-pages").content.decode()
    assert "<h1>Pages Lab</h1>" in page
    assert '<p class="lede">3 papers · 2 members</p>' in page
    assert card_titles(page) == ["Day three", "Day two"]
    assert "Page 1 of 2" in page
    assert card_titles(client.get("/organizations/orgtest-pages?p=2").content.decode()) == ["Day one"]
    members = re.search(r'<ul class="member-list">(.*?)</ul>', page, re.DOTALL).group(1)
    assert re.findall(r'<a href="(/users/\w+)">(\w+)</a> <span class="badge[^"]*">(\w+)</span>', members) == [
        ("/users/zed", "zed", "Admin"),
        ("/users/bea", "bea", "Member"),
    ]


def test_an_unknown_organization_is_404(client):
    assert client.get("/organizations/orgtest-nothing-here").status_code == 404


def test_an_organization_without_members_or_papers_says_so(client):
    make_org("orgtest-empty", "Empty Lab")
    page = client.get("/organizations/orgtest-empty").content.decode()
    assert "No papers listed under Empty Lab yet." in page
    assert "No members on this site yet. An administrator adds them." in page


def test_hostile_names_and_avatar_urls_from_sources_are_inert(client):
    evil = make_org("orgtest-evil", '<script>alert("x")</script>', avatar_url="javascript:alert(1)")
    attr = make_org("orgtest-attr", '" onmouseover="alert(1)', avatar_url='https://x.org/a.png" onerror="alert(1)')
    list_paper(make_paper(title="<img src=x onerror=alert(2)>"), date(2026, 12, 5), organization=evil)
    for url in ("/organizations", "/organizations/orgtest-evil", "/organizations/orgtest-attr"):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "javascript:alert" not in page
        assert 'onmouseover="alert' not in page
        assert 'onerror="alert' not in page
        assert "<img src=x" not in page
    detail = client.get("/organizations/orgtest-evil").content.decode()
    assert "<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</h1>" in detail
    assert "&lt;img src=x onerror=alert(2)&gt;" in detail
    assert '<span class="org-avatar org-avatar-initial org-avatar-lg" aria-hidden="true">&lt;</span>' in detail
    assert attr.pk


# -- admin ---------------------------------------------------------------------------------


def test_the_organization_admin_is_the_one_with_members():
    registered = admin.site._registry[Organization]
    assert isinstance(registered, OrganizationAdmin)  # the site wraps each admin class (core/admin_site.py)
    assert MembershipInline in registered.inlines


def test_an_administrator_adds_a_member_in_the_organization_admin(make_user):
    superuser = make_user("root", is_staff=True, is_superuser=True)
    ada = make_user("ada")
    lab = make_org("orgtest-admin", "Admin Lab")
    client = csrf_client(superuser)
    url = f"/admin/papers/organization/{lab.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="memberships-TOTAL_FORMS"' in page.content.decode()
    response = client.post(
        url,
        {
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
            "slug": "orgtest-admin",
            "name": "Admin Lab",
            "avatar_url": "",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-user": str(ada.pk),
            "memberships-0-role": "admin",
            "memberships-0-organization": str(lab.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Membership.objects.filter(organization=lab).values_list("user__username", "role")) == [("ada", "admin")]
    listing = client.get("/admin/papers/organization/?q=orgtest-admin").content.decode()
    assert '<td class="field-member_count">1</td>' in listing
