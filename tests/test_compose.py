from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_services():
    services = _compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:17")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("postgres", "redis"):
        assert "healthcheck" in services[name]


def test_compose_commands_run_gunicorn_a_worker_and_one_beat():
    services = _compose()["services"]
    assert services["web"]["command"][0] == "gunicorn"
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert "replicas" not in services["beat"].get("deploy", {})


def test_compose_keeps_data_in_named_volumes():
    compose = _compose()
    assert {"postgres-data", "redis-data"} <= set(compose["volumes"])


def test_every_env_variable_the_example_names_is_read_by_settings():
    settings_text = (ROOT / "config" / "settings.py").read_text()
    names = [
        line.split("=")[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and line[0].isupper()
    ]
    unread = [n for n in names if f'"{n}"' not in settings_text and n != "POSTGRES_PASSWORD"]
    assert unread == []
