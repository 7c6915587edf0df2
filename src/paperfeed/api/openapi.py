"""The OpenAPI 3 description of /api/, served at /api/openapi.json and rendered at /api/docs.

Written by hand, next to the code; tests/api/test_openapi.py keeps the two in step (every
route described, every response of a schemathesis run valid against its schema).
"""

from __future__ import annotations

from paperfeed.papers.urlconverters import ArxivIdConverter

_TIME = {"type": "string", "format": "date-time"}
_TIME_OR_NULL = {"type": "string", "format": "date-time", "nullable": True}
_STR = {"type": "string"}
_INT = {"type": "integer", "minimum": 0}
_BOOL = {"type": "boolean"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(required: dict, optional: dict | None = None) -> dict:
    schema = {"type": "object", "properties": {**required, **(optional or {})}, "additionalProperties": False}
    if required:  # OpenAPI 3.0: a `required` list, when given, names at least one property
        schema["required"] = list(required)
    return schema


SCHEMAS = {
    "Error": _object({"error": _STR}),
    "User": _object(
        {"avatarUrl": _STR, "fullname": _STR, "name": _STR, "user": _STR, "type": {"type": "string", "enum": ["user"]}, "isPro": _BOOL},
        # An account imported from Hugging Face, as it came there.
        {"_id": _STR, "isHf": _BOOL, "isHfAdmin": _BOOL, "isMod": _BOOL, "followerCount": _INT},
    ),
    "Organization": _object({"_id": _STR, "name": _STR, "fullname": _STR, "avatarUrl": _STR}),
    "Author": _object(
        {"_id": _STR, "name": _STR, "hidden": _BOOL},
        {"user": _ref("User"), "status": _STR, "statusLastChangedAt": _TIME},
    ),
    "Paper": _object(
        {
            "id": _STR,
            "authors": {"type": "array", "items": _ref("Author")},
            "publishedAt": _TIME,
            "title": _STR,
            "summary": _STR,
            "upvotes": _INT,
            "discussionId": _STR,
            "numComments": _INT,
        },
        {
            "submittedOnDailyAt": _TIME,
            "submittedOnDailyBy": _ref("User"),
            "organization": _ref("Organization"),
            "projectPage": _STR,
            "githubRepo": _STR,
            "githubStars": _INT,
            "ai_summary": _STR,
            "ai_keywords": {"type": "array", "items": _STR},
            "withdrawnAt": _TIME,
        },
    ),
    "DailyPaper": _object(
        {
            "paper": _ref("Paper"),
            "publishedAt": _TIME,
            "title": _STR,
            "summary": _STR,
            "thumbnail": {**_STR, "description": "Absolute URL of the paper's first page as a WebP image; else the "
                          "thumbnail its source (Hugging Face) gave; empty when there is neither."},
            "mediaUrls": {"type": "array", "items": _STR, "description": "The submitter's images and videos, as the source gave them."},
            "numComments": _INT,
            "isAuthorParticipating": _BOOL,
        },
        {"submittedBy": _ref("User"), "organization": _ref("Organization")},
    ),
    "Vote": _object({"id": _STR, "upvoted": _BOOL, "upvotes": _INT}),
    "Comment": _object(
        {
            "id": _STR,
            "parentId": {"type": "string", "nullable": True},
            "author": {**_object({"name": _STR}), "nullable": True},
            "createdAt": _TIME,
            "editedAt": _TIME_OR_NULL,
            "deleted": _BOOL,
            "body": _STR,
            "bodyHtml": _STR,
        }
    ),
    "CollectionItem": _object(
        {"_id": _STR, "id": _STR, "type": {"type": "string", "enum": ["paper"]}, "position": _INT, "title": _STR,
         "publishedAt": _TIME, "addedAt": _TIME},
        {"note": _object({"text": _STR, "html": _STR})},
    ),
    # Hugging Face's collection (title, owner, items…), then paperfeed's first field names.
    "Collection": _object(
        {
            "slug": {**_STR, "description": "owner/slug, as Hugging Face's namespace/…; the site's page is /collections/<slug>."},
            "title": _STR, "description": _STR, "owner": _ref("User"),
            "items": {"type": "array", "items": _ref("CollectionItem")},
            "lastUpdated": _TIME, "private": _BOOL, "theme": {"type": "string", "enum": ["default"]}, "upvotes": _INT,
            "isUpvotedByUser": _BOOL, "shareUrl": _STR,
            "name": _STR, "public": _BOOL, "createdAt": _TIME, "updatedAt": _TIME, "url": _STR,
            "papers": {"type": "array", "items": _STR},
        },
        {"position": {**_INT, "description": "Its place in the owner's list, newest change first (not in lists)."}},
    ),
    "CollectionChange": _object({"collection": _ref("Collection")}, {"added": _BOOL, "removed": _BOOL}),
    "CollectionUpdate": _object({"success": _BOOL, "data": _ref("Collection")}),
    "CollectionDeleted": _object({"success": _BOOL, "deleted": _STR}),
    "CollectionExists": _object({"error": _STR}, {"slug": _STR}),
    "Subscription": _object(
        {
            "email": _STR, "period": {"type": "string", "enum": ["daily", "weekly"]},
            "status": {"type": "string", "enum": ["pending", "active", "unsubscribed", "bounced"]},
            "createdAt": _TIME, "confirmedAt": _TIME_OR_NULL, "endedAt": _TIME_OR_NULL,
        }
    ),
    "SubscribeResult": _object({"result": _STR, "subscription": _ref("Subscription")}),
    "WhoAmI": _object(
        {"type": _STR, "name": _STR, "fullname": _STR},
        {"auth": {"type": "object"}},
    ),
    "UserExport": {
        "type": "object",
        "required": ["format", "version", "exportedAt", "account", "votes", "comments", "collections", "apiTokens"],
        "properties": {"format": {"type": "string", "enum": ["paperfeed-user-export"]}, "version": _INT, "exportedAt": _TIME},
    },
}

_ERROR = {"content": {"application/json": {"schema": _ref("Error")}}}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string", "pattern": "^[0-9]+$"}}}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    meaning = {
        400: "A parameter or the body is invalid.",
        401: "No valid token (or session).",
        403: "A cookie session without a valid CSRF token, or someone else's collection.",
        404: "No such paper (or collection, item, subscription).",
        409: "A per-account limit (collections, papers in a collection) is reached.",
        413: "The body is too large.",
        429: "Too many requests; see Retry-After.",
        502: "arXiv could not be reached.",
    }
    responses = {str(code): {"description": meaning[code], **_ERROR} for code in codes}
    if 429 in codes:
        responses["429"]["headers"] = _RETRY_AFTER
    return responses


