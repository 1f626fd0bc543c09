"""Accounts API: sign-up, sign-in for browsers, bearer tokens for programs, the profile."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from zizhu.accounts import mfa, pii, protection, selectors, services
from zizhu.accounts.audit import client_ip
from zizhu.accounts.auth import require_csrf, user_auth
from zizhu.accounts.models import User
from zizhu.accounts.roles import ROLES
from zizhu.core.api_errors import ErrorOut
from zizhu.core.errors import InvalidInput, NotAuthenticated

auth_router = Router(tags=["accounts"])
me_router = Router(tags=["accounts"], auth=user_auth)


class SignUpIn(Schema):
    login: str = Field(..., max_length=254, description="E-mail address or mainland mobile number")
    password: str = Field(..., max_length=128)
    display_name: str = Field("", max_length=60)


class CsrfOut(Schema):
    csrf_token: str


class CredentialsIn(Schema):
    login: str = Field(..., max_length=254)
    password: str = Field(..., max_length=128)


class ProfileOut(Schema):
    id: int
    email: str | None
    phone: str | None
    display_name: str
    language: str
    elder_mode: bool


class ProfileIn(Schema):
    display_name: str | None = Field(None, max_length=60)
    language: User.Language | None = None
    elder_mode: bool | None = None


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    login: str | None = Field(None, max_length=254, description="With password: create a token without a session")
    password: str | None = Field(None, max_length=128)
    otp_code: str | None = Field(
        None,
        max_length=20,
        description="With login and password: required when the account has a second factor "
        "(a code from the authenticator app, or a backup code)",
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(..., description="Shown once. Send as `Authorization: Bearer <token>`.")


def _credentials_error() -> InvalidInput:
    # The same answer whether the account exists or not.
    message = _("The account or password is not correct.")
    return InvalidInput(message, fields={"__all__": [message]}, code="invalid_credentials")


@auth_router.get("/csrf", response={200: CsrfOut})
def csrf(request: HttpRequest):
    """Sets the CSRF cookie and returns the token to send as `X-CSRFToken` on session requests."""
    return {"csrf_token": get_token(request)}


class PendingOut(Schema):
    code: str = Field(..., description="`confirmation_sent`: the same answer whether the login is new or not")
    message: str


class CodeIn(Schema):
    code: str = Field(..., max_length=12, description="The 6-digit code from the e-mail or SMS")


PENDING_SIGN_UP = "zizhu_pending_sign_up"


@auth_router.post("/signup", response={202: PendingOut, 422: ErrorOut, 429: ErrorOut})
def signup(request: HttpRequest, payload: SignUpIn):
    """Browser sign-up, step 1 (needs the CSRF token from GET /auth/csrf).

    Answers 202 for a new login and for one that already has an account alike: a code goes to a new
    login, a notice to an existing account's owner. Step 2 is POST /auth/signup/confirm.
    """
    require_csrf(request)
    with protection.equal_time("signup"):
        protection.guard(request, "signup", payload.login)
        pending = services.start_sign_up(
            login=payload.login,
            password=payload.password,
            display_name=payload.display_name,
            language=getattr(request, "LANGUAGE_CODE", "zh-hans"),
            ip=client_ip(request),
        )
        request.session[PENDING_SIGN_UP] = {"id": pending.pk, "next": ""}
    message = _("Check your e-mail or text messages to continue.")
    return Status(202, {"code": "confirmation_sent", "message": message})


@auth_router.post("/signup/confirm", response={201: ProfileOut, 422: ErrorOut, 429: ErrorOut})
def signup_confirm(request: HttpRequest, payload: CodeIn):
    """Sign-up, step 2: the code creates the account and signs the customer in."""
    require_csrf(request)
    pending = request.session.get(PENDING_SIGN_UP)
    if not pending:
        message = _("This code has expired or was already used. Ask for a new one.")
        raise InvalidInput(message, fields={"code": [message]}, code="code_expired")
    protection.guard(request, "otp.verify", f"signup:{pending['id']}")
    user = services.confirm_sign_up(pending_id=pending["id"], code=payload.code)
    request.session.pop(PENDING_SIGN_UP, None)
    login(request, user, backend="zizhu.accounts.backends.EmailOrPhoneBackend")
    return Status(201, user)


class SecondFactorOut(Schema):
    code: str = Field(..., description="`second_factor_required`")
    message: str
    methods: list[str] = Field(
        ...,
        description="Any of `passkey` (POST /auth/passkey/options, then /auth/passkey), `totp`, `message`, `backup`",
    )


class SecondFactorIn(Schema):
    method: str = Field(..., max_length=10, description="`totp`, `message` or `backup`")
    code: str = Field(..., max_length=20)


@auth_router.post("/signin", response={200: ProfileOut, 202: SecondFactorOut, 422: ErrorOut, 429: ErrorOut})
def signin(request: HttpRequest, payload: CredentialsIn):
    """Browser sign-in: starts a session with a new key (no fixation). Needs the CSRF token.

    An account with a second factor gets 202 `second_factor_required` and is **not** signed in:
    finish with POST /auth/signin/verify (a code by message first: POST /auth/signin/send-code).
    """
    require_csrf(request)
    with protection.equal_time("signin"):
        protection.guard(request, "signin", payload.login)
        user = authenticate(request, username=payload.login, password=payload.password)
        if user is None:
            raise _credentials_error()
        if mfa.has_second_factor(user):
            mfa.start_pending(request, user, backend=user.backend)
            message = _("Enter the code of your second sign-in step.")
            return Status(202, {"code": "second_factor_required", "message": message, "methods": mfa.all_methods(user)})
        login(request, user)
    return user


def _pending_or_error(request: HttpRequest) -> tuple[User, dict]:
    user, pending = mfa.pending_user(request)
    if user is None:
        raise NotAuthenticated(_("Please sign in again."), code="second_factor_expired")
    return user, pending


@auth_router.post("/signin/verify", response={200: ProfileOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def signin_verify(request: HttpRequest, payload: SecondFactorIn):
    """The second sign-in step: signs in with a new session key."""
    require_csrf(request)
    user, pending = _pending_or_error(request)
    mfa.verify(user=user, method=payload.method, code=payload.code, request=request)
    request.session.pop(mfa.PENDING, None)
    login(request, user, backend=pending["backend"])
    return user


@auth_router.post("/signin/send-code", response={202: PendingOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def signin_send_code(request: HttpRequest):
    """Send a sign-in code by e-mail or SMS (1 a minute, 5 an hour)."""
    require_csrf(request)
    user, _pending = _pending_or_error(request)
    mfa.send_code(user=user, request=request)
    return Status(202, {"code": "code_sent", "message": _("We sent you a code. It is valid for 5 minutes.")})


@auth_router.post("/signout", response={204: None})
def signout(request: HttpRequest):
    require_csrf(request)
    logout(request)
    return Status(204, None)


@auth_router.get("/tokens", response={200: list[TokenOut], 401: ErrorOut}, auth=user_auth)
def list_tokens(request: HttpRequest):
    return list(selectors.list_api_tokens(user=request.user))


@auth_router.post("/tokens", response={201: NewTokenOut, 401: ErrorOut, 422: ErrorOut})
def create_token(request: HttpRequest, payload: TokenIn):
    """Create a token, signed in (session) or by sending login and password."""
    user = request.user if request.user.is_authenticated else None
    if user is not None and not getattr(request, "api_token", None):
        require_csrf(request)
    if user is None:
        if not payload.login or not payload.password:
            raise NotAuthenticated()
        with protection.equal_time("signin"):
            protection.guard(request, "signin", payload.login)
            user = authenticate(request, username=payload.login, password=payload.password)
            if user is None:
                raise _credentials_error()
        if mfa.has_second_factor(user):
            # A password alone never gives a program a token for an account with a second factor.
            if not payload.otp_code:
                message = _("This account has a second sign-in step: send otp_code as well.")
                raise InvalidInput(message, fields={"otp_code": [message]}, code="second_factor_required")
            mfa.verify_any(user=user, code=payload.otp_code, request=request)
    token, raw = services.create_api_token(user=user, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@auth_router.delete("/tokens/{token_id}", response={204: None, 401: ErrorOut, 404: ErrorOut}, auth=user_auth)
def revoke_token(request: HttpRequest, token_id: int):
    services.revoke_api_token(user=request.user, token_id=token_id)
    return Status(204, None)


@me_router.get("", response={200: ProfileOut, 401: ErrorOut})
def me(request: HttpRequest):
    return request.user


@me_router.patch("", response={200: ProfileOut, 401: ErrorOut, 422: ErrorOut})
def update_me(request: HttpRequest, payload: ProfileIn):
    data = payload.dict(exclude_unset=True)
    language = data.get("language")
    return services.update_profile(
        user=request.user,
        display_name=data.get("display_name"),
        language=str(language.value if hasattr(language, "value") else language) if language else None,
        elder_mode=data.get("elder_mode"),
    )


# --- staff ----------------------------------------------------------------------------------------------
staff_router = Router(tags=["staff"], auth=user_auth)


class StaffPersonOut(Schema):
    id: int
    email: str | None = Field(None, description="Masked (a***@example.com) without the view_pii permission")
    phone: str | None = Field(None, description="Masked (138****8000) without the view_pii permission")
    display_name: str
    is_staff: bool
    is_active: bool
    roles: list[str]
    date_joined: datetime
    masked: bool


class RolesIn(Schema):
    roles: list[str] = Field(..., max_length=len(ROLES), description=f"Any of: {', '.join(ROLES)}")


@staff_router.get("/users", response={200: list[StaffPersonOut], 401: ErrorOut, 403: ErrorOut})
def staff_users(
    request: HttpRequest,
    q: str = Query("", max_length=254, description="Mobile number, e-mail address or part of a name"),
    limit: int = Query(50, ge=1, le=100),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    """People, for staff with `accounts.view_user`; unmasked views are audited."""
    users = list(selectors.users_for_staff(viewer=request.user, query=q)[offset : offset + limit])
    return pii.people_for_staff(viewer=request.user, users=users, request=request, channel="api list")


@staff_router.get("/users/{user_id}", response={200: StaffPersonOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def staff_user(request: HttpRequest, user_id: int = Path(..., ge=1, le=2**62)):
    user = selectors.user_for_staff(viewer=request.user, user_id=user_id)
    return pii.people_for_staff(viewer=request.user, users=[user], request=request, channel="api detail")[0]


@staff_router.put(
    "/users/{user_id}/roles", response={200: StaffPersonOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def staff_user_roles(request: HttpRequest, payload: RolesIn, user_id: int = Path(..., ge=1, le=2**62)):
    """Set a staff member's roles (needs `accounts.change_roles`; audited)."""
    services.set_staff_roles(actor=request.user, member_id=user_id, roles=payload.roles, request=request)
    user = selectors.user_for_staff(viewer=request.user, user_id=user_id)
    return pii.people_for_staff(viewer=request.user, users=[user], request=request, channel="api roles")[0]


# Routes defined in their own modules, registered on the routers above.
from zizhu.accounts import contact_api, passkey_api, privacy_api  # noqa: E402, F401
