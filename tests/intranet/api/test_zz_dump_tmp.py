import pytest

@pytest.mark.django_db
def test_dump(client):
    html = client.get("/api/v1/docs", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    open("/tmp/api_docs.html", "w").write(html)
