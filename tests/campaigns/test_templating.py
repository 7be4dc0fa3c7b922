"""The outreach template sandbox: pure Python, no database or Django settings needed."""

import pytest

from apps.campaigns.templating import (
    EXAMPLE_VALUES,
    MERGE_FIELDS,
    InvalidTemplate,
    MissingValue,
    OfferType,
    Placeholder,
    TemplateError,
    describe_offer,
    offer_values,
    parse,
    render,
    validate,
)

VALUES = {
    "creator.first_name": "Jane",
    "creator.name": "Jane Doe",
    "creator.handle": "@janedoe",
    "campaign.name": "Spring Glow",
    "offer": "a €250 fee",
    "sender.name": "Sam",
}


# ------------------------------------------------------------------ merge fields


def test_merge_fields_cover_the_documented_names_with_help_text():
    assert set(MERGE_FIELDS) == {
        "creator.first_name",
        "creator.name",
        "creator.handle",
        "creator.platform",
        "campaign.name",
        "campaign.brand",
        "campaign.product",
        "offer",
        "offer.type",
        "offer.value",
        "sender.name",
        "sender.email",
        "workspace.name",
    }
    assert all(isinstance(help_text, str) and help_text for help_text in MERGE_FIELDS.values())
    with pytest.raises(TypeError):
        MERGE_FIELDS["creator.age"] = "nope"  # read-only


def test_example_values_render_every_field():
    text = " ".join(f"{{{{ {name} }}}}" for name in MERGE_FIELDS)
    assert render(text, EXAMPLE_VALUES, html=False)


def test_merge_fields_render():
    text = "Hi {{ creator.first_name }}, {{ sender.name }} here about {{ campaign.name }}: {{ offer }}."
    assert render(text, VALUES, html=False) == "Hi Jane, Sam here about Spring Glow: a €250 fee."


def test_text_without_placeholders_is_unchanged():
    text = "Hello there!\nNo fields here { single braces } are fine."
    assert validate(text) == []
    assert render(text, {}, html=False) == text


@pytest.mark.parametrize(
    "text",
    [
        "{{creator.first_name}}",
        "{{ creator.first_name }}",
        "{{   creator.first_name   }}",
        "{{\tcreator.first_name }}",
        "{{ creator.first_name}}",
    ],
)
def test_whitespace_inside_braces_is_allowed(text):
    assert validate(text) == []
    assert render(text, VALUES, html=False) == "Jane"


def test_parse_exposes_fields_in_order_without_duplicates():
    template = parse("{{ offer }} {{ creator.name }} {{ offer }}")
    assert template.is_valid
    assert template.fields == ("offer", "creator.name")
    assert template.segments[0] == Placeholder("offer", 1, 1)


def test_same_field_twice_renders_twice():
    assert render("{{ creator.first_name }}/{{creator.first_name}}", VALUES, html=False) == (
        "Jane/Jane"
    )


def test_subject_line_uses_the_same_function():
    subject = "{{ campaign.name }} x {{ creator.handle }}"
    assert render(subject, VALUES, html=False) == "Spring Glow x @janedoe"


# ------------------------------------------------------------------ errors


def test_unknown_field_reports_line_and_column():
    text = "Hi {{ creator.first_name }},\nyou are {{ creator.age }} years old"
    errors = validate(text)
    assert len(errors) == 1
    error = errors[0]
    assert isinstance(error, TemplateError)
    assert (error.line, error.column, error.field) == (2, 9, "creator.age")
    assert error.kind == "unknown_field"
    assert error.message.startswith("Unknown field {{ creator.age }} on line 2")
    assert "use one of creator.first_name, creator.name" in error.message


def test_unknown_field_suggests_a_close_match():
    (error,) = validate("{{ creator.firstname }}")
    assert "did you mean {{ creator.first_name }}?" in error.message


def test_attribute_of_a_known_field_is_an_unknown_field():
    (error,) = validate("{{ creator.name.upper }}")
    assert error.field == "creator.name.upper"
    assert error.kind == "unknown_field"


