"""Calendar fixtures: the tables exist, the cache starts empty, and ``cal`` is the seeded calendar."""
from __future__ import annotations

import pytest

from app.calendar import service as calendar_service
from app.calendar.models import CalendarDay, CalendarYear


@pytest.fixture(autouse=True)
def calendar_tables(db):
    # Until app.calendar.models is imported centrally, make sure the tables exist (checkfirst).
    db.metadata.create_all(db.engine, tables=[CalendarDay.__table__, CalendarYear.__table__])
    calendar_service.invalidate()
    yield
    db.session.rollback()
    calendar_service.invalidate()


@pytest.fixture()
def seeded(db):
    calendar_service.seed_from_package(db.session)
    db.session.commit()
    return db.session


@pytest.fixture()
def cal(seeded):
    return calendar_service.calendar(seeded)
