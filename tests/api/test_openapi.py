"""The OpenAPI document is generated, valid OpenAPI 3 and lists every path; the docs page is local (no CDN)."""

import re

from django.urls import reverse

PATHS = {
    "/api/v1/units",
    "/api/v1/employees",
    "/api/v1/leave",
    "/api/v1/leave/summary",
    "/api/v1/holidays/{year}",
    "/api/v1/exports/leave",
    "/api/v1/webhooks",
    "/api/v1/webhooks/{subscription_id}",
}


def test_openapi_document_is_valid_openapi_3(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert re.fullmatch(r"3\.\d+\.\d+", doc["openapi"])
    assert doc["info"]["title"] == "Serambi API" and doc["info"]["version"] == "1"
    assert set(doc["paths"]) == PATHS
    assert doc["components"]["securitySchemes"]["ClientBearer"] == {"type": "http", "scheme": "bearer"}
    schemas = doc["components"]["schemas"]
    # every $ref resolves, every operation has responses and an error schema for 401
    refs = re.findall(r'"\$ref": ?"#/components/schemas/([^"]+)"', response.content.decode())
    assert refs and all(name in schemas for name in refs)
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            assert method in {"get", "post", "delete"}
            assert op["responses"], path
            assert "401" in op["responses"], (path, method)
            assert op.get("security") == [{"ClientBearer": []}] or doc.get("security"), path
    employee = schemas["EmployeeOut"]["properties"]
    assert "nip" in employee and "home_address" not in employee and "birth_date" not in employee


def test_docs_page_is_local_and_lists_every_path(client, db):
    response = client.get(reverse("api:v1:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    for path in PATHS:
        assert f"{path}</code>" in html
    # no request to any other host: no absolute http(s) URL other than this server's own, no protocol-relative URL
    external = [
        u
        for u in re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", html)
        if "127.0.0.1" not in u and "testserver" not in u and "localhost" not in u
    ]
    assert external == [], external
    assert "<script" not in html.replace('<script src="/static/', "")


def test_docs_and_schema_need_no_login_but_data_routes_answer_401(client, db):
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    response = client.get("/api/v1/units", follow=False)
    assert response.status_code == 401 and "Location" not in response


def test_unknown_api_paths_answer_json_404(client, db):
    for path in ("/api/v1/", "/api/v1/nothing/here", "/api/v1/employees/1/extra"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