@pytest.mark.parametrize(
    ("text", "snippet", "reason"),
    [
        ("{% if creator.name %}hi{% endif %}", "'{% if creator.name %}'", "template tags"),
        ("{% load static %}", "'{% load static %}'", "template tags"),
        ("{# a note #}", "'{# a note #}'", "template comments"),
        ("{{ creator.name|upper }}", "'{{ creator.name|upper }}'", "filters"),
        ("{{ creator.name | safe }}", "'{{ creator.name | safe }}'", "filters"),
        ("{{ creator.items[0] }}", "'{{ creator.items[0] }}'", "indexing"),
        ("{{ creator.__class__ }}", "'{{ creator.__class__ }}'", "underscore"),
        ("{{ __import__ }}", "'{{ __import__ }}'", "underscore"),
        ("{{ creator._meta }}", "'{{ creator._meta }}'", "underscore"),
        ("{{ creator.name() }}", "'{{ creator.name() }}'", "calls"),
        ("{{ sender.email.split('@') }}", "'{{ sender.email.split('@') }}'", "calls"),
        ("{{ creator name }}", "'{{ creator name }}'", "single field name"),
    ],
)
def test_other_template_syntax_is_rejected(text, snippet, reason):
    errors = validate(text)
    assert errors, text
    message = errors[0].message
    assert message.startswith(f"Only {{{{ field }}}} placeholders are allowed: {snippet} on line 1")
    assert reason in message
    with pytest.raises(InvalidTemplate):
        render(text, VALUES, html=False)


def test_tag_error_message_matches_the_editor_wording():
    (error,) = validate("{% if %}")
    assert error.message == (
        "Only {{ field }} placeholders are allowed: '{% if %}' on line 1 "
        "(template tags are not supported)"
    )
    assert (error.line, error.column) == (1, 1)


def test_every_tag_in_a_block_is_reported():
    errors = validate("{% if x %}\nHi\n{% endif %}")
    assert [(e.line, e.column) for e in errors] == [(1, 1), (3, 1)]


def test_rejected_syntax_never_passes_through():
    with pytest.raises(InvalidTemplate) as caught:
        render("Hi {{ creator.name|upper }} {% csrf_token %}", VALUES, html=True)
    assert len(caught.value.errors) == 2


def test_empty_placeholder_is_an_error():
    (error,) = validate("Hi {{ }}")
    assert error.kind == "invalid_placeholder"
    assert error.column == 4


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("Hi {{ creator.first_name", 1, 4),
        ("Hi {{ creator.first_name }", 1, 4),
        ("Line one\n  {{ offer", 2, 3),
        ("{{ creator.name\n}}", 1, 1),
        ("{{ creator.name {{ offer }}", 1, 1),
    ],
)
def test_unclosed_braces_are_an_error(text, line, column):
    errors = validate(text)
    unclosed = [e for e in errors if e.kind == "unclosed"]
    assert len(unclosed) == 1
    assert (unclosed[0].line, unclosed[0].column) == (line, column)
    assert unclosed[0].message.startswith(f"Unclosed '{{{{' on line {line}")
    with pytest.raises(InvalidTemplate):
        render(text, VALUES, html=False)


def test_unclosed_placeholder_does_not_hide_later_errors():
    errors = validate("{{ offer\n{{ creator.age }}")
    assert [e.kind for e in errors] == ["unclosed", "unknown_field"]


def test_unclosed_tag_is_reported_up_to_the_end_of_its_line():
    (error,) = validate("{% if creator.name\nHi")
    assert "'{% if creator.name'" in error.message


def test_stray_closing_braces_are_an_error():
    (error,) = validate("Hi creator.name }}")
    assert error.kind == "unmatched"
    assert (error.line, error.column) == (1, 17)


def test_errors_are_serialisable_for_the_editor():
    (error,) = validate("{{ nope }}")
    assert error.as_dict() == {
        "message": error.message,
        "line": 1,
        "column": 1,
        "field": "nope",
        "kind": "unknown_field",
    }


# ------------------------------------------------------------------ rendering


@pytest.mark.parametrize("values", [{}, {"creator.first_name": ""}, {"creator.first_name": "  "}])
def test_missing_or_blank_value_raises(values):
    with pytest.raises(MissingValue) as caught:
        render("Hi {{ creator.first_name }}", values, html=False)
    assert caught.value.field == "creator.first_name"
    assert "{{ creator.first_name }}" in str(caught.value)


def test_missing_value_lists_every_missing_field_in_template_order():
    with pytest.raises(MissingValue) as caught:
        render("{{ offer }} {{ creator.name }} {{ sender.name }}", {"creator.name": "J"}, html=True)
    assert caught.value.field == "offer"
    assert caught.value.fields == ("offer", "sender.name")


def test_none_value_counts_as_missing():
    with pytest.raises(MissingValue):
        render("{{ offer }}", {"offer": None}, html=False)


def test_unused_values_are_ignored():
    assert render("Hi", {"creator.first_name": "Jane", "whatever": "x"}, html=True) == "Hi"


