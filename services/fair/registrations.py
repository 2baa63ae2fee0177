"""Registration rules that touch the store: booth capacity, the waitlist, eligibility, check-in.

Capacity decisions of one fair take turns under its lock (one replica per service on
FerretDB, as everywhere in this project), so two approvals cannot both take the last booth.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from services.fair.adapters.repository import FairStore
from services.fair.domain.model import EmployerPlan, Fair, Registration, SeekerPlan, check_vacancies, refusal
from services.fair.schedules import cancel_seeker, release_employer
from shared.errors import Conflict, Forbidden, InvalidField
from shared.events import catalogue as c

Status = c.RegistrationStatus
EMPLOYER, SEEKER = c.ParticipantKind.EMPLOYER, c.ParticipantKind.SEEKER


async def register_employer(
    store: FairStore,
    fair: Fair,
    employer_id: UUID,
    vacancy_ids: list[UUID],
    now: datetime,
    plan: EmployerPlan | None = None,
) -> Registration:
    fair.ensure_registration_open(now)
    if plan is not None and plan.hours is not None and not any(fair.slots_within([plan.hours])):
        raise InvalidField(["body", "plan", "hours"], "these hours hold no whole interview slot of the fair")
    employer = await store["employers"].find_one({"_id": str(employer_id)})
    if employer is None or not employer.get("approved"):
        raise Forbidden("your organisation is not approved by the talent centre yet")
    own_open = {
        UUID(d["_id"])
        async for d in store["vacancies"].find({"employer_id": str(employer_id), "open": True}, {"_id": 1})
    }
    check_vacancies(vacancy_ids, own_open)
    registration = Registration.new(
        fair.id, EMPLOYER, employer_id, now, vacancy_ids=vacancy_ids, employer_plan=plan
    )
    await store.add_registration(registration)
    return registration


async def register_seeker(
    store: FairStore,
    fair: Fair,
    seeker_id: UUID,
    now: datetime,
    *,
    walk_in: bool = False,
    plan: SeekerPlan | None = None,
) -> Registration:
    if walk_in:
        fair.ensure_active()
    else:
        fair.ensure_registration_open(now)
    profile = await store["seekers"].find_one({"_id": str(seeker_id)})
    if profile is None:
        raise Conflict("the seeker's profile has not reached the fair service yet: try again in a moment")
    reason = refusal(fair.eligibility, profile.get("graduation_years", []), fair.starts_at.date())
    if reason is not None:
        raise Forbidden(f"not eligible for {fair.title}: {reason}")
    if plan is not None and plan.availability and not any(fair.slots_within(plan.availability)):
        raise InvalidField(["body", "availability"], "these windows hold no whole interview slot of the fair")
    registration = Registration.new(fair.id, SEEKER, seeker_id, now, walk_in=walk_in, seeker_plan=plan)
    if walk_in:  # a walk-in is at the venue: registered and checked in at once
        registration = registration.model_copy(update={"checked_in_at": now})
    await store.add_registration(registration)
    return registration


async def approve_employer(
    store: FairStore, fair: Fair, registration_id: UUID, now: datetime
) -> Registration:
    """Approve into a booth, or onto the waitlist when every booth is taken."""
    fair.ensure_active()
    async with store.lock("capacity", fair.id):
        registration = await store.registration(fair.id, registration_id)
        if registration.participant_kind != EMPLOYER:
            raise InvalidField(["path", "registration_id"], "only employer registrations need approval")
        if registration.status != Status.REGISTERED:
            raise Conflict(f"this registration is {registration.status.value}, not awaiting approval")
        taken = await store.count_registrations(fair.id, EMPLOYER, Status.APPROVED)
        if taken < fair.booth_capacity:
            update: dict[str, object] = {"status": Status.APPROVED}
        else:
            turn = await store.waitlist_length(fair.id) + 1
            update = {"status": Status.WAITLISTED, "queued_at": now, "queue_position": turn}
        return await store.set_registration(registration.model_copy(update=update), Status.REGISTERED)


async def withdraw(store: FairStore, fair: Fair, registration: Registration, now: datetime) -> Registration:
    """Withdraw; a booth given up goes to the first employer on the waitlist. After the
    schedule is out, the interviews are cancelled (an employer's seekers are rebooked)."""
    if registration.status == Status.WITHDRAWN:
        raise Conflict("this registration is already withdrawn")
    async with store.lock("capacity", fair.id):
        withdrawn = await store.set_registration(
            registration.model_copy(update={"status": Status.WITHDRAWN}), registration.status
        )
        if registration.status == Status.APPROVED:
            await _move_up(store, fair)
    if fair.schedule_version:
        async with store.lock("schedule", fair.id):
            fair = await store.fair(fair.id)
            if registration.participant_kind == EMPLOYER:
                reason = f"employer {registration.participant_id} withdrew"
                await release_employer(store, fair, registration.participant_id, now, reason)
            else:
                await cancel_seeker(store, fair, registration.participant_id, "the seeker withdrew")
    return withdrawn


async def change_capacity(store: FairStore, fair: Fair, booths: int) -> Fair:
    fair.ensure_active()
    if booths > fair.venue.booth_count:
        raise InvalidField(["body", "booths"], f"the venue has {fair.venue.booth_count} booths")
    async with store.lock("capacity", fair.id):
        taken = await store.count_registrations(fair.id, EMPLOYER, Status.APPROVED)
        if booths < taken:
            raise Conflict(
                f"{taken} employers are approved already; withdraw some before reducing to {booths}"
            )
        changed = await store.change_fair(fair, {"booth_capacity": booths})
        await _move_up(store, changed)
    return changed


async def _move_up(store: FairStore, fair: Fair) -> None:
    """Approve waiting employers, first come first served, while booths are free."""
    taken = await store.count_registrations(fair.id, EMPLOYER, Status.APPROVED)
    waiting = await store.registrations(fair.id, EMPLOYER, Status.WAITLISTED)
    for registration in waiting[: max(0, fair.booth_capacity - taken)]:
        await store.set_registration(
            registration.model_copy(update={"status": Status.APPROVED}), Status.WAITLISTED
        )


async def check_in(store: FairStore, fair: Fair, code: str, now: datetime) -> tuple[Registration, bool]:
    """Check the holder of ``code`` in; returns the registration and whether it already was."""
    fair.ensure_active()
    registration = await store.by_code(code)
    if registration.fair_id != fair.id:
        raise Conflict("this code is for another fair")
    if registration.status == Status.WITHDRAWN:
        raise Conflict("this registration was withdrawn")
    if registration.checked_in_at is None:
        checked = await store.check_in(registration, now)
        if checked is not None:
            return checked, False
        registration = await store.by_code(code)
    return registration, True
