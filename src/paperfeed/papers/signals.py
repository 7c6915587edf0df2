"""Signals of the papers layer: the apps above send them, other apps above receive them.

A vote, a comment, a listing or a merge changes what a paper's trending score is computed
from. The community apps (and papers.merge) send `paper_activity_changed`; feeds receives it
and refreshes the score, connected in FeedsConfig.ready. Community and feeds never import
each other for this, and neither reaches up (docs/layers.md).
"""

from django.dispatch import Signal

# Sent with paper_id=<the paper's pk>. Receivers run at once, in the sender's transaction
# when it is in one: a vote and its new trending score are written together.
paper_activity_changed = Signal()


def activity_changed(sender, paper_id: int) -> None:
    paper_activity_changed.send(sender=sender, paper_id=paper_id)
