"""Deploy-time refusal of anything the server-side forms would not honour, naming the component."""
from __future__ import annotations

import pytest

from app.forms import UnsupportedForm, build_schema, check_form, parse_form, render_form
from tests.forms import formdocs as fd


def problems_of(*components) -> list[tuple[str, str]]:
    return [(p.component_id, p.code) for p in check_form(fd.form("checked", *components))]


def test_a_form_using_only_supported_parts_has_no_problems():
    definition = fd.form(
        "all-supported",
        fd.component("text", text="## 说明\n请填写 **全部** 字段：{{ applicant_name }}"),
        fd.component("group", None, "基本信息", components=[
            fd.component("textfield", "name", "名称", validate={"required": True, "maxLength": 50}),
            fd.component("textfield", "email", "邮箱", validate={"validationType": "email"}),
            fd.component("textfield", "code", "编码", validate={"validationType": "custom", "pattern": "[A-Z]{3}"}),
        ]),
        fd.component("textarea", "note", "备注", validate={"minLength": 2}),
        fd.component("number", "amount", "金额", decimalDigits=2, increment="0.01", validate={"min": 0, "max": 1e6}),
        fd.component("checkbox", "agree", "同意", defaultValue=False),
        fd.component("checklist", "tags", "标签", values=fd.values(("甲", "a"), ("乙", "b"))),
        fd.component("radio", "choice", "选择", values=fd.values(("是", True), ("否", False))),
        fd.component("select", "kind", "类型", valuesKey="kinds", searchable=True),
        fd.component("datetime", "when", None, subtype="datetime", dateLabel="日期", timeLabel="时间",
                     timeSerializingFormat="utc_offset", use24h=True),
        fd.component("spacer", height=30),
        fd.component("separator"),
        fd.component("button", None, "提交", action="submit"),
        fd.component("button", None, "重置", action="reset"),
    )

    assert check_form(definition) == []


@pytest.mark.parametrize("kind", ["filepicker", "dynamiclist", "iframe", "table", "html", "expression",
                                  "taglist", "image", "documentPreview", "unknownWidget"])
def test_unsupported_component_types_are_refused_by_id(kind):
    refused = fd.component(kind, "x", "X", id="Field_refused")

    problems = check_form(fd.form("f", fd.component("textfield", "ok", "OK"), refused))

    assert [(p.component_id, p.code) for p in problems] == [("Field_refused", "unsupported_type")]
    assert kind in problems[0].reason


@pytest.mark.parametrize(("props", "property_path"), [
    ({"conditional": {"hide": "=amount > 100"}}, "conditional.hide"),
    ({"label": "=if urgent then \"加急\" else \"普通\""}, "label"),
    ({"validate": {"min": "=minimum"}}, "validate.min"),
    ({"readonly": "=status = \"done\""}, "readonly"),
    ({"description": "=hint"}, "description"),
    ({"defaultValue": "=today()"}, "defaultValue"),
])
def test_feel_expressions_are_refused_naming_component_and_property(props, property_path):
    field = fd.component("number", "amount", "金额", id="Field_feel")
    field.update(props)

    problems = check_form(fd.form("f", field))

    assert ("Field_feel", "feel") in [(p.component_id, p.code) for p in problems]
    feel = next(p for p in problems if p.code == "feel")
    assert property_path in feel.reason
    assert "FEEL" in feel.reason


def test_custom_properties_are_not_evaluated_and_so_not_refused():
    assert problems_of(fd.component("textfield", "a", "A", properties={"hint": "=not evaluated by form-js"})) == []


def test_a_condition_is_refused_even_without_the_feel_marker():
    assert problems_of(fd.component("textfield", "a", "A", id="Field_c", conditional={"hide": "a == 1"})) == [
        ("Field_c", "conditional")]
    assert problems_of(fd.component("textfield", "a", "A", conditional={"hide": ""})) == []


def test_values_expression_is_refused():
    field = fd.component("select", "k", "K", id="Field_ve", valuesExpression="=options")
    assert ("Field_ve", "feel") in problems_of(field)


def test_templates_are_refused_outside_text_and_beyond_plain_variables():
    assert problems_of(fd.component("textfield", "a", "申请人 {{ name }}", id="Field_t")) == [("Field_t", "template")]
    assert problems_of(fd.component("text", text="{{#if urgent}}加急{{/if}}", id="Field_if")) == [
        ("Field_if", "template")]
    assert problems_of(fd.component("text", text="合计 {{ a + b }}", id="Field_sum")) == [("Field_sum", "template")]
    assert problems_of(fd.component("text", text="申请人：{{ applicant.name }}，单位 {{unit}}")) == []


def test_problems_inside_groups_name_the_inner_component():
    group = fd.component("group", None, "G", id="Group_outer", components=[
        fd.component("filepicker", "files", "附件", id="Field_inner")])

    assert problems_of(group) == [("Field_inner", "unsupported_type")]


