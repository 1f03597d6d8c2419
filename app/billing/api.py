"""/api/v1: settlement statements (M.27, P.4), their process, the Excel export, DR marks (P.5)."""
from __future__ import annotations

from flask import send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from app import clock
from app.auth import current_actor
from app.billing import export, process, service
from app.billing import schemas as s
from app.extensions import db

bp = Blueprint("billing_api", __name__, url_prefix="/api/v1", description="Settlement (M.27, P.4, P.5)")
TAGS = ["settlements"]


@bp.route("/settlement-statements")
class Statements(MethodView):
    @bp.doc(tags=TAGS)
    @bp.arguments(s.StatementQuerySchema, location="query")
    @bp.response(200, s.StatementPageSchema)
    def get(self, query):
        """Statements I may see: city roles all, a district's bodies their district's, a unit outside
        the budget its own, a vendor the bills for its services."""
        return service.list_statements(db.session, current_actor(), **query)


@bp.route("/settlement-statements/<int:statement_id>")
class StatementById(MethodView):
    @bp.doc(tags=TAGS)
    @bp.response(200, s.StatementSchema)
    def get(self, statement_id: int):
        """A statement with its lines and their evidence (item, price source, quantity, price, coefficient)."""
        return service.get_statement(db.session, current_actor(), statement_id)

    @bp.doc(tags=TAGS)
    @bp.arguments(s.StatementPatchSchema)
    @bp.response(200, s.StatementSchema)
    def patch(self, body, statement_id: int):
        """bdc annotates an open statement; a confirmed one answers 409."""
        statement = service.update_note(db.session, current_actor(), statement_id, body["note"])
        db.session.commit()
        return statement


@bp.route("/settlement-statements/<int:statement_id>/recompute")
class StatementRecompute(MethodView):
    @bp.doc(tags=TAGS)
    @bp.response(200, s.StatementListSchema)
    def post(self, statement_id: int):
        """Recompute a returned draft (and its siblings of the same settlement) from current usage."""
        created = process.recompute(db.session, current_actor(), statement_id, now=clock.now())
        db.session.commit()
        return {"items": created}


@bp.route("/settlement-statements/<int:statement_id>/corrections")
class StatementCorrections(MethodView):
    @bp.doc(tags=TAGS)
    @bp.response(201, s.ProcessStartedSchema)
    def post(self, statement_id: int):
        """Correct a confirmed statement: a new statement referencing it goes through review again."""
        instance = process.start_correction(db.session, current_actor(), statement_id)
        db.session.commit()
        return instance


@bp.route("/settlements")
class Settlements(MethodView):
    @bp.doc(tags=TAGS)
    @bp.arguments(s.SettlementStartSchema)
    @bp.response(201, s.ProcessStartedSchema)
    def post(self, body):
        """bdc drafts a tenant's month (or the tiered true-up of a year) and starts its review."""
        instance = process.start(db.session, current_actor(), tenant_id=body["tenant"], period=body["period"],
                                 kind=body["kind"])
        db.session.commit()
        return instance


@bp.route("/settlement-exports", methods=["GET"], endpoint="SettlementExport")
@bp.doc(tags=TAGS, responses={"200": {"content": {export.MIME: {"schema": {"type": "string", "format": "binary"}}}}})
@bp.arguments(s.ExportQuerySchema, location="query")
def export_statements(query):
    """The statements of a period I may see as Excel: a summary sheet and one sheet per district."""
    data, filename = export.workbook_for(db.session, current_actor(), query["period"])
    return send_file(data, mimetype=export.MIME, as_attachment=True, download_name=filename)


@bp.route("/dr-fundings/<int:allocation_id>")
class DrFundingByAllocation(MethodView):
    @bp.doc(tags=TAGS)
    @bp.arguments(s.DrFundingSchema)
    @bp.response(200, s.DrFundingOutSchema)
    def put(self, body, allocation_id: int):
        """P.5: mark a DR resource shared (city-funded) or exclusive (district-funded); null clears."""
        mark = service.mark_dr(db.session, current_actor(), allocation_id, body["funding"])
        db.session.commit()
        return {"allocation_id": allocation_id, "funding": mark.funding if mark else None}
