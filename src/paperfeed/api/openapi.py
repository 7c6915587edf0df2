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
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
        "additionalProperties": False,
    }


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
    "Collection": _object(
        {
            "slug": _STR, "name": _STR, "description": _STR, "public": _BOOL, "createdAt": _TIME, "updatedAt": _TIME,
            "url": _STR, "papers": {"type": "array", "items": _STR},
        }
    ),
    "CollectionChange": _object({"collection": _ref("Collection")}, {"added": _BOOL, "removed": _BOOL}),
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
        403: "A cookie session without a valid CSRF token.",
        404: "No such paper (or collection, subscription).",
        409: "A per-account limit (collections, papers in a collection) is reached.",
        413: "The body is too large.",
        429: "Too many requests; see Retry-After.",
        502: "arXiv could not be reached.",
    }
    responses = {str(code): {"description": meaning[code], **_ERROR} for code in codes}
    if 429 in codes:
        responses["429"]["headers"] = _RETRY_AFTER
    return responses


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


_ARXIV = {
    "name": "arxiv_id", "in": "path", "required": True, "description": "arXiv id, e.g. 2410.17243 or hep-th/9901001.",
    "schema": {"type": "string", "pattern": f"^{ArxivIdConverter.regex}$"},
}
_SLUG = {"name": "slug", "in": "path", "required": True, "description": "The collection's slug.",
         "schema": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}}
_LIMIT = lambda default: _query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": default},  # noqa: E731
                                f"How many results (1–100, default {default}).")
_TOKEN = [{"bearerAuth": []}]
_READ_ERRORS = (400, 429)
_WRITE_ERRORS = (400, 401, 403, 404, 413, 429)


def _body(schema_properties: dict, required: list[str]) -> dict:
    schema = {"type": "object", "properties": schema_properties, "required": required}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


PATHS = {
    "/api/daily_papers": {
        "get": {
            "operationId": "listDailyPapers",
            "summary": "Papers on the daily lists (Hugging Face's /api/daily_papers).",
            "description": "Without date, week, month or sort: the latest day with papers, ranked by upvotes. "
            "sort=publishedAt: newest listing first; sort=trending: by trending score.",
            "parameters": [
                _query("p", {"type": "integer", "minimum": 0, "maximum": 10000, "default": 0}, "Page number, from 0."),
                _LIMIT(50),
                _query("date", {"type": "string"}, "A day, YYYY-MM-DD."),
                _query("week", {"type": "string"}, "An ISO week, YYYY-Www."),
                _query("month", {"type": "string"}, "A month, YYYY-MM."),
                _query("submitter", {"type": "string", "maxLength": 150}, "Only papers submitted by this user name."),
                _query("sort", {"type": "string", "enum": ["publishedAt", "trending"]}, "publishedAt or trending."),
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
                _query("cursor", {"type": "string", "maxLength": 100}, "From the previous page's Link header."),
                _LIMIT(50),
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
            "parameters": [_query("q", {"type": "string", "maxLength": 500}, "The query."), _LIMIT(20)],
            "responses": {"200": _json({"type": "array", "items": _ref("DailyPaper")}), **_errors(*_READ_ERRORS)},
        }
    },
    "/api/papers/index": {
        "post": {
            "operationId": "indexPaper",
            "summary": "Make a paper known, fetching it from arXiv when it is not (Hugging Face's /api/papers/index).",
            "security": _TOKEN,
            "requestBody": _body({"arxivId": {"type": "string"}}, ["arxivId"]),
            "responses": {"200": _json(_ref("Paper"), "Already known."), "201": _json(_ref("Paper"), "Fetched."),
                          **_errors(*_WRITE_ERRORS, 502)},
        }
    },
    "/api/papers/submit": {
        "post": {
            "operationId": "submitPaper",
            "summary": "Put a paper on a day's list (today by default), by the site's submission rules.",
            "security": _TOKEN,
            "requestBody": _body(
                {"arxivId": {"type": "string"}, "date": {"type": "string"}, "organization": {"type": "string"}}, ["arxivId"]
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
            "requestBody": _body({"body": {"type": "string"}, "parentId": {"type": "string"}}, ["body"]),
            "responses": {"201": _json(_ref("Comment"), "Posted."), **_errors(*_WRITE_ERRORS)},
        },
    },
    "/api/collections": {
        "get": {
            "operationId": "myCollections", "summary": "Your collections, with their papers.", "security": _TOKEN,
            "responses": {"200": _json({"type": "array", "items": _ref("Collection")}), **_errors(401, 429)},
        },
        "post": {
            "operationId": "createCollection", "summary": "Create a collection.", "security": _TOKEN,
            "requestBody": _body(
                {"name": {"type": "string"}, "description": {"type": "string"}, "public": {"type": "boolean"}}, ["name"]
            ),
            "responses": {"201": _json(_ref("Collection"), "Created."), **_errors(*_WRITE_ERRORS, 409)},
        },
    },
    "/api/collections/{slug}/papers": {
        "post": {
            "operationId": "addToCollection", "summary": "Put a paper in one of your collections.", "security": _TOKEN,
            "parameters": [_SLUG], "requestBody": _body({"arxivId": {"type": "string"}}, ["arxivId"]),
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
    "/api/subscription": {
        "get": {
            "operationId": "mySubscription", "summary": "Your e-mail digest subscription.", "security": _TOKEN,
            "responses": {"200": _json(_ref("Subscription")), **_errors(401, 404, 429)},
        },
        "post": {
            "operationId": "subscribe", "summary": "Subscribe your account's address (a confirmation mail is sent).",
            "security": _TOKEN,
            "requestBody": _body({"period": {"type": "string", "enum": ["daily", "weekly"]}}, []),
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
            "description": "Hugging Face's Daily Papers API (same paths, parameters and field names), plus "
            "token-authenticated writes. Reads are open and limited per minute; errors are {\"error\": \"…\"}.",
        },
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "description": "A personal API token."}},
        },
    }


def operations() -> list[dict]:
    """The operations in document order, flattened for the docs page."""
    result = []
    for path, methods in PATHS.items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            result.append({
                "id": op["operationId"], "method": method, "path": path, "summary": op["summary"],
                "description": op.get("description", ""), "parameters": op.get("parameters", []),
                "body": list(body.get("properties", {})), "auth": "security" in op, "responses": list(op["responses"]),
            })
    return result
