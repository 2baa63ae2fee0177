"""Employer users sign up and sign in here; staff sign in here too (accounts by command)."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from services.employer.adapters.repository import EmployerStore
from services.employer.api.deps import StoreDep
from shared.api.auth import LOGIN_ERRORS, Authenticate, Token, token_for
from shared.api.security import Tokens
from shared.auth import Principal, Role
from shared.auth.accounts import Account, Accounts, Credentials, Password

router = APIRouter(prefix="/auth", tags=["auth"])


class SignUp(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    password: str = Password
    display_name: str = Field(min_length=1, max_length=100, examples=["李娜（人事部）"])


@router.post(
    "/register", status_code=status.HTTP_201_CREATED, responses={409: {"description": "e-mail taken"}}
)
async def register(sign_up: SignUp, store: StoreDep) -> Account:
    """Sign up as an employer user; then register your organisation with ``POST /organisations``."""
    document = Accounts.document(sign_up.email, sign_up.password, Role.EMPLOYER, sign_up.display_name)
    return await store.accounts.insert(document)


@router.post("/login", responses=LOGIN_ERRORS)
async def login(credentials: Credentials, store: StoreDep, tokens: Tokens, sign_in: Authenticate) -> Token:
    """Sign in; after repeated failures for this account or from this address, wait (429)."""
    account = await sign_in(store.accounts, credentials)
    return token_for(tokens, await principal_of(account, store))


async def principal_of(account: Account, store: EmployerStore) -> Principal:
    organisation = await store.organisation_of(account.id) if account.role is Role.EMPLOYER else None
    return Principal(
        account_id=account.id, role=account.role, organisation_id=organisation.id if organisation else None
    )
