"""core/pagination.py called directly: the deferred-join paginator finds a page's ids first and
then its rows, counts a filtered set once per change of its list, and answers bad page
numbers as Django's paginator does; list totals are kept the same way."""

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger

from kehu.core.pagination import DeferredJoinPaginator, kept_until_changed, list_generation, lists_changed
from kehu.sales.models import Product
from kehu.sales.tests.builders import ProductFactory

pytestmark = pytest.mark.django_db

LIST = "test-products"


@pytest.fixture
def products(db):
    """Seven products, P0 … P6, priced 10, 20, … 70."""
    return [ProductFactory(code=f"P{n}", name=f"产品{n}", list_price=10 * (n + 1)) for n in range(7)]


def paginator(queryset=None, per_page=3, **kwargs):
    queryset = Product.objects.order_by("code") if queryset is None else queryset
    return DeferredJoinPaginator(queryset, per_page, rows=Product.objects.all(), **kwargs)


def codes(page) -> list[str]:
    return [p.code for p in page.object_list]


@pytest.fixture(params=[1000, 2], ids=["held-as-ids", "counted-and-walked"])
def set_size(request, monkeypatch):
    """Every test runs with the set small enough to be held as ids, and too large for that."""
    monkeypatch.setattr("kehu.core.pagination.SMALL_SET", request.param)
    return request.param


def test_it_pages_in_the_order_of_the_list(products, set_size):
    pages = paginator()
    assert (pages.count, pages.num_pages) == (7, 3)
    assert [codes(pages.page(n)) for n in (1, 2, 3)] == [["P0", "P1", "P2"], ["P3", "P4", "P5"], ["P6"]]
    descending = paginator(Product.objects.order_by("-list_price"))
    assert codes(descending.page(1)) == ["P6", "P5", "P4"]
    assert codes(descending.page(3)) == ["P0"]


def test_it_pages_a_filtered_set_and_fetches_the_rows_from_the_given_queryset(products, set_size):
    cheap = Product.objects.filter(list_price__lt=50).order_by("-code")
    pages = DeferredJoinPaginator(cheap, 2, rows=Product.objects.only("code"))
    assert (pages.count, pages.num_pages) == (4, 2)
    assert [codes(pages.page(n)) for n in (1, 2)] == [["P3", "P2"], ["P1", "P0"]]
    assert pages.page(2).object_list[0].get_deferred_fields() >= {"name", "list_price"}


def test_it_leaves_out_a_row_that_went_away_between_the_two_queries(products, set_size):
    pages = DeferredJoinPaginator(Product.objects.order_by("code"), 3, rows=Product.objects.exclude(code="P1"))
    page = pages.page(1)
    assert codes(page) == ["P0", "P2"]
    assert (page.number, page.has_next(), page.start_index(), page.end_index()) == (1, True, 1, 3)


def test_it_puts_orphans_on_the_last_page(products, set_size):
    pages = paginator(per_page=3, orphans=1)
    assert pages.num_pages == 2
    assert codes(pages.page(2)) == ["P3", "P4", "P5", "P6"]


def test_it_refuses_page_numbers_out_of_bounds_and_bad_ones_as_django_does(products, set_size):
    pages = paginator()
    for bad in ("abc", None, "1.5", 1.5, [1]):
        with pytest.raises(PageNotAnInteger):
            pages.page(bad)
    for outside in (0, -1, 4, "4", 10**30):
        with pytest.raises(EmptyPage):
            pages.page(outside)
    assert codes(pages.page("2")) == ["P3", "P4", "P5"]
    assert codes(pages.page(3.0)) == ["P6"]
    # get_page, as the views call it: a bad number gives the first page, one too far the last.
    assert (pages.get_page("abc").number, pages.get_page(99).number, pages.get_page(None).number) == (1, 3, 1)


def test_it_gives_one_empty_first_page_for_an_empty_set(set_size):
    pages = paginator()
    assert (pages.count, pages.num_pages, list(pages.page(1))) == (0, 1, [])
    with pytest.raises(EmptyPage):
        paginator(allow_empty_first_page=False).page(1)


def test_it_fetches_a_page_of_a_small_set_in_three_queries(products, django_assert_num_queries):
    with django_assert_num_queries(3):  # the set's ids (and so its count), the page's ids in order, its rows
        assert codes(paginator().page(2)) == ["P3", "P4", "P5"]


def test_it_counts_a_large_set_instead_of_holding_it(products, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr("kehu.core.pagination.SMALL_SET", 5)
    with django_assert_num_queries(4):  # up to SMALL_SET + 1 ids, the count, the page's ids, its rows
        pages = paginator()
        assert (codes(pages.page(3)), pages.count) == (["P6"], 7)


def test_it_keeps_the_count_of_a_list_until_the_list_changes(products, django_capture_on_commit_callbacks,
                                                             django_assert_num_queries):
    assert paginator(generation=LIST).count == 7
    ProductFactory(code="P7")  # written without telling the list: the kept count stands
    with django_assert_num_queries(1):  # the list's generation; the count comes from the cache
        assert paginator(generation=LIST).count == 7
    assert paginator().count == 8  # a paginator without a generation counts every time
    before = list_generation(LIST)
    with django_capture_on_commit_callbacks(execute=True):
        lists_changed(LIST)
    assert list_generation(LIST) == before + 1
    pages = paginator(generation=LIST)
    assert (pages.count, codes(pages.page(3))) == (8, ["P6", "P7"])


def test_it_keeps_a_count_per_filtered_set(products):
    cheap = Product.objects.filter(list_price__lt=30).order_by("code")
    assert (paginator(generation=LIST).count, paginator(cheap, generation=LIST).count) == (7, 2)
    assert paginator(Product.objects.filter(list_price__lt=40).order_by("code"), generation=LIST).count == 3


def test_it_keeps_a_lists_totals_until_the_list_changes(products, django_capture_on_commit_callbacks):
    calls = []

    def total(queryset):
        calls.append(1)
        return sum(p.list_price for p in queryset)

    assert kept_until_changed(LIST, Product.objects.order_by("code"), total) == 280
    ProductFactory(code="P7", list_price=1)
    assert kept_until_changed(LIST, Product.objects.order_by("-code"), total) == 280  # the order does not matter
    assert kept_until_changed(LIST, Product.objects.filter(list_price__gte=70), total) == 70  # another set
    with django_capture_on_commit_callbacks(execute=True):
        lists_changed(LIST)
    assert kept_until_changed(LIST, Product.objects.order_by("code"), total) == 281
    assert len(calls) == 3
