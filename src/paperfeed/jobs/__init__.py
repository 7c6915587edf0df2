"""The built-in schedule: the periodic jobs `paperfeed serve` runs itself (docs/features/jobs.md)."""
