"""The parts that make hybrid search fast: the postings budget, the ONNX encoder, caches."""

import pytest

from paperfeed.papers.store import store_records
from paperfeed.search.engines import engine
from paperfeed.search.embedder import Embedder, shared_embedder
from paperfeed.search.rarity import FrequencyCache, within_budget
from paperfeed.sources.normalize import build_record

FREQUENCIES = {"model": 900, "learning": 700, "graph": 40, "zebrafish": 3, "unseen": 0}


def test_budget_keeps_the_rarest_words_in_query_order():
    words = ["learning", "graph", "model", "zebrafish"]
    assert within_budget(words, 0, FREQUENCIES.get) == words  # 0: no budget, exact BM25
    assert within_budget(words, 10_000, FREQUENCIES.get) == words  # all within budget
    assert within_budget(words, 100, FREQUENCIES.get) == ["graph", "zebrafish"]
    assert within_budget(words, 800, FREQUENCIES.get) == ["learning", "graph", "zebrafish"]
    # However small the budget, the rarest word is searched for.
    assert within_budget(["model", "learning"], 10, FREQUENCIES.get) == ["learning"]
    assert within_budget(["unseen", "model"], 10, FREQUENCIES.get) == ["unseen"]


def test_frequency_cache_counts_each_word_once_and_stays_bounded():
    asked = []

    def count(word):
        asked.append(word)
        return len(word)

    cache = FrequencyCache(count, size=2)
    assert [cache.frequency(w) for w in ("Graph", "graph", "zebra", "graph")] == [5, 5, 5, 5]
    assert asked == ["Graph", "zebra"]  # case-insensitive, cached
    cache.frequency("third")  # evicts the least recently used: "zebra"
    cache.frequency("zebra")
    assert asked == ["Graph", "zebra", "third", "zebra"]


@pytest.mark.django_db
def test_lexical_leg_leaves_out_common_words_past_the_budget(settings):
    engine().lexical.frequencies.clear()  # whichever database runs the tests
    store_records([build_record(arxiv_id=f"2611.3{i:04d}", title=f"Ubiquitous wording {i}") for i in range(30)])
    store_records([build_record(arxiv_id="2611.39999", title="Ubiquitous wording about narwhals")])
    backend = engine().lexical
    settings.PAPERFEED_LEXICAL_POSTINGS = 0
    assert backend.lexical_terms("ubiquitous narwhals") == ["ubiquitous", "narwhals"]
    exact = backend.candidates("ubiquitous narwhals")
    settings.PAPERFEED_LEXICAL_POSTINGS = 20
    assert backend.lexical_terms("ubiquitous narwhals") == ["narwhals"]
    budgeted = backend.candidates("ubiquitous narwhals")
    assert len(exact) >= 31 and len(budgeted) == 1
    assert budgeted[0][0] == exact[0][0]  # the paper with both words leads either way
    engine().lexical.frequencies.clear()  # whichever database runs the tests


TEXTS = [
    "Stateless optimizers for training large language models",
    "Protein structure prediction with attention networks. " * 40,  # longer than the token limit
    "Galaxy rotation curves without dark matter",
]


def test_a_query_is_neither_padded_nor_cut_short():
    encoder = Embedder(runtime="onnx-int8").onnx
    short = encoder.tokenizer.encode_batch(["graph neural networks"])[0]
    assert len(short.ids) == 5  # [CLS] graph neural networks [SEP], no padding to 128
    long = encoder.tokenizer.encode_batch([TEXTS[1]])[0]
    assert len(long.ids) == 256


def test_query_vectors_are_cached_and_read_only():
    embedder = shared_embedder()
    first = embedder.encode_query("cached query about graphs")
    assert embedder.encode_query("cached query about graphs") is first
    with pytest.raises(ValueError):
        first[0] = 1.0