def test_numbers_are_accepted_but_objects_are_not():
    assert render("{{ offer.value }}", {"offer.value": 250}, html=False) == "250"

    class Creator:
        first_name = "Jane"

    with pytest.raises(TypeError):
        render("{{ creator.first_name }}", {"creator.first_name": Creator()}, html=False)


def test_render_never_reads_attributes_of_the_values_mapping():
    class Spy(dict):
        def __getattr__(self, name):  # pragma: no cover - must never be called
            raise AssertionError(f"attribute {name} was read")

    assert render("{{ creator.name }}", Spy({"creator.name": "Jane"}), html=False) == "Jane"


def test_html_mode_escapes_values():
    values = {"creator.name": '<script>alert("x")</script>', "offer": "Tom & Jerry's"}
    out = render("<p>Hi {{ creator.name }}, {{ offer }}</p>", values, html=True)
    assert out == (
        "<p>Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;, Tom &amp; Jerry&#x27;s</p>"
    )
    assert "<script>" not in out


def test_html_mode_escapes_quotes_inside_attributes():
    out = render(
        '<a title="{{ creator.name }}">x</a>', {"creator.name": '" onmouseover="x'}, html=True
    )
    assert out == '<a title="&quot; onmouseover=&quot;x">x</a>'


def test_plain_text_mode_inserts_values_as_is():
    values = {"creator.name": '<script>alert("x")</script>', "offer": "Tom & Jerry's"}
    out = render("Hi {{ creator.name }}, {{ offer }}", values, html=False)
    assert out == 'Hi <script>alert("x")</script>, Tom & Jerry\'s'


def test_template_text_is_left_as_written_in_html_mode():
    text = '<b>Hi</b> & welcome, {{ creator.first_name }} <i>"quoted"</i>'
    assert render(text, VALUES, html=True) == '<b>Hi</b> & welcome, Jane <i>"quoted"</i>'


@pytest.mark.parametrize("html", [True, False])
def test_values_are_not_rendered_again(html):
    values = {
        "creator.first_name": "{{ sender.email }}",
        "sender.email": "secret@example.com",
        "offer": "{% debug %}",
    }
    out = render("{{ creator.first_name }} {{ offer }}", values, html=html)
    assert "secret@example.com" not in out
    assert out == "{{ sender.email }} {% debug %}"


def test_template_object_can_be_rendered_many_times():
    template = parse("Hi {{ creator.first_name }}")
    assert template.render({"creator.first_name": "Ann"}, html=False) == "Hi Ann"
    assert template.render({"creator.first_name": "Bo"}, html=True) == "Hi Bo"


# ------------------------------------------------------------------ offers


def test_offer_types_and_labels():
    assert [t.value for t in OfferType] == [
        "cash",
        "product",
        "exclusive_discount",
        "early_access",
    ]
    assert OfferType.EXCLUSIVE_DISCOUNT.label == "Exclusive discount"
    assert OfferType("cash") is OfferType.CASH
    assert OfferType.CASH == "cash"
    assert OfferType.choices()[3] == ("early_access", "Early access")


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((OfferType.CASH, 250, "EUR"), {}, "a €250 fee"),
        (("cash", "1250.50", "usd"), {}, "a $1,250.50 fee"),
        (("cash", 800, "SEK"), {}, "an 800 SEK fee"),
        (("cash", 80), {}, "an 80 fee"),
        ((OfferType.PRODUCT, "Glow Serum", "EUR"), {"worth": 45}, "a free Glow Serum (worth €45)"),
        (("product", "Glow Serum"), {}, "a free Glow Serum"),
        (
            (OfferType.EXCLUSIVE_DISCOUNT, 20),
            {},
            "an exclusive 20% discount code for your audience",
        ),
        (
            ("exclusive_discount", "15 %"),
            {},
            "an exclusive 15% discount code for your audience",
        ),
        (
            (OfferType.EARLY_ACCESS, "the new Glow Serum"),
            {},
            "early access to the new Glow Serum",
        ),
    ],
)
def test_describe_offer(args, kwargs, expected):
    assert describe_offer(*args, **kwargs) == expected


@pytest.mark.parametrize(
    "args",
    [("barter", "x"), ("cash", ""), ("cash", "lots", "EUR"), ("product", None)],
)
def test_describe_offer_rejects_bad_input(args):
    with pytest.raises(ValueError):
        describe_offer(*args)


def test_offer_values_feed_the_offer_fields():
    values = offer_values("cash", 250, "EUR")
    assert values == {"offer": "a €250 fee", "offer.type": "Cash", "offer.value": "€250"}
    out = render("We offer {{ offer }} ({{ offer.type }}: {{ offer.value }})", values, html=True)
    assert out == "We offer a €250 fee (Cash: €250)"
