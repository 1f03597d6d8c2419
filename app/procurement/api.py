"""/api/v1: solicitations (统采分签, P.4(1)–(4)), their aggregation and result; district contracts."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app import clock
from app.api import ErrorSchema
from app.auth import current_actor
from app.calendar.rules import local_date
from app.extensions import db
from app.procurement import contracts, results, rounds
from app.procurement import schemas as s

bp = Blueprint("procurement_api", __name__, url_prefix="/api/v1", description="统采分签: solicitations and contracts")
ROUNDS, CONTRACTS = ["solicitations"], ["contracts"]


@bp.route("/solicitations")
class Solicitations(MethodView):
    @bp.doc(tags=ROUNDS)
    @bp.arguments(s.ListQuerySchema, location="query")
    @bp.response(200, s.SolicitationPageSchema)
    def get(self, query):
        """Rounds I may see: every round for city roles, the rounds addressed to my district otherwise."""
        return rounds.list_solicitations(db.session, current_actor(), **query)

    @bp.doc(tags=ROUNDS)
    @bp.arguments(s.IssueSchema)
    @bp.response(201, s.SolicitationSchema)
    def post(self, body):
        """bdc issues a solicitation (P.4(1)); the reply deadline must meet the budget calendar (P.4(2))."""
        found = rounds.issue(db.session, current_actor(), now=clock.now(), **body)
        db.session.commit()
        return found


@bp.route("/solicitations/<int:solicitation_id>")
class SolicitationById(MethodView):
    @bp.doc(tags=ROUNDS)
    @bp.response(200, s.SolicitationSchema)
    def get(self, solicitation_id: int):
        """A round with its items and, once recorded, the result per item."""
        return rounds.get_solicitation(db.session, current_actor(), solicitation_id)


@bp.route("/solicitations/<int:solicitation_id>/aggregation")
class SolicitationAggregation(MethodView):
    @bp.doc(tags=ROUNDS)
    @bp.response(200, s.AggregationSchema)
    def get(self, solicitation_id: int):
        """Demand per item, per district and in total (P.4(3)); a district sees its own row."""
        return rounds.aggregation(db.session, current_actor(), solicitation_id)


@bp.route("/solicitations/<int:solicitation_id>/replies")
class SolicitationReplies(MethodView):
    @bp.doc(tags=ROUNDS)
    @bp.response(200, s.ReplyOutSchema(many=True))
    def get(self, solicitation_id: int):
        """The replies I may see (a district: its own)."""
        rounds.get_solicitation(db.session, current_actor(), solicitation_id)
        return rounds.replies(db.session, current_actor(), solicitation_id)

    @bp.doc(tags=ROUNDS)
    @bp.arguments(s.ReplySchema)
    @bp.response(201, s.ReplyOutSchema)
    def post(self, body, solicitation_id: int):
        """The district authority replies: demand per item, or decline (P.4(2)); 422 per line."""
        found = rounds.reply(db.session, current_actor(), solicitation_id, **body)
        db.session.commit()
        return found


@bp.route("/solicitations/<int:solicitation_id>/result")
class SolicitationResult(MethodView):
    @bp.doc(tags=ROUNDS)
    @bp.arguments(s.ProcurementResultSchema)
    @bp.response(200, s.SolicitationSchema)
    def put(self, body, solicitation_id: int):
        """The procurement centre records the result for every item (P.4(3)); it is then published."""
        found = results.record(db.session, current_actor(), solicitation_id, body["lines"])
        db.session.commit()
        return found


@bp.route("/contracts")
class Contracts(MethodView):
    @bp.doc(tags=CONTRACTS)
    @bp.arguments(s.ContractQuerySchema, location="query")
    @bp.response(200, s.ContractPageSchema)
    def get(self, query):
        """Contracts I may see: my district's, or all for city roles."""
        return contracts.list_contracts(db.session, current_actor(), **query)


@bp.route("/contracts/<int:contract_id>")
class ContractById(MethodView):
    @bp.doc(tags=CONTRACTS)
    @bp.response(200, s.ContractSchema)
    def get(self, contract_id: int):
        """A contract with its items at their locked prices."""
        return contracts.get_contract(db.session, current_actor(), contract_id)


def _refused_but_recorded(call):
    """The refusal is the answer, and the attempt must outlive it: commit the audit row, then re-raise."""
    try:
        call()
    except (contracts.PriceLocked, contracts.CentralPurchase):
        db.session.commit()
        raise


@bp.route("/contracts/<int:contract_id>/items/<int:item_id>")
class ContractItemById(MethodView):
    @bp.doc(tags=CONTRACTS)
    @bp.arguments(s.ItemChangeSchema)
    @bp.response(200, s.ContractItemSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="price_locked: refused and recorded (P.4(4))")
    def patch(self, body, contract_id: int, item_id: int):
        """Always 409 ``price_locked`` (P.4(4) 不再次议价); the attempt is recorded in the audit trail."""
        _refused_but_recorded(lambda: contracts.change_item(db.session, current_actor(), contract_id, item_id, body,
                                                            now=clock.now()))


@bp.route("/contracts/<int:contract_id>/renewals")
class ContractRenewals(MethodView):
    @bp.doc(tags=CONTRACTS)
    @bp.arguments(s.RenewalSchema)
    @bp.response(201, s.ContractSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="central_purchase_required or licence_in_force")
    def post(self, body, contract_id: int):
        """A district renewing an expired software licence is refused (409): bdc buys the next term
        centrally on the total demand (P.4 type 1). The attempt is recorded."""
        _refused_but_recorded(lambda: contracts.renew_licence(db.session, current_actor(), contract_id,
                                                              body["item_code"], now=clock.now()))


@bp.route("/contracts/<int:contract_id>/audit")
class ContractAuditTrail(MethodView):
    @bp.doc(tags=CONTRACTS)
    @bp.response(200, s.AuditSchema(many=True))
    def get(self, contract_id: int):
        """Refused attempts on the contract: who, when, what was tried."""
        return contracts.audit_trail(db.session, current_actor(), contract_id)


@bp.route("/licence-renewals")
class LicenceRenewals(MethodView):
    @bp.doc(tags=CONTRACTS)
    @bp.response(200, s.RenewalDueSchema(many=True))
    def get(self):
        """For bdc: expired software licences and the total demand for the next central purchase (P.4 type 1)."""
        return contracts.licence_renewals(db.session, current_actor(), today=local_date(clock.now()))
