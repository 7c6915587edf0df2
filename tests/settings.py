"""Settings for the test run: the real settings, with a throwaway data directory.

Set before paperfeed.settings is imported (pytest-django imports it before any conftest),
so no test ever writes into a real ./data. Each process of the run (each pytest-xdist
worker) gets its own directory.
"""

import atexit
import os
import shutil
import tempfile

os.environ["PAPERFEED_DATA_DIR"] = tempfile.mkdtemp(prefix="paperfeed-test-")
# Removed when the process ends (each worker and pytest's controller read these settings):
# a run used to leave one behind per process, hundreds over a day of runs.
atexit.register(shutil.rmtree, os.environ["PAPERFEED_DATA_DIR"], True)

# The default model ships as an ONNX file; other models are exported to PAPERFEED_MODEL_CACHE
# (by default inside the data directory). Only tests/search/test_torch_extra.py exports one:
# one directory for the whole run all the same, so a test that exports never leaves the file
# in a data directory another process reads, and `make test` removes it at the end.
if "PAPERFEED_MODEL_CACHE" not in os.environ:
    os.environ["PAPERFEED_MODEL_CACHE"] = tempfile.mkdtemp(prefix="paperfeed-models-")
    atexit.register(shutil.rmtree, os.environ["PAPERFEED_MODEL_CACHE"], True)

# The same for the hashed, compressed static files that `init`, `serve` and `demo` collect
# (core/static_storage.py, ~3 s of CPU, Brotli mostly): one STATIC_ROOT for the run's child
# processes, collected by the first under a lock; the others find it up to date.
if "PAPERFEED_STATIC_ROOT" not in os.environ:
    os.environ["PAPERFEED_STATIC_ROOT"] = tempfile.mkdtemp(prefix="paperfeed-static-")
    atexit.register(shutil.rmtree, os.environ["PAPERFEED_STATIC_ROOT"], True)

from paperfeed.settings import *  # noqa: E402,F403

# In-process, this process's own static root, never collected: pages link the plain names
# (core/static_storage.SiteStaticStorage) whatever a child has collected meanwhile.
STATIC_ROOT = DATA_DIR / "static"  # noqa: F405
STATIC_ROOT.mkdir(exist_ok=True)  # else WhiteNoise warns that it is missing

# A cheap hasher for the users the tests create in-process: PBKDF2's million rounds cost
# ~0.3 s a password. Child processes (tests/helpers.py) run with the site's real settings,
# so the real hasher is still exercised end to end (tests/community/accounts/test_cli_user.py).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Cached pages off for the suite: tests write rows directly (not through the writes that start
# a new page generation) and each test's rows are rolled back, so a page cached by one test
# would be served to the next. tests/test_page_cache.py turns it on where it is tested.
PAPERFEED_PAGE_CACHE = 0
