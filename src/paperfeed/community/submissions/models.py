"""Submissions are DailyEntry rows (papers app) with a submitter; this app has no tables."""