# -- values: each parameter and body field has bounds (a pattern or enum for text) and an example
# that names real data of the bundled sample (the 2024-10-25 list), so a reader can try it and a
# fuzzer reaches real papers; tests/api/test_openapi.py fails when one of them lacks these.

ARXIV_PATTERN = f"^{ArxivIdConverter.regex}$"
# Django's user names (letters, digits and @.+-_), up to 150 characters.
USERNAME_PATTERN = r"^[\w.@+-]{1,150}$"
SLUG_PATTERN = "^[-a-zA-Z0-9_]{1,100}$"
# Text that may say anything, short of NUL characters (refused: no database stores them).
ANY_TEXT = "^[^\\u0000]*$"
# Text with something in it: at least one character that is not a space.
SOME_TEXT = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"

SAMPLE_PAPER = "2410.18693"
SAMPLE_DAY = "2024-10-25"


def _text(example: str, pattern: str, max_length: int, min_length: int = 0, **extra) -> dict:
    schema = {"type": "string", "pattern": pattern, "maxLength": max_length, "example": example, **extra}
    if min_length:
        schema["minLength"] = min_length
    return schema


def _integer(example: int, low: int, high: int, **extra) -> dict:
    return {"type": "integer", "minimum": low, "maximum": high, "example": example, **extra}


def _choice(example: str, options: list[str], **extra) -> dict:
    return {"type": "string", "enum": options, "example": example, **extra}


def _flag(example: bool, **extra) -> dict:
    return {"type": "boolean", "example": example, **extra}


