"""Tenant isolation is one mechanism: the scoped helpers plus a guard that refuses bypasses."""
import pytest
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from app.errors import Forbidden, NotFound
from app.extensions import db as _db
from app.security import SYSTEM, TenantScoped, UnscopedQueryError, all_tenants, get_visible, scoped
from tests import builders


class Widget(TenantScoped, _db.Model):
    """A stand-in tenant-owned model, as every domain model will be."""

    __tablename__ = "test_widget"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    owner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))


@pytest.fixture()
def widgets(db):
    Widget.__table__.create(db.engine, checkfirst=True)
    rows = [Widget(name="hp", tenant_id="huangpu"), Widget(name="xh", tenant_id="xuhui"),
            Widget(name="city", tenant_id="city")]
    db.session.add_all(rows)
    db.session.commit()
    return {w.name: w.id for w in rows}


def test_system_query_marked_all_tenants_is_allowed(widgets, db):
    assert len(db.session.scalars(all_tenants(select(Widget))).all()) == 3


def test_unscoped_query_of_tenant_model_is_refused(widgets, db):
    db.session.expunge_all()
    with pytest.raises(UnscopedQueryError):
        db.session.scalars(select(Widget)).all()
    with pytest.raises(UnscopedQueryError):
        db.session.get(Widget, widgets["xh"])


def test_district_user_sees_only_own_district(widgets, db):
    actor = builders.actor(builders.user(roles="district.operator", tenant="huangpu"))
    names = {w.name for w in db.session.scalars(scoped(actor, Widget))}
    assert names == {"hp"}


def test_city_role_sees_all_districts(widgets, db):
    actor = builders.actor(builders.user(roles="bdc"))
    assert {w.name for w in db.session.scalars(scoped(actor, Widget))} == {"hp", "xh", "city"}
    assert {w.name for w in db.session.scalars(scoped(SYSTEM, Widget))} == {"hp", "xh", "city"}


def test_other_district_object_is_404_own_without_role_is_403(widgets, db):
    actor = builders.actor(builders.user(roles="unit", tenant="huangpu"))
    with pytest.raises(NotFound):
        get_visible(db.session, actor, Widget, widgets["xh"])
    assert get_visible(db.session, actor, Widget, widgets["hp"]).name == "hp"
    with pytest.raises(Forbidden):
        get_visible(db.session, actor, Widget, widgets["hp"], roles={"district.operator"})


def test_city_unit_does_not_see_districts(widgets, db):
    actor = builders.actor(builders.user(roles="unit", tenant="city"))
    assert {w.name for w in db.session.scalars(scoped(actor, Widget))} == {"city"}
