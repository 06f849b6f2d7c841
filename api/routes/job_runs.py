"""Scheduler job runs: start, end, status, counts and error of every run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api import queries
from api.deps import DatabaseDep, IdPath, NameQuery, PageDep
from api.schemas.common import ERRORS, Page
from api.schemas.system import JobRunOut
from shared.domain.enums import JobStatus

router = APIRouter(prefix="/job-runs", tags=["job runs"], responses=ERRORS)


@router.get("", summary="List job runs, newest first")
async def list_job_runs(
    db: DatabaseDep,
    page: PageDep,
    job: NameQuery = None,
    run_status: Annotated[JobStatus | None, Query(alias="status")] = None,
) -> Page[JobRunOut]:
    async with db.session() as session:
        found = await queries.list_job_runs(session, limit=page.limit, offset=page.offset, job=job, status=run_status)
        return Page[JobRunOut].of(found)


@router.get("/{run_id}", summary="Read a job run")
async def get_job_run(run_id: IdPath, db: DatabaseDep) -> JobRunOut:
    async with db.session() as session:
        return JobRunOut.model_validate(await queries.get_job_run(session, run_id=run_id))
