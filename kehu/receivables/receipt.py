"""The amount of a receipt 收据 in Chinese capital numerals 大写, as a bank or a finance
office writes it, so that the figure cannot be altered (壹万贰仟叁佰肆拾伍元陆角柒分)."""

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ["", "拾", "佰", "仟"]
# Groups of four digits: yuan, ten thousands, hundred millions, trillions.
GROUPS = ["", "万", "亿", "兆"]


def _yuan(number: int) -> str:
    """The whole yuan: a zero between digits is written once (1005 → 壹仟零伍), trailing
    zeros not at all (1500 → 壹仟伍佰)."""
    groups = []
    while number:
        number, group = divmod(number, 10000)
        groups.append(group)
    text, zero = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if not group:
            zero = bool(text)
            continue
        for place in range(3, -1, -1):
            digit = group // 10**place % 10
            if not digit:
                zero = zero or bool(text)
                continue
            if zero:
                text += DIGITS[0]
                zero = False
            text += DIGITS[digit] + PLACES[place]
        text += GROUPS[index]
    return text


def amount_in_words(amount) -> str:
    """12345.67 → 壹万贰仟叁佰肆拾伍元陆角柒分; 100 → 壹佰元整; 10.05 → 壹拾元零伍分;
    0.5 → 伍角整; 0 → 零元整; a negative amount starts with 负."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "负" if value < 0 else ""
    cents = int(abs(value) * 100)
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    if not cents:
        return "零元整"
    text = _yuan(yuan) + "元" if yuan else ""
    if jiao:
        text += DIGITS[jiao] + "角"
    elif fen and yuan:
        text += DIGITS[0]
    if fen:
        text += DIGITS[fen] + "分"
    else:
        text += "整"
    return sign + text
