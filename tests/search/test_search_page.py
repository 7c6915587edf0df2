import re

import pytest

from paperfeed.papers.models import Paper

pytestmark = pytest.mark.django_db


def test_finds_swan_by_idea(client, sample_db):
    response = client.get("/papers/search", {"q": "stateless optimizer"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/papers/2412.13148"' in html
    assert "<mark>" in html


def result_ids(html: str) -> list[str]:
    return re.findall(r'<a href="/papers/([^"]+)" class="card-title', html)


def test_first_hit_for_an_exact_title(client, sample_db):
    html = client.get("/papers/search", {"q": "Forward Learning of Graph Neural Networks"}).content.decode()
    assert result_ids(html)[0] == "2403.11004"


def test_author_search(client, sample_db):
    html = client.get("/papers/search", {"q": "Nadolsky"}).content.decode()
    assert 'href="/papers/0704.0001"' in html


@pytest.mark.parametrize(
    "query",
    ["2412.13148", "arXiv:2412.13148v2", "https://arxiv.org/abs/2412.13148v1", "https://arxiv.org/pdf/2412.13148",
     "https://huggingface.co/papers/2412.13148"],
)
def test_ids_and_urls_go_straight_to_the_paper(client, sample_db, query):
    response = client.get("/papers/search", {"q": query})
    assert response.status_code == 302 and response["Location"] == "/papers/2412.13148"


def test_unknown_id_says_so(client, sample_db):
    html = client.get("/papers/search", {"q": "2611.99999"}).content.decode()
    assert "https://arxiv.org/abs/2611.99999" in html


HOSTILE = [
    "",
    "   ",
    "x" * 10_000,
    "word " * 2_000,
    '"AND OR NEAR(',
    "'; DROP TABLE papers_paper; --",
    '"',
    "'",
    "*",
    "title:swan",
    "NEAR(a b, 2)",
    "a OR",
    "-swan",
    "^swan",
    "🦢 optimizer",
    "量子 計算",
    "\x00\x01",
    "%",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_fail(client, sample_db, query):
    response = client.get("/papers/search", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert Paper.objects.filter(arxiv_id="2412.13148").exists()  # nothing was dropped


def test_pagination(client, sample_db):
    first = client.get("/papers/search", {"q": "quantum"}).content.decode()
    second = client.get("/papers/search", {"q": "quantum", "p": "2"}).content.decode()
    assert "p=2" in first
    links = lambda html: set(re.findall(r'href="/papers/(\d{4}\.\d{4,5}|[a-z-]+/\d{7})"', html))
    assert links(first) and links(second) and not links(first) & links(second)
    assert client.get("/papers/search", {"q": "quantum", "p": "-4"}).status_code == 200
    assert client.get("/papers/search", {"q": "quantum", "p": "zzz"}).status_code == 200


# -- relevance floor, no-results state, "Save this search" -----------------------------------

GIBBERISH = "zxqvbn flurble grommet"


def test_made_up_words_find_nothing_and_say_so(client, sample_vectors):
    from paperfeed.search.hybrid import rank

    assert rank(GIBBERISH).hits == [] and rank(GIBBERISH, "semantic").hits == []
    html = client.get("/papers/search", {"q": GIBBERISH}).content.decode()
    assert result_ids(html) == []
    assert f"No results for “{GIBBERISH}”" in html and f"No papers match “{GIBBERISH}”" in html
    assert "Save this search" not in html  # nothing to save on an empty page


def test_without_the_floor_made_up_words_list_random_papers(client, sample_vectors, settings):
    """The floor is what empties that page: turned off, the nearest papers come back."""
    settings.PAPERFEED_SEARCH_MIN_SIMILARITY = -1.0
    assert len(result_ids(client.get("/papers/search", {"q": GIBBERISH}).content.decode())) > 0


def test_real_queries_still_find_their_paper(client, sample_vectors):
    assert result_ids(client.get("/papers/search", {"q": "stateless optimizer"}).content.decode())[0] == "2412.13148"
    # No word of the paraphrase is in SWAN's title: it is found by meaning, above the floor.
    paraphrase = "training language models with SGD instead of Adam to save optimizer memory"
    assert "2412.13148" in result_ids(client.get("/papers/search", {"q": paraphrase}).content.decode())[:3]


def test_a_rare_word_is_a_match_whatever_the_rest(client, sample_vectors):
    html = client.get("/papers/search", {"q": f"{GIBBERISH} Nadolsky"}).content.decode()
    assert result_ids(html) == ["0704.0001"]


def test_save_this_search_from_the_results(client, sample_vectors, django_user_model):
    from paperfeed.personal.models import SavedSearch

    anonymous = client.get("/papers/search", {"q": "stateless optimizer"}).content.decode()
    assert "Feed of this search" in anonymous and "Log in to save it" in anonymous
    user = django_user_model.objects.create_user("saver", "saver@example.org", "a-long-password-1")
    client.force_login(user)
    html = client.get("/papers/search", {"q": "stateless optimizer"}).content.decode()
    assert "Save this search" in html and 'hx-select="#save-search"' in html
    response = client.post(
        "/settings/personal/search-add",
        {"query": "stateless optimizer", "threshold": "0.5", "next": "/papers/search?q=stateless+optimizer"},
    )
    assert response.status_code == 303 and response["Location"] == "/papers/search?q=stateless+optimizer"
    assert SavedSearch.objects.filter(user=user, query="stateless optimizer").exists()
    saved = client.get(response["Location"]).content.decode()
    assert "Search saved" in saved and "Save this search" not in saved
    assert "/feeds/search.atom?q=stateless%20optimizer&amp;min=0.5" in saved


def test_search_says_how_many_results_mutes_hide(client, sample_vectors, django_user_model):
    from paperfeed.personal.models import MuteRule

    user = django_user_model.objects.create_user("muter", "muter@example.org", "a-long-password-1")
    client.force_login(user)
    before = result_ids(client.get("/papers/search", {"q": "stateless optimizer"}).content.decode())
    MuteRule.objects.create(user=user, kind="keyword", value="SWAN")
    html = client.get("/papers/search", {"q": "stateless optimizer"}).content.decode()
    hidden = len([a for a in before if a == "2412.13148"])
    assert "2412.13148" not in result_ids(html)
    match = re.search(r"(\d+) papers? hidden by your mutes", html)
    assert match and int(match.group(1)) >= hidden == 1
    shown = client.get("/papers/search", {"q": "stateless optimizer", "muted": "show"}).content.decode()
    assert "2412.13148" in result_ids(shown) and "your mutes would hide" in shown
