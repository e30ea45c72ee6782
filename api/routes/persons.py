"""People across terms and committees (``api/verbs/persons.py``): the people the records of
the caller's scope are, the records that may be one person, and linking or separating them
(an editor's write, audited, within the scope)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from liaison_graph.api.answers import PersonMatchesOut, PersonsOut
from liaison_graph.api.days import day_of
from liaison_graph.api.errors import ASKED, SCOPED, WRITTEN, fails
from liaison_graph.api.params import AsOf, CommitteeQ
from liaison_graph.api.schemas import WriteOut
from liaison_graph.api.service import CallerDep, EditorDep, ServiceDep
from liaison_graph.api.verbs import persons as verbs

router = APIRouter(tags=["persons"])
READ = fails(ASKED, SCOPED)
WRITE = fails(ASKED, SCOPED, WRITTEN)


class PersonsIn(BaseModel):
    member_ids: list[str] = Field(min_length=2, max_length=50, description="委员记录的编号（或范围内不重名的姓名）")


@router.get("/persons", response_model=PersonsOut, operation_id="list_persons", responses=READ, response_model_exclude_unset=True,
            summary="人员：在任委员记录数与人数（一人多处任职只算一人），有多条委员记录的人员")
def persons(service: ServiceDep, caller: CallerDep, as_of: AsOf = None, committee_id: CommitteeQ = None) -> Any:
    return verbs.persons(service.store, caller.bounds, day_of(as_of), committee_id, lock=service.reading)


@router.get("/persons/matches", response_model=PersonMatchesOut, operation_id="list_person_matches", responses=READ,
            response_model_exclude_unset=True,
            summary="可能是同一人的委员记录（同名、同性别、同界别，同一政协或上下级政协）")
def matches(service: ServiceDep, caller: CallerDep, as_of: AsOf = None, committee_id: CommitteeQ = None) -> Any:
    return verbs.matches(service.store, caller.bounds, day_of(as_of), committee_id, lock=service.reading)


@router.post("/persons/link", response_model=WriteOut, operation_id="link_persons", responses=WRITE,
             summary="确认这些委员记录是同一人（写入同一个人员编号）")
def link(service: ServiceDep, caller: EditorDep, body: PersonsIn):
    return verbs.link(service.store, caller.bounds, body.member_ids, lock=service.lock)


@router.post("/persons/separate", response_model=WriteOut, operation_id="separate_persons", responses=WRITE,
             summary="确认这些委员记录不是同一人（各用自己的人员编号）")
def separate(service: ServiceDep, caller: EditorDep, body: PersonsIn):
    return verbs.separate(service.store, caller.bounds, body.member_ids, lock=service.lock)
