class ArxivIdConverter:
    """Matches both id schemes in a URL path: ``2412.13148`` and ``hep-th/9901001``.

    The view canonicalises (drops a version, lower-cases the archive) and redirects.
    """

    regex = r"(?:\d{4}\.\d{4,5}|[a-zA-Z-]+(?:\.[A-Za-z]{2})?/\d{7})(?:v\d+)?"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
