"""De-identification (脱敏) of what the public may read about a complaint: the open data set,
the Open311 API and the public statistics.

Staff screens mask (138****5678, so a colleague can still match a call-back); public outputs
remove. ``public_text`` replaces, in this order (each step sees the placeholders of the ones
before, which none of them matches, so the function is idempotent):

1. e-mail addresses, also with a full-width ＠ or written "name at qq dot com", "name(at)…";
2. QQ / WeChat accounts named after a label (QQ, 扣扣, 微信, vx, wx, WeChat…);
3. vehicle licence plates (粤B12345);
4. numbers: every run of digits (ASCII, full-width, circled, 一二三 and 壹贰叁 numerals) that
   spaces, hyphens, dots, slashes or brackets join is read as a whole and classified:
   mobile numbers (with +86 / 0086 / 86), landlines with an area code, 18- and 15-digit ID
   numbers, bank cards, any other unbroken run of 12 or more digits, and 7 or more digits
   right after a word like 电话 / tel;
5. building, unit and room numbers (3号楼2单元501室, 3栋501, 5-2-501, 501室, B座1203,
   住在1203, room 501, flat 12B);
6. names: those the caller knows (the complainant's, the company's legal representative and
   contact person) in any spacing, and names a cue introduces: 我叫 / 我是 / 本人 / 我姓,
   姓名： / 联系人： / 投诉人：, a surname before 先生 / 女士 / 阿姨 / 师傅 / 经理…, "Mr. X",
   "my name is X".

Each removal leaves a placeholder in the active language ([phone], [name]…) so the text still
reads. What cannot be caught is listed in ``LIMITS``: chiefly a name that no cue introduces
and the complaint does not hold. A citizen's narrative is public only when they consented.
"""

import itertools
import re
import unicodedata
from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What the public is told (open data metadata, the open data page).
RULES = (
    gettext_lazy(
        "Phone numbers are removed: mobile numbers and landlines, also when written with "
        "spaces, hyphens, dots, brackets, full-width digits, Chinese numerals or a +86 prefix."
    ),
    gettext_lazy(
        "Resident ID numbers (18 or 15 digits), bank card numbers and any other run of 12 or "
        "more digits are removed."
    ),
    gettext_lazy(
        "E-mail addresses are removed, also when written with a full-width ＠ or as "
        "“name at domain dot com”."
    ),
    gettext_lazy("QQ and WeChat accounts given after a QQ, WeChat or vx label are removed."),
    gettext_lazy(
        "Building, unit and room numbers are removed (for example 8号楼1单元302室, 8-1-302, "
        "302室, room 302). Vehicle licence plates are removed."
    ),
    gettext_lazy(
        "The complainant's name and the names the company register holds for the company "
        "(legal representative, contact person) are removed, and so are names introduced by "
        "我叫, 我是, 姓名：, 联系人：, by a surname before 先生, 女士, 阿姨, 师傅 or a similar "
        "title, or by Mr. or Ms."
    ),
    gettext_lazy(
        "Each removal leaves a placeholder such as [phone] or [name], so the text stays "
        "readable. The narrative is published only when the complainant consented."
    ),
)
LIMITS = (
    gettext_lazy(
        "A name that no cue introduces and the complaint does not hold (a bare full name in "
        "the middle of a sentence) cannot be recognised."
    ),
    gettext_lazy(
        "A room number written without 室, 房, a building or a unit (“住302隔壁”) and numbers "
        "spelled out in words or broken up by letters or extra digits may pass."
    ),
    gettext_lazy(
        "Removal errs on the safe side: a long order number or a word after a cue may be "
        "removed although it is not personal data."
    ),
)

# 1. E-mail addresses ------------------------------------------------------------------------

_LOCAL = r"[A-Za-z0-9ａ-ｚＡ-Ｚ０-９._%+\-]+"
_LABEL = r"[A-Za-z0-9ａ-ｚＡ-Ｚ０-９\-]+"
_TLD = r"[A-Za-zａ-ｚＡ-Ｚ]{2,}"
_AT = (
    r"(?:\s*[\[(（【<{]\s*(?i:at|@|＠|艾特)\s*[\])）】>}]\s*"
    r"|\s+(?i:at)\s+|\s*(?:艾特|#)\s*|\s?[@＠]\s?)"
)
_DOT = r"(?:\s*[\[(（【<{]\s*(?i:dot|点)\s*[\])）】>}]\s*|\s+(?i:dot)\s+|[.．]|\s*点\s*)"
_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9._%+\-]){_LOCAL}{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}{_TLD}"
    r"(?![A-Za-z0-9\-])"
)

