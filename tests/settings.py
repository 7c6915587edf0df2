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

# The embedding model's int8 ONNX export (search/onnx_encoder.py) is cached under
# PAPERFEED_MODEL_CACHE, by default inside the data directory: every worker, `demo` server and
# child process with a data directory of its own would export it again (~9 s of CPU each,
# PyTorch included). One directory for the whole run instead, made by the first process to
# read these settings (pytest's controller; tests/run_suite.py makes one for both runs):
# the workers and their child processes inherit the variable, the first to embed exports the
# model (to a temporary name, then renamed) and the others load it. tests/search/
# test_fast_paths.py still sees the export made.
if "PAPERFEED_MODEL_CACHE" not in os.environ:
    os.environ["PAPERFEED_MODEL_CACHE"] = tempfile.mkdtemp(prefix="paperfeed-models-")
    atexit.register(shutil.rmtree, os.environ["PAPERFEED_MODEL_CACHE"], True)

from paperfeed.settings import *  # noqa: E402,F403

# A cheap hasher for the users the tests create in-process: PBKDF2's million rounds cost
# ~0.3 s a password. Child processes (tests/helpers.py) run with the site's real settings,
# so the real hasher is still exercised end to end (tests/community/accounts/test_cli_user.py).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
