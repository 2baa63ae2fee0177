"""The read side: what an employer sees of candidates, applicants and invitations.

A seeker's contact details are shown only where the seeker shared them: by applying
to the vacancy, or by accepting the employer's invitation.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

from pydantic import AwareDatetime, BaseModel

from services.employer.adapters.repository import EmployerStore
from services.employer.domain.model import Invitation, InvitationStatus, Vacancy
from shared.api.pagination import Page, PageQuery, paged
from shared.events import catalogue as c
from shared.store.mongo import Document, from_document

# Matching caps how many seekers one vacancy is matched with; this bounds one read.
MAX_CANDIDATES = 2_000


class ContactSource(StrEnum):
    APPLIED = "applied"
    ACCEPTED_INVITATION = "accepted_invitation"


class Profile(BaseModel):
    seeker_id: UUID
    display_name: str
    education: list[c.Education] = []
    experience_years: int = 0
    skills: list[str] = []
    desired_roles: list[str] = []
    talent_category: c.TalentCategory | None = None
    languages: list[str] = []
    summary: str = ""


class Candidate(Profile):
    score: float
    rank: int
    model_version: str
    reasons: list[c.MatchReason]
    baseline: float | None = None
    """The score's logit before any reason (None for matches published before it was told)."""
    invitation: InvitationStatus | None = None
    contact: c.ContactDetails | None = None
    contact_source: ContactSource | None = None


class Applicant(BaseModel):
    application_id: UUID
    seeker_id: UUID
    cover_letter: str
    applied_at: AwareDatetime
    contact: c.ContactDetails
    profile: Profile | None = None


class InvitationView(Invitation):
    contact: c.ContactDetails | None = None


def _profile(document: Document) -> Profile:
    return Profile.model_validate({**document, "seeker_id": document["_id"]})


async def _shared_contacts(
    store: EmployerStore, vacancy_id: UUID
) -> dict[str, tuple[Document, ContactSource]]:
    shared: dict[str, tuple[Document, ContactSource]] = {}
    async for invitation in store["invitations"].find(
        {"vacancy_id": str(vacancy_id), "status": InvitationStatus.ACCEPTED.value, "contact": {"$ne": None}}
    ):
        shared[invitation["seeker_id"]] = (invitation["contact"], ContactSource.ACCEPTED_INVITATION)
    async for application in store["applications"].find({"vacancy_id": str(vacancy_id)}):
        shared[application["seeker_id"]] = (application["contact"], ContactSource.APPLIED)
    return shared


async def candidates(store: EmployerStore, vacancy: Vacancy, paging: PageQuery) -> Page[Candidate]:
    """Matched seekers who allow matching, best first, with the reasons the matcher gave."""
    matches = (
        await store["candidates"]
        .find({"vacancy_id": str(vacancy.id)})
        .sort([("score", -1), ("_id", 1)])
        .limit(MAX_CANDIDATES)
        .to_list()
    )
    seeker_ids = [match["seeker_id"] for match in matches]
    profiles = {
        document["_id"]: document
        async for document in store["seekers"].find(
            {"_id": {"$in": seeker_ids}, "consent.allow_matching": True}
        )
    }
    invitations = {
        document["seeker_id"]: document["status"]
        async for document in store["invitations"].find({"vacancy_id": str(vacancy.id)})
    }
    contacts = await _shared_contacts(store, vacancy.id)
    visible = [match for match in matches if match["seeker_id"] in profiles]
    items = []
    for match in visible[paging.offset : paging.offset + paging.limit]:
        seeker_id = match["seeker_id"]
        contact, source = contacts.get(seeker_id, (None, None))
        items.append(
            Candidate.model_validate(
                {
                    **_profile(profiles[seeker_id]).model_dump(),
                    **{key: match[key] for key in ("score", "rank", "model_version", "reasons")},
                    "baseline": match.get("baseline"),
                    "invitation": invitations.get(seeker_id),
                    "contact": contact,
                    "contact_source": source,
                }
            )
        )
    return Page[Candidate](items=items, total=len(visible), **paging.model_dump())


async def applicants(store: EmployerStore, vacancy: Vacancy, paging: PageQuery) -> Page[Applicant]:
    page = await paged(
        store["applications"],
        {"vacancy_id": str(vacancy.id)},
        paging,
        lambda document: document,
        sort=[("applied_at", -1)],
    )
    profiles = {
        document["_id"]: _profile(document)
        async for document in store["seekers"].find({"_id": {"$in": [a["seeker_id"] for a in page.items]}})
    }
    items = [
        Applicant.model_validate(
            {
                **application,
                "application_id": application["_id"],
                "profile": profiles.get(application["seeker_id"]),
            }
        )
        for application in page.items
    ]
    return Page[Applicant](items=items, total=page.total, offset=page.offset, limit=page.limit)


async def invitations(
    store: EmployerStore,
    employer_id: UUID,
    paging: PageQuery,
    status: InvitationStatus | None,
    vacancy_id: UUID | None,
) -> Page[InvitationView]:
    query = {
        "employer_id": str(employer_id),
        **({"status": status.value} if status else {}),
        **({"vacancy_id": str(vacancy_id)} if vacancy_id else {}),
    }
    return await paged(
        store["invitations"],
        query,
        paging,
        lambda d: InvitationView.model_validate(from_document(d)),
        sort=[("sent_at", -1)],
    )