def _query(name: str, schema: dict, description: str, *, repeatable: bool = False) -> dict:
    parameter = {"name": name, "in": "query", "required": False, "schema": schema, "description": description,
                 "example": schema["example"]}
    if repeatable:
        # Hugging Face's owner/item filters: ?owner=a&owner=b.
        parameter.update(schema={"type": "array", "items": schema, "maxItems": 20}, example=[schema["example"]],
                         style="form", explode=True)
    return parameter


def _path(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description,
            "example": schema["example"]}


_ARXIV_ID = _text(SAMPLE_PAPER, ARXIV_PATTERN, 40, 9)
_ARXIV = _path("arxiv_id", _ARXIV_ID, "arXiv id, e.g. 2410.18693 or hep-th/9901001.")
_SLUG = _path("slug", _text("reading", SLUG_PATTERN, 100, 1), "The slug of one of your collections.")
_OWNER = _path("owner", _text("ada", USERNAME_PATTERN, 150, 1), "The collection's owner (Hugging Face's namespace).")
_COLLECTION = _path("slug", _text("reading", SLUG_PATTERN, 100, 1), "The collection's slug within its owner's.")
_ITEM = _path("item_id", _text("0000000000000000000f4240", "^[0-9a-f]{24}$", 24, 24),
              "The item's _id (from the collection's items), not the paper's id.")
_PAGE = _query("p", _integer(0, 0, 10000, default=0), "Page number, from 0.")


def _limit(default: int) -> dict:
    return _query("limit", _integer(10, 1, 100, default=default), f"How many results (1–100, default {default}).")


_TOKEN = [{"bearerAuth": []}]
_READ_ERRORS = (400, 429)
_WRITE_ERRORS = (400, 401, 403, 404, 413, 429)


def _body(properties: dict, required: list[str]) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    example = {name: field["example"] for name, field in properties.items()}
    return {"required": True, "content": {"application/json": {"schema": schema, "example": example}}}


_TITLE = _text("Scaling contrastive loss", SOME_TEXT, 100, 1)
_DESCRIPTION = _text("Papers on batch sizes.", ANY_TEXT, 2000)
_NOTE = _text("Read the memory analysis first.", ANY_TEXT, 500)

