"""The audit log and job runs, filtered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.domain.enums import JobStatus
from shared.model import AuditLog, JobRun
from shared.persistence import Database

V1 = "/api/v1"
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


async def test_audit_entries_are_filtered_by_actor_entity_id_and_time(client, admin, db: Database):
    async with db.transaction() as s:
        for i, (actor, entity, entity_id) in enumerate(
            [("token:a", "employee", "1"), ("token:a", "employee", "2"), ("token:b", "department", "1")]
        ):
            s.add(
                AuditLog(actor=actor, action="update", entity=entity, entity_id=entity_id, at=T0 + timedelta(hours=i))
            )

    async def ids(**params) -> list[tuple[str, str]]:
        response = await client.get(f"{V1}/audit-logs", params=params, headers=admin)
        assert response.status_code == 200, response.text
        return [(e["entity"], e["entity_id"]) for e in response.json()["items"] if e["actor"].startswith("token:")]

    assert await ids(actor="token:a") == [("employee", "2"), ("employee", "1")]
    assert await ids(entity="employee", entity_id="1") == [("employee", "1")]
    assert await ids(since="2026-03-01T13:00:00Z") == [("department", "1"), ("employee", "2")]
    assert await ids(since="2026-03-01T14:00:00+01:00", until="2026-03-01T14:00:00") == [("employee", "2")]
    assert await ids(since="2000-01-01T00:00:00", until="2100-12-31T23:00:00") != []
    outside = await client.get(f"{V1}/audit-logs", params={"since": "0001-01-01T00:00:00+05:00"}, headers=admin)
    assert outside.status_code == 422 and outside.json()["error"]["details"][0]["field"] == "since"
    one = (await client.get(f"{V1}/audit-logs", params={"actor": "token:b"}, headers=admin)).json()["items"][0]
    assert (await client.get(f"{V1}/audit-logs/{one['id']}", headers=admin)).json()["entity"] == "department"


async def test_job_runs_are_filtered_by_job_and_status(client, admin, db: Database):
    async with db.transaction() as s:
        s.add_all(
            [
                JobRun(job="device_sync", started_at=T0, status=JobStatus.SUCCESS, counts={"punches": 12}),
                JobRun(
                    job="device_sync", started_at=T0 + timedelta(minutes=5), status=JobStatus.FAILED, error="timeout"
                ),
                JobRun(job="digest", started_at=T0, status=JobStatus.SUCCESS),
            ]
        )
    sync = (await client.get(f"{V1}/job-runs", params={"job": "device_sync"}, headers=admin)).json()
    assert sync["total"] == 2 and [r["status"] for r in sync["items"]] == ["failed", "success"]
    failed = (await client.get(f"{V1}/job-runs", params={"status": "failed"}, headers=admin)).json()
    assert failed["items"][0]["error"] == "timeout"
    run = sync["items"][1]
    assert (await client.get(f"{V1}/job-runs/{run['id']}", headers=admin)).json()["counts"] == {"punches": 12}
    assert (await client.get(f"{V1}/job-runs", params={"status": "bogus"}, headers=admin)).status_code == 422