# 2. QQ / WeChat accounts after a label ----------------------------------------------------

_ACCOUNT = re.compile(
    r"(?P<label>(?:(?<![A-Za-z])(?i:qq|wechat|weixin|vx|wx)|ｑｑ|ＱＱ|扣扣|企鹅|微信|薇信|威信|[vV]信)"
    r"[ \t]*(?P<explicit>(?:号|账号|帐号|(?i:id))?[ \t]*(?:[:：]|是|为)?)[ \t]*)"
    r"(?P<account>[A-Za-z0-9_\-ａ-ｚＡ-Ｚ０-９＿－]{5,30})(?![A-Za-z0-9_\-])"
)

# 3. Licence plates (车牌) ------------------------------------------------------------------

_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][·・ ]?"
    r"(?=[A-Z]{0,5}\d)[A-HJ-NP-Z0-9]{5,6}(?![A-Za-z0-9])"
)

# 4. Numbers --------------------------------------------------------------------------------

_CHINESE_DIGITS = {
    **dict.fromkeys("〇零", "0"),
    **dict.fromkeys("一幺壹", "1"),
    **dict.fromkeys("二贰貳", "2"),
    **dict.fromkeys("三叁參", "3"),
    **dict.fromkeys("四肆", "4"),
    **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆陸", "6"),
    **dict.fromkeys("七柒", "7"),
    **dict.fromkeys("八捌", "8"),
    **dict.fromkeys("九玖", "9"),
}
_DIGIT = rf"[\d①-⑨⓪{''.join(_CHINESE_DIGITS)}]"
_GAP = r"[ \t\u3000\u00a0]{0,2}"
_SEP = rf"{_GAP}(?:[\-‐‑‒–—―－_.．·・/()（）]{_GAP})?"
# A run: digits that separators join, with a leading "+" or "(" and a trailing ID check "X".
_RUN = re.compile(rf"(?P<lead>[+＋(（])?{_DIGIT}(?:{_SEP}{_DIGIT})*(?P<x>[XxＸｘ](?![A-Za-z0-9]))?")
_PHONE_CUE = re.compile(
    r"(?:电话|手机|座机|固话|号码|联系方式|热线|(?i:tel|phone|mobile|call))"
    r"[ \t]*(?:号码?)?[ \t]*(?:[:：]|是|为)?[ \t]*$"
)
_MOBILE = re.compile(r"(?P<cc>(?:00)?86)?1[3-9]\d{9}")
_ID = re.compile(r"[1-9]\d{16}[\dX]|[1-9]\d{14}")
_LANDLINE = re.compile(r"0[1-9]\d{8,10}")
_ABROAD_LANDLINE = re.compile(r"(?P<cc>(?:00)?86)[1-9]\d{8,10}")
_LONG = 12  # an unbroken run this long is an account, an order or a card number: removed
_CUED = 7  # digits after 电话 / tel: a local number without its area code
# A date written with separators ("电话 2026-11-30" is a call on a day, not a number).
_DATE = re.compile(r"(?:19|20)\d{2}([\-/.．])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])")

PHONE, ID_NUMBER, ACCOUNT = "phone", "id", "account"


def _digit(ch: str) -> str | None:
    if ch in _CHINESE_DIGITS:
        return _CHINESE_DIGITS[ch]
    if ch in "XxＸｘ":
        return "X"
    value = unicodedata.digit(ch, None)
    return None if value is None else str(value)


def _phone_shape(sizes: list[int]) -> bool:
    """How people group a mobile number: unbroken, in blocks of at most four, 3-8 or 7-4.
    (An amount range "130000-150000" has the digits of a mobile number, not its shape.)"""
    return len(sizes) == 1 or all(size <= 4 for size in sizes) or tuple(sizes) in {(3, 8), (7, 4)}


def _classify(digits: str, sizes: list[int]) -> str | None:
    """What a run of whole groups is, if it is something to remove."""
    mobile = _MOBILE.fullmatch(digits)
    if mobile:
        cc = len(mobile["cc"] or "")
        if cc and len(sizes) > 1 and sizes[0] != cc:
            return None
        return PHONE if _phone_shape(sizes[1:] if cc and len(sizes) > 1 else sizes) else None
    if _ID.fullmatch(digits) and (len(sizes) == 1 or min(sizes[:-1]) >= 3):
        return ID_NUMBER
    if _LANDLINE.fullmatch(digits) and (len(sizes) == 1 or 3 <= sizes[0] <= 4):
        return PHONE
    abroad = _ABROAD_LANDLINE.fullmatch(digits)
    if abroad and len(sizes) > 2 and sizes[0] == len(abroad["cc"]) and sizes[1] in (2, 3):
        return PHONE
    if 16 <= len(digits) <= 19 and digits[0] in "3456" and set(sizes[:-1]) <= {4}:
        return ACCOUNT  # a bank card, 6222 0212 3456 7890
    return None


