"""Community: accounts, votes, discussion, collections, organizations, authorship claims and
daily submissions — one Django app per feature, each with its own models, views and URLs."""
