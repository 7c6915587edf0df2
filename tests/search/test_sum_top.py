"""search.impact.sum_top drops candidates that can no longer reach the k best: it must give
what adding every list to every candidate gives, on lists shaped like real ones (a few long
lists of small contributions, many short ones of large contributions)."""

import numpy as np
import pytest

from paperfeed.search import impact
from paperfeed.search.impact import ID_TYPE, IMPACT_STEPS, IMPACT_TYPE, ImpactList, sum_top


def every_candidate_summed(exact, lists, k):
    """The plain way: each candidate's whole total, then the k best (ties: lower id)."""
    candidates = {pid for pid, _ in exact} | {int(pid) for impact_list, _ in lists for pid in impact_list.best}
    totals = dict.fromkeys(candidates, 0.0)
    for pid, score in exact:
        totals[pid] += score
    for impact_list, times in lists:
        for pid, value in zip(impact_list.ids.tolist(), impact_list.impacts.tolist()):
            if pid in totals:
                totals[pid] += times * impact_list.scale * value
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:k]


def random_list(rng, papers: int, holders: int, best: int, weight: float) -> ImpactList:
    ids = np.sort(rng.choice(papers, size=holders, replace=False)).astype(ID_TYPE)
    scores = rng.gamma(2.0, 1.0, size=holders)
    if rng.random() < 0.3:
        scores = np.round(scores)  # ties, as near-duplicate papers make
    impacts = np.round(scores / scores.max() * IMPACT_STEPS).astype(IMPACT_TYPE)
    bar = np.sort(impacts)[-min(best, holders)]
    return ImpactList(ids, impacts, weight / IMPACT_STEPS, ids[impacts >= bar])


@pytest.mark.parametrize("seed", range(40))
def test_the_k_best_are_those_of_every_candidate_summed(seed):
    rng = np.random.default_rng(seed)
    papers = 5_000
    lists = []
    for _ in range(rng.integers(1, 9)):
        holders = int(rng.integers(20, papers // 2))
        # The longer the list, the smaller its contributions (a common word's low IDF).
        weight = 10.0 * (1 - holders / papers) * rng.uniform(0.5, 1.0)
        lists.append((random_list(rng, papers, holders, best=150, weight=weight), int(rng.integers(1, 3))))
    exact_ids = rng.choice(papers, size=int(rng.integers(0, 60)), replace=False)
    exact = [(int(pid), float(rng.uniform(0, 15))) for pid in exact_ids]
    for k in (1, 10, 120):
        assert_same_ranking(sum_top(exact, lists, k), every_candidate_summed(exact, lists, k))


def assert_same_ranking(got, want):
    """The same papers in the same order, with the same totals up to float rounding (the
    contributions are added in another order)."""
    assert [pid for pid, _ in got] == [pid for pid, _ in want]
    assert [score for _, score in got] == pytest.approx([score for _, score in want], rel=1e-12)


def test_the_long_lists_are_searched_for_the_few_candidates_left(monkeypatch):
    """What makes it fast: once the short, heavy lists are added, the long light list is
    looked up for the candidates still in the running only, not read whole."""
    rng = np.random.default_rng(7)
    papers = 200_000
    heavy = [(random_list(rng, papers, 3_000, best=3_000, weight=9.0), 1) for _ in range(3)]
    light = random_list(rng, papers, 150_000, best=3_000, weight=0.5)
    looked_up = []
    add = impact._add_contributions

    def watching(totals, candidates, alive, slots, impact_list, times):
        looked_up.append((len(impact_list.ids), len(alive)))
        add(totals, candidates, alive, slots, impact_list, times)

    monkeypatch.setattr(impact, "_add_contributions", watching)
    got = sum_top([], [(light, 1), *heavy], 10)
    assert_same_ranking(got, every_candidate_summed([], [(light, 1), *heavy], 10))
    assert looked_up[-1][0] == len(light.ids)  # the light list comes last
    assert looked_up[-1][1] < 1_000  # of ~12,000 candidates
