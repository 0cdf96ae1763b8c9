"""Small helpers of the ledger pages."""

from django import template

from kehu.receivables.receipt import amount_in_words

register = template.Library()


@register.filter
def days_overdue(invoice, today) -> int:
    return invoice.days_overdue(today)


@register.filter
def in_words(amount) -> str:
    """¥12,345.67 → 壹万贰仟叁佰肆拾伍元陆角柒分."""
    return amount_in_words(amount)
