from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "paperfeed.feeds"

    def ready(self) -> None:
        from paperfeed.papers.signals import paper_activity_changed

        # A vote, a comment, a listing or a merge (sent by community and papers, which do not
        # import feeds) refreshes the paper's trending score.
        paper_activity_changed.connect(refresh_trending_score, dispatch_uid="feeds.refresh_trending_score")


def refresh_trending_score(sender, paper_id: int, **kwargs) -> None:
    from paperfeed.feeds.trending import refresh_paper

    refresh_paper(paper_id)
