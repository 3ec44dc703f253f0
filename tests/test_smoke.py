from flask.testing import FlaskClient


def test_health(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_home_has_security_headers(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "Sign in" in response.get_data(as_text=True)
