"""Digests: e-mail subscriptions and the daily/weekly digest, delivered exactly once."""