def _whole_groups(digits: str, groups: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Spans of whole groups that classify, the longest first: "110101 19900307 1234" is one
    ID number, "2026-11-30 13812345678" a date and a mobile number."""
    found = []
    first = 0
    while first < len(groups):
        for last in range(min(len(groups) - 1, first + 19), first - 1, -1):
            start, end = groups[first][0], groups[last][1]
            sizes = [e - s for s, e in groups[first : last + 1]]
            kind = end - start <= 20 and _classify(digits[start:end], sizes)
            if kind:
                found.append((start, end, kind))
                first = last + 1
                break
        else:
            first += 1
    return found


def _glued_mobiles(digits: str, groups: list[tuple[int, int]], taken: list[bool]):
    """Mobile numbers glued to other digits: "138 1234 56783天" (it starts a group) or
    "213812345678" (inside one unbroken group); not "2026-11-30 1000-2000", whose middle has
    the digits of one."""
    group_of = [g for g, (s, e) in enumerate(groups) for _i in range(s, e)]
    for g, (first, end) in enumerate(groups):
        for start in range(first, end) if end - first > 11 else (first,):
            match = _MOBILE.match(digits, start)
            if not match or any(taken[match.start() : match.end()]):
                continue
            core = range(match.start() + len(match["cc"] or ""), match.end())
            inside = sorted({group_of[i] for i in core})
            sizes = [sum(1 for i in core if group_of[i] == h) for h in inside]
            if (start == first or inside == [g]) and _phone_shape(sizes):
                taken[match.start() : match.end()] = [True] * len(match[0])
                yield (*match.span(), PHONE)


def _find(digits: str, groups: list[tuple[int, int]], cued: bool) -> list[tuple[int, int, str]]:
    """(start, end, kind) spans of ``digits`` to remove."""
    found = _whole_groups(digits, groups)
    taken = [False] * len(digits)
    for start, end, _kind in found:
        taken[start:end] = [True] * (end - start)
    found += _glued_mobiles(digits, groups, taken)
    # What is left of an unbroken group of 12 or more digits: an account or order number.
    for first, end in groups:
        for key, stretch in itertools.groupby(range(first, end), key=lambda i: taken[i]):
            indexes = list(stretch)
            if not key and len(indexes) >= _LONG:
                found.append((indexes[0], indexes[-1] + 1, ACCOUNT))
    if not found and cued and len(digits) >= _CUED:
        found.append((0, len(digits), PHONE))
    return sorted(found)


def _numbers(match: re.Match) -> str:
    run = match[0]
    digits, positions, groups = [], [], []
    for offset, ch in enumerate(run):
        value = _digit(ch)
        if value is None:
            continue
        if positions and positions[-1] == offset - 1:
            groups[-1] = (groups[-1][0], len(digits) + 1)
        else:
            groups.append((len(digits), len(digits) + 1))
        digits.append(value)
        positions.append(offset)
    before = match.string[max(0, match.start() - 16) : match.start()]
    cued = bool(_PHONE_CUE.search(before)) and not _DATE.fullmatch(run.strip())
    spans = _find("".join(digits), groups, cued=cued)
    if not spans:
        return run
    pieces, done = [], 0
    for start, end, kind in spans:
        begin, finish = positions[start], positions[end - 1] + 1
        lead = match["lead"]
        if start == 0 and lead and (lead in "+＋" or re.search(r"[)）]", run[begin:finish])):
            begin = 0
        pieces += [run[done:begin], _placeholder(kind)]
        done = finish
    return "".join(pieces) + run[done:]


# 5. Building, unit and room numbers -------------------------------------------------------

_NUM = r"[0-9０-９〇零一二三四五六七八九十两]{1,4}"
_ROOM_DIGITS = r"[0-9０-９〇零一二三四五六七八九]{3,5}"
_BUILDING = rf"(?:{_NUM}|[A-Za-zＡ-Ｚ]{{1,2}}) ?(?:号楼|号院|栋|幢|座|#楼|#|号)"
_UNIT = rf"{_NUM} ?单元"
_FLOOR = rf"{_NUM} ?(?:楼|层)"
_ROOM_NUMBER = rf"(?:[A-Za-z]?{_ROOM_DIGITS}[A-Za-z]?|\d{{1,2}}[-－]\d{{3,5}})"
# After a room number: not an amount, a count or a length ("3栋120户" is households).
_NOT_A_ROOM = r"(?![0-9０-９元块天次个人年月日米平㎡%％多余几来岁分秒小\-－~～至到])"
_ROOM = re.compile(
    rf"(?:(?:{_BUILDING}|{_UNIT}|{_FLOOR}) ?)+{_ROOM_NUMBER} ?(?:室|房间|号房|房|号|户)?"
    rf"{_NOT_A_ROOM}"
    rf"|(?<![0-9０-９]){_ROOM_DIGITS} ?(?:室|房间|号房|房)"
    r"|(?<![\d\-])\d{1,3}[-－]\d{1,2}[-－]\d{3,5}(?![\d\-])(?: ?室)?"
    rf"|(?<=住在)\s*{_ROOM_NUMBER}{_NOT_A_ROOM}|(?<=家住)\s*{_ROOM_NUMBER}{_NOT_A_ROOM}"
    r"|(?:(?i:\b(?:building|bldg\.?|block|tower))\s*#?\s*(?:\d{1,3}|[A-Z])\b[\s,]*)?"
    r"(?i:\b(?:room|rm\.?|flat|apt\.?|apartment|suite|unit))\s*(?:(?i:no\.?)\s*)?#?\s*"
    r"(?:\d{1,5}[A-Za-z]?|[A-Za-z]\d{1,5})\b"
)

# 6. Names ---------------------------------------------------------------------------------

# Common surnames, without the characters that mostly begin or end ordinary words before a
# title (安 保安师傅, 管 物管经理, 项 项目经理, 位 这位女士…).
_SINGLE_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎"
    "贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿焦"
    "俞左柳甘祝包尚符舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝游辛靳柴蒙鲍喻祁蒲滕屈饶牟艾尤"
    "穆卓古吉缪简麦褚娄窦戚岑景党宫费卜冷晏席米柏宗瞿桂佟臧闵苟邬边卞姬仇栾隋商刁沙荣巫寇桑"
    "郎甄丛仲虞敖巩佘池麻苑迟邝匡鞠惠荆冀郁胥储栗燕楚鄢劳谌奚皮粟冼蔺闻厉伊仝郜阚权帅屠"
)
_COMPOUND_SURNAMES = (
    "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|令狐|夏侯|端木|独孤|南宫|"
    "西门|百里|呼延|轩辕|钟离"
)
_SURNAME = rf"(?:{_COMPOUND_SURNAMES}|[{_SINGLE_SURNAMES}])"
# A character of a given name: any Chinese character but those that end a name in a sentence.
_GIVEN = (
    r"(?:(?![的了是在和与及住说等位个名这那些每某其该此我你他她它们就也都还又要会能想把被给"
    r"向从对跟让叫姓今昨去来])[\u4e00-\u9fff])"
)
_CN_NAME = rf"(?:[老小])?{_SURNAME}(?: ?{_GIVEN}){{0,2}}"
_ANY_CN_NAME = rf"{_GIVEN}(?: ?{_GIVEN}){{1,3}}"
_LATIN_NAME = r"[A-Z][a-z'’]+(?:[ \-][A-Z][a-z'’]+){0,2}"
_BOUNDARY = r"(?=[\s，。,.!！?？;；:：、)）]|$)"
_TITLES = "先生|女士|小姐|阿姨|师傅|大爷|大妈|大姐|大哥|大叔|经理|主任"
# A surname character that ends an ordinary word before a title: 对方女士, 其余先生.
_NOT_A_NAME = {
    "对方", "双方", "地方", "官方", "甲方", "乙方", "南方", "北方", "对于", "关于", "至于",
    "由于", "等于", "属于", "其余", "业余", "多余", "担任", "主任", "信任", "责任", "前任",
    "现任", "继任", "黄金", "资金", "现金", "押金", "租金", "一万", "上万", "几万",
}  # fmt: skip

_CUED_NAMES = (
    # A label and a colon: whatever name follows.
    re.compile(
        r"(?P<cue>(?:姓名|名字|联系人|投诉人|举报人|反映人|称呼"
        r"|(?<![A-Za-z])(?i:contact person|contact|name))\s*[:：]\s*)"
        rf"(?P<name>{_ANY_CN_NAME}|{_LATIN_NAME})"
    ),
    # "My name is": a name that starts with a surname (我叫物业来修 is not a name).
    re.compile(
        r"(?P<cue>(?:我叫|本人叫|名叫|名字叫|名字是"
        r"|(?<![A-Za-z])(?i:my name is|my name's|i am called|call me))\s*)"
        rf"(?P<name>{_CN_NAME}|{_LATIN_NAME})"
    ),
    # "I am": only a surname-led name that ends where the phrase ends (我是高层住户 is not).
    re.compile(rf"(?P<cue>(?:我是|本人是|本人)\s*)(?P<name>{_CN_NAME}){_BOUNDARY}"),
    re.compile(rf"(?P<cue>(?:我姓|本人姓)\s*)(?P<name>{_SURNAME})"),
)
_TITLED = re.compile(rf"(?:[老小])?(?P<surname>{_SURNAME})(?:{_GIVEN}){{0,2}}(?:{_TITLES})")
_HONORIFIC = re.compile(
    r"(?<![A-Za-z])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Madam|Mme)\.?\s+[A-Z][A-Za-z'’\-]+"
    r"(?:\s+[A-Z][A-Za-z'’\-]+)?"
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _known_names(names: Iterable[str]) -> re.Pattern | None:
    """One pattern for the given names in any spacing ("王 小 明", "john  SMITH"); a Chinese
    name of three or more characters also stands for its given name (小明)."""
    variants = set()
    for name in names:
        words = (name or "").split()
        if not words:
            continue
        if _CJK.search("".join(words)):
            compact = "".join(words)
            variants |= {compact, compact[-2:] if len(compact) >= 3 else ""}
        else:
            variants.add(" ".join(words))
    patterns = []
    for variant in sorted((v for v in variants if len(v.replace(" ", "")) >= 2), key=len)[::-1]:
        if _CJK.search(variant):
            patterns.append(r"[\s·・\-_.]*".join(map(re.escape, variant)))
        else:
            spaced = r"[\s\-_.]+".join(map(re.escape, variant.split()))
            patterns.append(rf"(?<![A-Za-z]){spaced}(?![A-Za-z])")
    return re.compile("|".join(patterns), re.IGNORECASE) if patterns else None


def _titled(match: re.Match) -> str:
    start = match.start("surname")
    if match.string[max(0, start - 1) : start + 1] in _NOT_A_NAME:
        # "对方女士": the surname character ends a word; look for a name after it.
        return match[0][: start - match.start() + 1] + _TITLED.sub(
            _titled, match[0][start - match.start() + 1 :]
        )
    return _("[name]")


def _cued(match: re.Match) -> str:
    return match["cue"] + _("[name]")


# Public API --------------------------------------------------------------------------------


def _placeholder(kind: str) -> str:
    if kind == ID_NUMBER:
        return _("[ID number]")
    if kind == ACCOUNT:
        return _("[account]")
    return _("[phone]")


def public_text(text: str | None, *, names: Iterable[str] = ()) -> str:
    """``text`` without contact details, ID, account and room numbers, plates and names
    (``names``: the ones the caller knows, in full; pieces shorter than two are ignored)."""
    text = _EMAIL.sub(lambda m: _("[e-mail]"), text or "")
    text = _ACCOUNT.sub(_account, text)
    text = _PLATE.sub(lambda m: _("[licence plate]"), text)
    text = _RUN.sub(_numbers, text)
    text = _ROOM.sub(lambda m: _("[room]"), text)
    known = _known_names(names)
    if known is not None:
        text = known.sub(lambda m: _("[name]"), text)
    for pattern in _CUED_NAMES:
        text = pattern.sub(_cued, text)
    text = _TITLED.sub(_titled, text)
    return _HONORIFIC.sub(lambda m: _("[name]"), text)


def _account(match: re.Match) -> str:
    account = match["account"]
    # "WeChat group" is no account: a bare word needs a colon or 号 after the label.
    if not match["explicit"].strip() and not re.search(r"[\d_\-０-９＿－]", account):
        return match[0]
    return match["label"] + _("[account]")


def complaint_names(complaint) -> list[str]:
    """The names a complaint's text could give away: the complainant's own, and the people the
    register names for its company (legal representative, contact person)."""
    names = [complaint.contact_name]
    company = getattr(complaint, "company", None)
    if company is not None:
        names += [
            getattr(company, "legal_representative", ""),
            getattr(company, "contact_name", ""),
        ]
    return [n for n in names if n]


def public_description(complaint) -> str:
    """The narrative for the public, or "" when the complainant did not consent."""
    if not complaint.consent_to_publish:
        return ""
    return public_text(complaint.description, names=complaint_names(complaint))