PATHS = {
    "/api/daily_papers": {
        "get": {
            "operationId": "listDailyPapers",
            "summary": "Papers on the daily lists (Hugging Face's /api/daily_papers).",
            "description": "Without date, week, month or sort: the latest day with papers, ranked by upvotes. "
            "sort=publishedAt: newest listing first; sort=trending: by trending score. Each parameter at most once.",
            "parameters": [
                _PAGE,
                _limit(50),
                _query("date", _text(SAMPLE_DAY, r"^\d{4}-\d{2}-\d{2}$", 10, 10), "A day, YYYY-MM-DD."),
                _query("week", _text("2024-W43", r"^\d{4}-W\d{2}$", 8, 8), "An ISO week, YYYY-Www."),
                _query("month", _text("2024-10", r"^\d{4}-\d{2}$", 7, 7), "A month, YYYY-MM."),
                _query("submitter", _text("dyyyyyyyy", USERNAME_PATTERN, 150, 1), "Only papers submitted by this user name."),
                _query("sort", _choice("trending", ["publishedAt", "trending"]), "publishedAt or trending."),
            ],
            "responses": {"200": _json({"type": "array", "items": _ref("DailyPaper")}), **_errors(*_READ_ERRORS)},
        }
    },
    "/api/papers": {
        "get": {
            "operationId": "listPapers",
            "summary": "Every paper, most recently added first, in pages linked by a cursor.",
            "description": "The next page's URL is in the Link header (rel=\"next\"), absent on the last page.",
            "parameters": [
                _query("cursor", _text("aWQ6MTAw", "^[A-Za-z0-9_-]+$", 100, 1), "From the previous page's Link header."),
                _limit(50),
            ],
            "responses": {
                "200": {**_json({"type": "array", "items": _ref("Paper")}),
                        "headers": {"Link": {"description": "The next page.", "schema": _STR}}},
                **_errors(*_READ_ERRORS),
            },
        }
    },
    "/api/papers/search": {
        "get": {
            "operationId": "searchPapers",
            "summary": "Hybrid search (keywords + meaning); an arXiv id or link finds that paper.",
            "parameters": [_query("q", _text("contrastive loss batch size", ANY_TEXT, 500), "The query."), _limit(20)],
            "responses": {"200": _json({"type": "array", "items": _ref("DailyPaper")}), **_errors(*_READ_ERRORS)},
        }
    },
    "/api/papers/index": {
        "post": {
            "operationId": "indexPaper",
            "summary": "Make a paper known, fetching it from arXiv when it is not (Hugging Face's /api/papers/index).",
            "security": _TOKEN,
            "requestBody": _body({"arxivId": _ARXIV_ID}, ["arxivId"]),
            "responses": {"200": _json(_ref("Paper"), "Already known."), "201": _json(_ref("Paper"), "Fetched."),
                          **_errors(*_WRITE_ERRORS, 502)},
        }
    },
    "/api/papers/submit": {
        "post": {
            "operationId": "submitPaper",
            "summary": "Put a paper on a day's list (today by default), by the site's submission rules.",
            "description": "arxivId may also be an arxiv.org or huggingface.co/papers link.",
            "security": _TOKEN,
            "requestBody": _body(
                {
                    "arxivId": _text(SAMPLE_PAPER, r"^\S+$", 300, 1),
                    "date": _text(SAMPLE_DAY, r"^(\d{4}-\d{2}-\d{2})?$", 10),
                    "organization": _text("lab-one", r"^[-a-zA-Z0-9_]*$", 100, description="One of your organizations' slugs."),
                },
                ["arxivId"],
            ),
            "responses": {"201": _json(_ref("DailyPaper"), "Listed."), **_errors(*_WRITE_ERRORS, 502)},
        }
    },
    "/api/papers/{arxiv_id}": {
        "get": {
            "operationId": "getPaper",
            "summary": "One paper (Hugging Face's /api/papers/<id>).",
            "parameters": [_ARXIV],
            "responses": {"200": _json(_ref("Paper")), **_errors(404, 429)},
        }
    },
    "/api/papers/{arxiv_id}/upvote": {
        "post": {
            "operationId": "upvotePaper", "summary": "Upvote the paper (idempotent).", "security": _TOKEN,
            "parameters": [_ARXIV], "responses": {"200": _json(_ref("Vote")), **_errors(*_WRITE_ERRORS)},
        },
        "delete": {
            "operationId": "removeUpvote", "summary": "Take the upvote back (idempotent).", "security": _TOKEN,
            "parameters": [_ARXIV], "responses": {"200": _json(_ref("Vote")), **_errors(*_WRITE_ERRORS)},
        },
    },
    "/api/papers/{arxiv_id}/comments": {
        "get": {
            "operationId": "listComments", "summary": "The paper's discussion, oldest first.",
            "parameters": [_ARXIV],
            "responses": {"200": _json({"type": "array", "items": _ref("Comment")}), **_errors(404, 429)},
        },
        "post": {
            "operationId": "addComment", "summary": "Comment (Markdown), or reply with parentId.", "security": _TOKEN,
            "parameters": [_ARXIV],
            "requestBody": _body(
                {
                    "body": _text("The memory analysis in section 3 is *very* clear.", SOME_TEXT, 10_000, 1),
                    "parentId": _text("0000000000000000000f4240", "^([0-9a-f]{24})?$", 24, description="A comment's id."),
                },
                ["body"],
            ),
            "responses": {"201": _json(_ref("Comment"), "Posted."), **_errors(*_WRITE_ERRORS)},
        },
    },
    "/api/collections": {
        "get": {
            "operationId": "listCollections",
            "summary": "Public collections, and your private ones with a token (Hugging Face's list_collections).",
            "description": "Newest change first; each collection with its first 4 items (all in `papers`). The next "
            "page's URL is in the Link header. paperfeed has no collection votes: every sort is lastModified.",
            "parameters": [
                _query("owner", _text("ada", USERNAME_PATTERN, 150, 1), "Only these owners' collections.", repeatable=True),
                _query("item", _text(f"papers/{SAMPLE_PAPER}", "^(papers|models|datasets|spaces|collections|buckets)/.+$",
                                     200, 3), "Only collections holding this item.", repeatable=True),
                _query("sort", _choice("lastModified", ["lastModified", "trending", "upvotes"]), "Accepted; see above."),
                _limit(50),
                _PAGE,
            ],
            "responses": {
                "200": {**_json({"type": "array", "items": _ref("Collection")}),
                        "headers": {"Link": {"description": "The next page.", "schema": _STR}}},
                **_errors(*_READ_ERRORS, 401),
            },
        },
        "post": {
            "operationId": "createCollection",
            "summary": "Create a collection (Hugging Face's create_collection, or paperfeed's name/public).",
            "description": "title and name are one field, as are private and its opposite public (default: "
            "private, unless Hugging Face's `private: false` is sent). The same title twice is a 409 naming the "
            "first one's slug.",
            "security": _TOKEN,
            "requestBody": _body(
                {
                    "title": _TITLE,
                    "name": {**_TITLE, "description": "paperfeed's name for title."},
                    "namespace": _text("ada", USERNAME_PATTERN, 150, 1, description="Your user name (the default)."),
                    "description": _DESCRIPTION,
                    "private": _flag(False),
                    "public": _flag(True, description="paperfeed's opposite of private."),
                },
                [],
            ),
            "responses": {"201": _json(_ref("Collection"), "Created."), **_errors(*_WRITE_ERRORS),
                          "409": {"description": "A collection of this title exists (its slug is given), or the "
                                  "per-account limit is reached.", "content": {"application/json": {"schema": _ref("CollectionExists")}}}},
        },
    },
    "/api/collections/{slug}/papers": {
        "post": {
            "operationId": "addToCollection", "summary": "Put a paper in one of your collections (by its bare slug).",
            "security": _TOKEN,
            "parameters": [_SLUG], "requestBody": _body({"arxivId": _ARXIV_ID}, ["arxivId"]),
            "responses": {"200": _json(_ref("CollectionChange")), **_errors(*_WRITE_ERRORS, 409)},
        }
    },
    "/api/collections/{slug}/papers/{arxiv_id}": {
        "delete": {
            "operationId": "removeFromCollection", "summary": "Take a paper out of one of your collections.",
            "security": _TOKEN, "parameters": [_SLUG, _ARXIV],
            "responses": {"200": _json(_ref("CollectionChange")), **_errors(*_WRITE_ERRORS)},
        }
    },
    "/api/collections/{owner}/{slug}": {
        "get": {
            "operationId": "getCollection", "summary": "A collection with all its items (Hugging Face's get_collection).",
            "description": "A private collection exists only for its owner.",
            "parameters": [_OWNER, _COLLECTION],
            "responses": {"200": _json(_ref("Collection")), **_errors(401, 404, 429)},
        },
        "patch": {
            "operationId": "updateCollection", "summary": "Change title, description, private (the slug stays).",
            "security": _TOKEN, "parameters": [_OWNER, _COLLECTION],
            "requestBody": _body({"title": _TITLE, "description": _DESCRIPTION, "private": _flag(False)}, []),
            "responses": {"200": _json(_ref("CollectionUpdate")), **_errors(*_WRITE_ERRORS)},
        },
        "delete": {
            "operationId": "deleteCollection", "summary": "Delete one of your collections.", "security": _TOKEN,
            "parameters": [_OWNER, _COLLECTION],
            "responses": {"200": _json(_ref("CollectionDeleted")), **_errors(*_WRITE_ERRORS)},
        },
    },
    "/api/collections/{owner}/{slug}/items": {
        "post": {
            "operationId": "addCollectionItem", "summary": "Add a paper, last (Hugging Face's add_collection_item).",
            "security": _TOKEN, "parameters": [_OWNER, _COLLECTION],
            "requestBody": _body(
                {
                    "item": {
                        "type": "object", "required": ["id", "type"],
                        "properties": {"id": _ARXIV_ID, "type": _choice("paper", ["paper"])},
                        "example": {"id": SAMPLE_PAPER, "type": "paper"},
                    },
                    "note": _NOTE,
                },
                ["item"],
            ),
            "responses": {"200": _json(_ref("Collection")), **_errors(*_WRITE_ERRORS),
                          "409": {"description": "The paper is in the collection already, or it is full.", **_ERROR}},
        },
    },
    "/api/collections/{owner}/{slug}/items/{item_id}": {
        "patch": {
            "operationId": "updateCollectionItem", "summary": "Set an item's note or move it (update_collection_item).",
            "security": _TOKEN, "parameters": [_OWNER, _COLLECTION, _ITEM],
            "requestBody": _body({"note": _NOTE, "position": _integer(0, 0, 5000)}, []),
            "responses": {"200": _json(_ref("Collection")), **_errors(*_WRITE_ERRORS)},
        },
        "delete": {
            "operationId": "deleteCollectionItem", "summary": "Take an item out (delete_collection_item).",
            "security": _TOKEN, "parameters": [_OWNER, _COLLECTION, _ITEM],
            "responses": {"200": _json(_ref("Collection")), **_errors(*_WRITE_ERRORS)},
        },
    },
    "/api/subscription": {
        "get": {
            "operationId": "mySubscription", "summary": "Your e-mail digest subscription.", "security": _TOKEN,
            "responses": {"200": _json(_ref("Subscription")), **_errors(401, 404, 429)},
        },
        "post": {
            "operationId": "subscribe", "summary": "Subscribe your account's address (a confirmation mail is sent).",
            "security": _TOKEN,
            "requestBody": _body({"period": _choice("weekly", ["daily", "weekly"], default="daily")}, []),
            "responses": {"200": _json(_ref("SubscribeResult")), **_errors(*_WRITE_ERRORS)},
        },
        "delete": {
            "operationId": "unsubscribe", "summary": "Stop the digest.", "security": _TOKEN,
            "responses": {"200": _json(_ref("Subscription")), **_errors(*_WRITE_ERRORS)},
        },
    },
    "/api/whoami-v2": {
        "get": {
            "operationId": "whoami", "summary": "The account of the token (Hugging Face's /api/whoami-v2).",
            "security": _TOKEN, "responses": {"200": _json(_ref("WhoAmI")), **_errors(401, 429)},
        }
    },
    "/api/export/me": {
        "get": {
            "operationId": "exportMyData", "summary": "All your data as one JSON document (a download).",
            "security": _TOKEN, "responses": {"200": _json(_ref("UserExport")), **_errors(401, 429)},
        }
    },
    "/api/openapi.json": {
        "get": {
            "operationId": "openapi", "summary": "This document.",
            "responses": {"200": _json({"type": "object", "required": ["openapi", "paths"]}), **_errors(429)},
        }
    },
    "/api/docs": {
        "get": {
            "operationId": "docs", "summary": "This document as a web page.",
            "responses": {"200": {"description": "OK", "content": {"text/html": {"schema": _STR}}}, **_errors(429)},
        }
    },
}


def spec() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "paperfeed JSON API",
            "version": "1",
            "description": "Hugging Face's Daily Papers and Collections API (same paths, parameters and field names), "
            "plus token-authenticated writes. Reads are open and limited per minute. Every answer under /api/ is JSON; "
            "errors are {\"error\": \"…\"}. A query parameter given twice is a 400 (except owner and item of "
            "/api/collections, which Hugging Face repeats). The examples name papers of the bundled sample data.",
        },
        # Relative: the server that served this document (OpenAPI resolves it against the document's URL).
        "servers": [{"url": "/", "description": "This paperfeed site."}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "description": "A personal API token."}},
        },
    }


def _example_text(example) -> str:
    return "&".join(map(str, example)) if isinstance(example, list) else str(example)


def operations() -> list[dict]:
    """The operations in document order, flattened for the docs page."""
    result = []
    for path, methods in PATHS.items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            result.append({
                "id": op["operationId"], "method": method, "path": path, "summary": op["summary"],
                "description": op.get("description", ""),
                "parameters": [{**p, "example_text": _example_text(p["example"])} for p in op.get("parameters", [])],
                "body": list(body.get("properties", {})), "auth": "security" in op, "responses": list(op["responses"]),
            })
    return result
