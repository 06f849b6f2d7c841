"""Probes (/health/live, /health/ready) and Prometheus metrics (/metrics)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from api.main import create_app
from shared.domain.enums import LeaveStatus, OutboxStatus, PunchSource, Role
from shared.model import Device, Employee, LeaveRequest, LeaveType, OutboxMessage, Punch
from shared.persistence import Database
from shared.redis_client import create_redis


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_liveness_is_always_ok(client):
    response = await client.get("/health/live")
    assert response.status_code == 200 and response.json()["status"] == "ok"


async def test_readiness_checks_the_database_and_a_real_redis_with_timings(db: Database, settings, real_redis):
    app = create_app(settings, db, real_redis)
    async with _client(app) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 200, response.text
    checks = response.json()["checks"]
    assert checks["database"]["ok"] and checks["redis"]["ok"]
    assert checks["database"]["ms"] >= 0 and checks["redis"]["ms"] >= 0


async def test_readiness_is_503_naming_redis_when_redis_is_down(db: Database, settings, caplog):
    down = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    app = create_app(settings, db, down)
    async with _client(app) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["error"]["code"] == "not_ready" and "redis" in body["error"]["message"]
    assert [d["field"] for d in body["error"]["details"]] == ["redis"]
    assert body["checks"]["database"]["ok"] is True and body["checks"]["redis"]["ok"] is False
    assert "127.0.0.1" not in response.text and "Connect" not in response.text, "no host, port or driver message"
    assert body["checks"]["redis"]["error"] in ("not reachable", "timed out")
    assert any("readiness" in r.getMessage() for r in caplog.records), "the details go to the log"
    await down.aclose()


async def test_readiness_is_503_naming_the_database_when_it_is_down(settings):
    down = Database.from_url("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    app = create_app(settings, down, create_redis(""))
    async with _client(app) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert [d["field"] for d in response.json()["error"]["details"]] == ["database"]
    assert "127.0.0.1" not in response.text and "nobody" not in response.text and "asyncpg" not in response.text
    await down.dispose()


async def test_requests_are_counted_by_route_template_and_status(client, admin):
    await client.get("/api/v1/employees/4242", headers=admin)
    await client.get("/api/v1/employees/4343", headers=admin)
    await client.get("/api/v1/employees", headers=admin)
    await client.get("/nowhere")
    text = (await client.get("/metrics", headers=admin)).text
    samples = _samples(text)
    one = (("method", "GET"), ("route", "/api/v1/employees/{employee_id}"), ("status", "404"))
    assert samples[("chronos_http_requests_total", one)] == 2
    listed = (("method", "GET"), ("route", "/api/v1/employees"), ("status", "200"))
    assert samples[("chronos_http_requests_total", listed)] == 1
    assert (
        samples[("chronos_http_requests_total", (("method", "GET"), ("route", "<unmatched>"), ("status", "404")))] == 1
    )
    assert samples[("chronos_http_request_duration_seconds_count", one)] == 2
    assert "/api/v1/employees/4242" not in text


async def test_business_numbers_come_from_the_database(client, db: Database, admin):
    now = datetime.now(UTC)
    async with db.transaction() as s:
        employee = Employee(code="E1", full_name="Ana", role=Role.EMPLOYEE)
        kind = LeaveType(code="annual", name="Annual")
        device = Device(name="Front", host="10.0.0.1", last_success_at=now - timedelta(seconds=90))
        s.add_all([employee, kind, device, Device(name="Never", host="10.0.0.2")])
        await s.flush()
        for status in (LeaveStatus.PENDING, LeaveStatus.PENDING, LeaveStatus.APPROVED):
            s.add(
                LeaveRequest(
                    employee_id=employee.id,
                    leave_type_id=kind.id,
                    start_date=date(2026, 5, 4),
                    end_date=date(2026, 5, 4),
                    working_days=Decimal(1),
                    status=status,
                )
            )
        for i in range(3):
            s.add(
                Punch(
                    device_id=device.id, device_user_id="1", source=PunchSource.DEVICE, instant=now - timedelta(hours=i)
                )
            )
        for status in (OutboxStatus.PENDING, OutboxStatus.DEAD, OutboxStatus.DEAD, OutboxStatus.SENT):
            s.add(OutboxMessage(chat_id=1, payload={"text": "hi"}, status=status))
    samples = _samples((await client.get("/metrics", headers=admin)).text)
    assert samples[("chronos_metrics_database_up", ())] == 1
    assert samples[("chronos_leave_requests", (("status", "pending"),))] == 2
    assert samples[("chronos_leave_requests", (("status", "approved"),))] == 1
    assert samples[("chronos_leave_requests", (("status", "rejected"),))] == 0
    assert samples[("chronos_punches_ingested_total", ())] == 3
    assert samples[("chronos_outbox_backlog", (("status", "pending"),))] == 1
    assert samples[("chronos_outbox_backlog", (("status", "dead"),))] == 2
    age = samples[("chronos_device_last_sync_age_seconds", (("device", "Front"),))]
    assert 85 <= age < 200
    assert ("chronos_device_last_sync_age_seconds", (("device", "Never"),)) not in samples


async def test_database_numbers_are_cached_between_scrapes(db: Database, settings, admin):
    app = create_app(settings, db, create_redis(""), metrics_cache_seconds=60)
    async with _client(app) as client:
        first = _samples((await client.get("/metrics", headers=admin)).text)
        async with db.transaction() as s:
            s.add(Punch(device_user_id="1", source=PunchSource.API, instant=datetime.now(UTC)))
        second = _samples((await client.get("/metrics", headers=admin)).text)
    assert first[("chronos_punches_ingested_total", ())] == second[("chronos_punches_ingested_total", ())] == 0


async def test_each_app_has_its_own_registry(db: Database, settings, client, admin):
    await client.get("/health/live")
    other = create_app(settings, db, create_redis(""))
    async with _client(other) as other_client:
        samples = _samples((await other_client.get("/metrics", headers=admin)).text)
    live = (("method", "GET"), ("route", "/health/live"), ("status", "200"))
    assert ("chronos_http_requests_total", live) not in samples


async def test_the_scheduler_is_measured_from_its_job_runs_devices_and_outbox(client, db: Database, admin):
    from shared.domain.enums import JobStatus
    from shared.model import JobRun

    now = datetime.now(UTC)
    async with db.transaction() as s:
        hq = Device(name="HQ", host="10.0.0.1", last_success_at=now - timedelta(seconds=300))
        s.add_all([hq, Device(name="Depot", host="10.0.0.2", created_at=now - timedelta(hours=1))])
        await s.flush()
        s.add_all(Punch(device_id=hq.id, device_user_id="1", source=PunchSource.DEVICE, instant=now - timedelta(minutes=i))
                  for i in range(4))  # fmt: skip
        runs = [
            ("sync_devices", JobStatus.SUCCESS, 3, now - timedelta(hours=2)),
            ("sync_devices", JobStatus.SUCCESS, 5, now - timedelta(minutes=10)),
            ("sync_devices", JobStatus.FAILED, 1, now - timedelta(minutes=5)),
            ("hr_digest", JobStatus.PARTIAL, 2, now - timedelta(hours=1)),
            ("hr_digest", JobStatus.SUCCESS, 9, now - timedelta(days=3)),  # outside the 24 h of durations
        ]
        for job, status, seconds, started in runs:
            s.add(JobRun(job=job, status=status, started_at=started, finished_at=started + timedelta(seconds=seconds)))
        s.add(OutboxMessage(chat_id=1, payload={"text": "old"}, status=OutboxStatus.PENDING,
                            created_at=now - timedelta(seconds=120)))  # fmt: skip
    samples = _samples((await client.get("/metrics", headers=admin)).text)
    job = lambda name: (("job", name),)  # noqa: E731
    assert samples[("chronos_job_runs_total", (("job", "sync_devices"), ("status", "success")))] == 2
    assert samples[("chronos_job_runs_total", (("job", "sync_devices"), ("status", "failed")))] == 1
    assert samples[("chronos_job_runs_total", (("job", "hr_digest"), ("status", "partial")))] == 1
    assert samples[("chronos_job_duration_seconds_count", job("sync_devices"))] == 3
    assert samples[("chronos_job_duration_seconds_sum", job("sync_devices"))] == 9
    assert samples[("chronos_job_duration_seconds_count", job("hr_digest"))] == 1
    assert samples[("chronos_job_last_duration_seconds", job("sync_devices"))] == 1
    last_ok = samples[("chronos_job_last_success_timestamp_seconds", job("sync_devices"))]
    assert abs(last_ok - (now - timedelta(minutes=10) + timedelta(seconds=5)).timestamp()) < 2
    assert 290 <= samples[("chronos_device_sync_lag_seconds", (("device", "HQ"),))] < 400
    assert 3590 <= samples[("chronos_device_sync_lag_seconds", (("device", "Depot"),))] < 3700
    assert samples[("chronos_device_punches_total", (("device", "HQ"),))] == 4
    assert 115 <= samples[("chronos_outbox_oldest_pending_age_seconds", ())] < 200


async def test_with_nothing_waiting_the_oldest_pending_age_is_zero(client, admin):
    samples = _samples((await client.get("/metrics", headers=admin)).text)
    assert samples[("chronos_outbox_oldest_pending_age_seconds", ())] == 0


async def test_the_grafana_dashboard_uses_only_metrics_the_api_exposes(client, db: Database, admin):
    import json
    import re
    from pathlib import Path

    from shared.domain.enums import JobStatus
    from shared.model import JobRun

    now = datetime.now(UTC)
    async with db.transaction() as s:
        device = Device(name="HQ", host="10.0.0.1", last_success_at=now)
        s.add(device)
        await s.flush()
        s.add(Punch(device_id=device.id, device_user_id="1", source=PunchSource.DEVICE, instant=now))
        s.add(JobRun(job="sync_devices", status=JobStatus.SUCCESS, started_at=now, finished_at=now))
    await client.get("/api/v1/employees", headers=admin)  # the HTTP series appear with the first request
    exposed = {name for name, _labels in _samples((await client.get("/metrics", headers=admin)).text)}
    dashboard = json.loads((Path(__file__).parents[3] / "deploy" / "grafana" / "chronos.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    used = {name for expr in exprs for name in re.findall(r"chronos_[a-z_]+", expr)}
    assert used and used <= exposed, used - exposed
    assert {"chronos_job_runs_total", "chronos_job_last_success_timestamp_seconds", "chronos_device_sync_lag_seconds",
            "chronos_device_punches_total", "chronos_outbox_oldest_pending_age_seconds"} <= used  # fmt: skip