def test_group_with_a_data_path_is_refused():
    group = fd.component("group", None, "G", id="Group_p", path="applicant", components=[])
    assert problems_of(group) == [("Group_p", "group_path")]


@pytest.mark.parametrize(("key", "code"), [
    ("applicant.name", "bad_key"),
    ("1st", "bad_key"),
    ("申请人", "bad_key"),
    ("has space", "bad_key"),
    ("typename", "reserved_key"),
    ("class", "reserved_key"),
    ("__init__", "reserved_key"),
])
def test_keys_must_be_plain_identifiers_and_not_reserved(key, code):
    assert problems_of(fd.component("textfield", key, "K", id="Field_k")) == [("Field_k", code)]


def test_duplicate_and_missing_keys_and_ids():
    problems = problems_of(
        fd.component("textfield", "amount", "A", id="Field_a"),
        fd.component("group", None, "G", id="Group_g", components=[
            fd.component("number", "amount", "B", id="Field_b")]),
        fd.component("checkbox", None, "C", id="Field_c"),
        fd.component("textfield", "other", "D", id="Field_a"),
    )

    assert problems == [("Field_b", "duplicate_key"), ("Field_c", "no_key"), ("Field_a", "duplicate_id")]


def test_components_without_type_or_id_are_named_by_position():
    raw = fd.document("f", {"label": "no type", "key": "x"}, {"type": "textfield", "key": "y"})
    definition = parse_form(raw)

    problems = [(p.component_id, p.code) for p in check_form(definition)]

    assert problems == [("components[0]", "no_type"), ("components[1]", "no_id")]


@pytest.mark.parametrize(("kind", "validate", "code"), [
    ("textfield", {"validationType": "custom"}, "validation_type"),
    ("textfield", {"validationType": "iban"}, "validation_type"),
    ("textfield", {"pattern": "[a-z"}, "pattern"),
    ("textfield", {"pattern": "(a+)+$"}, "pattern_slow"),
    ("textfield", {"min": 3}, "rule"),
    ("textfield", {"minLength": -1}, "rule_value"),
    ("textfield", {"maxLength": "10"}, "rule_value"),
    ("number", {"min": "one"}, "rule_value"),
    ("number", {"minLength": 2}, "rule"),
    ("checkbox", {"required": "yes"}, "rule_value"),
    ("datetime", {"min": "2024-01-01"}, "rule"),
])
def test_unsupported_or_broken_validation_rules_are_refused(kind, validate, code):
    assert problems_of(fd.component(kind, "v", "V", id="Field_v", validate=validate)) == [("Field_v", code)]


def test_a_pattern_that_python_cannot_compile_gives_the_regex_error():
    problems = check_form(fd.form("f", fd.component("textfield", "v", "V", validate={"pattern": "(?<year>\\d{4})"})))
    assert [p.code for p in problems] == ["pattern"]
    assert "regular expression" in problems[0].reason


@pytest.mark.parametrize(("kind", "props", "code"), [
    ("select", {}, "options_source"),
    ("radio", {"values": []}, "options_source"),
    ("checklist", {"values": [{"label": "A"}]}, "option"),
    ("radio", {"values": [{"label": "A", "value": {"nested": 1}}]}, "option"),
    ("datetime", {"subtype": "week"}, "subtype"),
    ("datetime", {"subtype": "time", "timeSerializingFormat": "unix"}, "time_format"),
    ("number", {"decimalDigits": -1}, "decimal_digits"),
    ("number", {"decimalDigits": 2.5}, "decimal_digits"),
    ("number", {"increment": 0}, "increment"),
    ("number", {"increment": "abc"}, "increment"),
    ("textfield", {"disabled": "yes"}, "flag"),
    ("textfield", {"isRepeating": True}, "property"),
])
def test_type_specific_settings_are_checked(kind, props, code):
    assert problems_of(fd.component(kind, "v", "V", id="Field_s", **props)) == [("Field_s", code)]


def test_a_default_value_the_field_would_refuse_is_reported():
    problems = check_form(fd.form("f", fd.component("number", "n", "N", id="Field_d", defaultValue="abc"),
                                  fd.component("radio", "r", "R", defaultValue="z", values=fd.values(("A", "a")))))

    assert [p.code for p in problems] == ["default_value", "default_value"]
    assert "Enter a number." in problems[0].reason


def test_problems_read_as_text_and_compare_by_value():
    problems = check_form(fd.form("f", fd.component("iframe", None, "I", id="Field_i")))

    assert str(problems[0]) == "Field_i: Component type iframe is not supported."
    assert problems == check_form(fd.form("g", fd.component("iframe", None, "I", id="Field_i")))


def test_rendering_or_validating_a_refused_form_raises(app):
    definition = fd.form("refused", fd.component("textfield", "a", "A", id="Field_r", conditional={"hide": "=true"}))

    with pytest.raises(UnsupportedForm) as caught:
        build_schema(definition)
    assert caught.value.problems[0].component_id == "Field_r"
    with app.test_request_context(), pytest.raises(UnsupportedForm):
        render_form(definition, values={})
