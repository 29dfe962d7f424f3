"""Signed-in operators for tests: the services refuse every action to a desk nobody signed in to.

A cheap argon2id (1 pass, 1 MiB) keeps the suite fast; the desk itself uses argon2-cffi's defaults.
"""

from __future__ import annotations

import asyncio
from typing import Any

from argon2 import PasswordHasher

from desk.auth import Operator, Role

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "test-password-2024"


async def add_user(runtime: Any, username: str, role: Role, password: str = PASSWORD) -> None:
    """Create `username` with `role` (through the writer, audited as created by "test")."""
    runtime.auth.hasher = FAST_HASHER
    if await asyncio.to_thread(runtime.store.user, username) is None:
        await runtime.ingest.write(
            "create_user", username, username, role.value, FAST_HASHER.hash(password), "test",
            must_change_password=False,
        )  # fmt: skip


async def sign_in(runtime: Any, username: str = "lead", role: Role = Role.LEAD) -> Operator:
    """`username` (created with `role` if new) signed in at the runtime's desk."""
    await add_user(runtime, username, role)
    op: Operator = await runtime.auth.sign_in(username, PASSWORD)
    return op
