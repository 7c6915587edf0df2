"""The API describing itself (OpenAPI document, docs page) and the user-data download."""

from __future__ import annotations

from django.shortcuts import render

from paperfeed.api import openapi
from django.views.decorators.csrf import csrf_exempt

from paperfeed.api.http import error, json_object
from paperfeed.api.mine import reader
from paperfeed.api.userdata import export_user


def openapi_document(request):
    return json_object(openapi.spec())


def docs(request):
    context = {"spec": openapi.spec(), "operations": openapi.operations(), "base_url": request.build_absolute_uri("/").rstrip("/")}
    return render(request, "api/docs.html", context)


def export_me(request):
    user = reader(request)
    response = json_object(export_user(user))
    response["Content-Disposition"] = f'attachment; filename="paperfeed-{user.pk}-data.json"'
    return response


@csrf_exempt  # answers 404 to every method and changes nothing
def not_found(request):
    return error("Not found.", 404)
