"""Seed the fictional demo account through moto's backend objects (fast: no HTTP).

The same account every run (fixed random seed): users in every state IAM.5 cares about.
Dates are relative to now so that ages ("3d ago") read the same in every screenshot.
"""

from __future__ import annotations

import json
import random
import zlib
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from moto.iam.models import AccessKeyLastUsed, iam_backends

from mfa_tui.core.models import DEFAULT_POLICY_NAME
from mfa_tui.demo.identity import DEMO_ACCOUNT, DEMO_REGION
from mfa_tui.demo.org import seed_organization

FIRST = (
    "amelia", "aiko", "bruno", "chen", "dana", "elif", "farah", "gus", "hana", "ines", "jonas",
    "kai", "lena", "mateo", "nadia", "omar", "priya", "quinn", "rosa", "sven", "tariq", "uma",
    "vera", "wen", "xavi", "yusuf", "zoe",
)
LAST = (
    "abe", "berg", "costa", "diaz", "eriksen", "fischer", "garcia", "hoang", "ito", "jensen",
    "kowalski", "lind", "moreau", "nakamura", "okafor", "petrov", "quispe", "rossi", "sato",
    "tanaka", "urban", "vargas", "weber", "xu", "yilmaz", "zhou",
)

POLICY_NAME = DEFAULT_POLICY_NAME


def _enforce_policy_document() -> str:
    path = resources.files("mfa_tui.core.policies").joinpath("enforce-mfa.json")
    return path.read_text(encoding="utf-8")


class _Seeder:
    def __init__(self, backend: Any, now: datetime, account: str = DEMO_ACCOUNT) -> None:
        self.b = backend
        self.now = now
        self.account = account
        self.fido_count = 0

    def create_enforcement_policy(self) -> Any:
        """The enforcement policy, as mfa-tui creates it."""
        return self.b.create_policy(
            description="Deny everything but MFA set-up until the user signs in with MFA",
            path="/",
            policy_document=_enforce_policy_document(),
            policy_name=POLICY_NAME,
            tags=[],
        )

    def user(
        self,
        name: str,
        *,
        console: bool = False,
        last_login_days: int | None = None,
        devices: tuple[str, ...] = (),
        keys: int = 0,
        key_used_days: int | None = None,
        groups: tuple[str, ...] = (),
        enforced: bool = False,
        path: str = "/",
    ) -> None:
        b = self.b
        user = b.create_user(DEMO_REGION, name, path=path)
        if isinstance(user, tuple):  # moto < 5.1 also returns the tags
            user = user[0]
        if console:
            b.create_login_profile(name, "Demo-Password-1!")
            if last_login_days is not None:
                user.password_last_used = self.now - timedelta(days=last_login_days, hours=3)
        for kind in devices:
            if kind == "virtual":
                dev = b.create_virtual_mfa_device(name, "/")
                b.enable_mfa_device(name, dev.serial_number, "123456", "654321")
            elif kind == "fido":
                self.fido_count += 1
                serial = (
                    f"arn:aws:iam::{self.account}:u2f/user/{name}/yubikey-{self.fido_count:04d}"
                )
                b.enable_mfa_device(name, serial, "", "")
            else:  # hardware token: a bare serial number
                token = f"GAHT{zlib.crc32(name.encode()) % 10**8:08d}"
                b.enable_mfa_device(name, token, "123456", "654321")
        for i in range(keys):
            key = b.create_access_key(name)
            if key_used_days is not None and i == 0:
                key.last_used = AccessKeyLastUsed(
                    self.now - timedelta(days=key_used_days, hours=1), "iam", DEMO_REGION
                )
        for group in groups:
            b.add_user_to_group(group, name)
        if enforced:
            b.attach_user_policy(self.policy_arn, name)

    @property
    def policy_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:policy/{POLICY_NAME}"


