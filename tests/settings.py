"""Settings for the test run: the real settings, with a throwaway data directory.

Set before paperfeed.settings is imported (pytest-django imports it before any conftest),
so no test ever writes into a real ./data.
"""

import os
import tempfile

os.environ["PAPERFEED_DATA_DIR"] = tempfile.mkdtemp(prefix="paperfeed-test-")

from paperfeed.settings import *  # noqa: E402,F403
