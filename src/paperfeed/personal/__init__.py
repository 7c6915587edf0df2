"""Personal ranking: what one reader wants to see more and less of (mutes, follows, saved
searches, "not interested") and a per-user model trained on it."""