def _named_users(s: _Seeder) -> int:
    """The hand-written cast: one user per state that matters. Returns how many."""
    cast: list[tuple[str, dict[str, Any]]] = [
        ("admin.breakglass", dict(console=True, last_login_days=200, devices=("hardware",),
                                  groups=("Admins",))),
        ("alice", dict(console=True, last_login_days=0, devices=("virtual",), keys=1,
                       key_used_days=2, groups=("Developers",))),
        ("bob", dict(console=True, last_login_days=12, groups=("Developers",))),
        ("carol", dict(devices=("virtual",), keys=1, key_used_days=1)),
        ("ci-deploy", dict(keys=1, key_used_days=0, path="/automation/")),
        ("backup-bot", dict(keys=2, key_used_days=400, path="/automation/")),
        ("dave", dict(console=True, last_login_days=30)),  # his device was deactivated below
        ("erin", dict(console=True, last_login_days=1, devices=("virtual", "fido"))),
        ("frank", dict(console=True, last_login_days=5, devices=("hardware",))),
        ("grace", dict(console=True, devices=(), groups=("Developers",))),  # never signed in
        ("heidi", dict(console=True, last_login_days=3, enforced=True)),
        ("ivan", dict(console=True, last_login_days=8, devices=("virtual",), enforced=True)),
        ("jane.doe@example.com", dict(console=True, last_login_days=2)),
        ("ops+oncall", dict(console=True, last_login_days=0, devices=("virtual",),
                            groups=("Admins",))),
        ("svc=report,eu", dict(keys=1, key_used_days=45, path="/automation/")),
        ("x_y-z.test", dict(console=True, last_login_days=90, groups=("ReadOnly",))),
    ]
    for name, kwargs in cast:
        s.user(name, **kwargs)
    # dave's phone was replaced: the device was deactivated and left unassigned behind him.
    dave_device = s.b.create_virtual_mfa_device("dave", "/")
    s.b.enable_mfa_device("dave", dave_device.serial_number, "123456", "654321")
    s.b.deactivate_mfa_device("dave", dave_device.serial_number)
    return len(cast)


def _filler_states(rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    login = rng.choice([0, 1, 2, 4, 9, 17, 33, 61, 120])
    if roll < 0.55:
        return dict(console=True, last_login_days=login, devices=("virtual",),
                    keys=rng.choice([0, 0, 1]), key_used_days=rng.choice([None, 3, 70, 200]))
    if roll < 0.75:
        return dict(console=True, last_login_days=rng.choice([None, login]),
                    keys=rng.choice([0, 1]), key_used_days=rng.choice([None, 6, 150]))
    if roll < 0.88:
        return dict(keys=rng.choice([1, 2]), key_used_days=rng.choice([None, 0, 14, 300]),
                    path="/automation/")
    if roll < 0.93:
        return dict(console=True, last_login_days=login, devices=("hardware",))
    return dict(devices=("virtual",), keys=1, key_used_days=rng.choice([None, 20]))


def seed_account(users: int = 60, *, seed: int = 2026) -> None:
    """Create the demo account's users, groups and policies inside the running moto."""
    backend = iam_backends[DEMO_ACCOUNT]["global"]
    now = datetime.now(UTC)
    backend.create_account_alias("example-corp-prod")
    for group in ("Admins", "Developers", "ReadOnly"):
        backend.create_group(group, "/")
    seeder = _Seeder(backend, now)
    policy = seeder.create_enforcement_policy()
    admin_doc = json.dumps(
        {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    )
    admin = backend.create_policy("Full access", "/", admin_doc, "DemoAdministratorAccess", [])
    backend.attach_group_policy(admin.arn, "Admins")
    backend.attach_group_policy(policy.arn, "Developers")

    seed_organization(now, _Seeder)
    count = _named_users(seeder)
    rng = random.Random(seed)
    taken: set[str] = set()
    serial = 0
    while count < users:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first}.{last}"
        if name in taken:
            serial += 1
            name = f"{first}.{last}{serial}"
        taken.add(name)
        state = _filler_states(rng)
        if rng.random() < 0.15:
            state["groups"] = (rng.choice(["Developers", "ReadOnly"]),)
        seeder.user(name, **state)
        count += 1
