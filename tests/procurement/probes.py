"""Objects of xuhui for the cross-tenant sweep (tests/foundation/test_isolation_sweep.py): a round
addressed to xuhui only, and a xuhui contract."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.extensions import db
from app.procurement.models import Contract, ContractItem, Solicitation, SolicitationItem, SolicitationReply
from tests import builders


def xuhui_solicitation(client, auth) -> dict:
    found = Solicitation(tenant_id="city", number="ZX-PROBE-001", title="探针征询", budget_year=2031,
                         reply_deadline=date(2030, 10, 15), status="replying", issued_by="bdc")
    found.items = [SolicitationItem(tenant_id="city", item_code="IAAS-VCPU", item_name="vCPU", pricing_unit="核·月",
                                    pricing_type="unit", estimated_unit_price=Decimal(40))]
    db.session.add(found)
    db.session.flush()
    db.session.add(SolicitationReply(tenant_id="xuhui", solicitation_id=found.id, status="pending"))
    db.session.commit()
    return {"solicitation_id": found.id}


def _contract() -> Contract:
    vendor = builders.organisation(kind="vendor", tenant="city", code="vendor.probe", name="探针服务商")
    contract = Contract(tenant_id="xuhui", number="HT-PROBE-001", vendor_id=vendor.id, starts_on=date(2030, 1, 1),
                        ends_on=date(2030, 12, 31), signed_by="xh.operator")
    contract.items = [ContractItem(tenant_id="xuhui", item_code="SAAS-OS", item_name="OS", pricing_unit="套·年",
                                   pricing_type="licence", unit_price=Decimal(1200),
                                   licence_expires_on=date(2020, 12, 31))]
    db.session.add(contract)
    db.session.commit()
    return contract


def xuhui_contract(client, auth) -> dict:
    return {"contract_id": _contract().id}


def xuhui_contract_item(client, auth) -> dict:
    contract = _contract()
    return {"contract_id": contract.id, "item_id": contract.items[0].id}


PROBES = {
    "procurement_api.SolicitationById": xuhui_solicitation,
    "procurement_api.SolicitationAggregation": xuhui_solicitation,
    "procurement_api.SolicitationReplies": xuhui_solicitation,
    "procurement_api.SolicitationResult": xuhui_solicitation,
    "procurement_api.ContractById": xuhui_contract,
    "procurement_api.ContractItemById": xuhui_contract_item,
    "procurement_api.ContractRenewals": xuhui_contract,
    "procurement_api.ContractAuditTrail": xuhui_contract,
}
BODIES = {
    "procurement_api.SolicitationReplies": {"decision": "decline"},
    "procurement_api.SolicitationResult": {"lines": []},
    "procurement_api.ContractItemById": {"unit_price": "1"},
    "procurement_api.ContractRenewals": {"item_code": "SAAS-OS"},
}
MISSING = {"solicitation_id": 999999, "contract_id": 999999, "item_id": 999999}
