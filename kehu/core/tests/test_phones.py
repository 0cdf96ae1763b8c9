"""Phone numbers as tap-to-call links (PLT-5): core.phones, the `tel` filter of both engines."""

from django.template import Context, Template

from conftest import rule
from kehu.core.jinja import environment
from kehu.core.phones import tel_uri


@rule("PLT-5")
def test_plt5_a_phone_number_dials_its_digits_with_the_extension_after_a_pause():
    assert tel_uri("021-5555 0101") == "tel:02155550101"
    assert tel_uri("+86 21 5555 1234") == "tel:+862155551234"
    assert tel_uri("(021) 6234-5678转801") == "tel:02162345678,801"
    assert tel_uri("021-62345678#12") == "tel:02162345678,12"
    assert tel_uri("") == tel_uri("—") == ""


@rule("PLT-5")
def test_plt5_the_tel_filter_links_the_number_as_typed_and_escapes_it_in_both_engines():
    django = Template("{% load kehu %}{{ phone|tel }}").render(Context({"phone": "021-5555 0101"}))
    assert django == '<a class="tel" href="tel:02155550101">021-5555 0101</a>'
    jinja = environment().from_string("{{ phone|tel }}").render(phone="139 0000 1111<b>")
    assert jinja == '<a class="tel" href="tel:13900001111">139 0000 1111&lt;b&gt;</a>'
    assert Template("{% load kehu %}{{ phone|tel }}").render(Context({"phone": ""})) == ""
