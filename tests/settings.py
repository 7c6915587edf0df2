"""Settings for the test run: the real settings, with a throwaway data directory.

Set before paperfeed.settings is imported (pytest-django imports it before any conftest),
so no test ever writes into a real ./data. Each process of the run (each pytest-xdist
worker) gets its own directory.
"""

import os
import tempfile

os.environ["PAPERFEED_DATA_DIR"] = tempfile.mkdtemp(prefix="paperfeed-test-")

from paperfeed.settings import *  # noqa: E402,F403

# A cheap hasher for the users the tests create in-process: PBKDF2's million rounds cost
# ~0.3 s a password. Child processes (tests/helpers.py) run with the site's real settings,
# so the real hasher is still exercised end to end (tests/community/accounts/test_cli_user.py).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
