"""Public texts lose every phone, ID number, e-mail address, account, room number and name,
however they are written, and ordinary text passes unchanged: properties over generated texts
(hypothesis) and a table of adversarial examples."""

import datetime as dt
import re
import unicodedata

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cases.deidentify import complaint_names, public_description, public_text
from cases.models import Complaint
from enterprises.models import Company

# Ordinary complaint text, with the numbers complaints hold: days, times, amounts, floors.
FILLER = [
    "电梯停运三天",
    "已报修两次",
    "物业一直没有处理",
    "楼道里的灯坏了",
    "垃圾没人清理",
    "小区门口积水严重",
    "晚上10点以后还在施工",
    "等了3天",
    "报修2次",
    "每月多交了50元",
    "停车费涨到每月300元",
    "2026年11月30日",
    "2026-11-30",
    "热线12345也打过",
    "3号楼的电梯",
    "12楼以上没有水",
    "保安师傅态度不好",
    "保洁阿姨很辛苦",
    "项目经理不接电话",
    "对方女士说明天再来",
    "这位先生说会处理",
    "维修基金1000-2000元不等",
    "2室1厅的房子漏水",
    "小区有120户",
    "已经第5次了",
    "the lift has been broken for 3 days",
    "I called the hotline twice",
    "nobody came at night",
    "the fee went up by 50 yuan",
    "water leaks from the ceiling",
    "the security guard was rude",
]
JOINS = ["，", "。", " ", "；", "！", "\n", ", "]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN_CHARS = "伟芳娜秀敏静丽磊军洋艳杰娟涛超霞婷辉刚"

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CHINESE = str.maketrans("0123456789", "〇一二三四五六七八九")
SQUASH = str.maketrans("〇零一幺二三四五六七八九", "001123456789")


def squashed(text: str) -> str:
    """The text as an attacker would read it back: half-width, 一二三 as digits, lower case,
    without the spaces, hyphens, dots and brackets that break a number up."""
    text = unicodedata.normalize("NFKC", text).translate(SQUASH).lower()
    return re.sub(r"[\s\-‐‑–—.·_/()]", "", text)


def filler() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(FILLER), min_size=0, max_size=3).map("，".join)


@st.composite
def embedded(draw, writings: st.SearchStrategy[str]) -> str:
    """A written value between ordinary text, joined by punctuation or a space."""
    before, after = draw(filler()), draw(filler())
    value = draw(writings)
    return draw(st.sampled_from(JOINS)).join(p for p in (before, value, after) if p)


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


# Generated values and the ways people write them ------------------------------------------

mobiles = st.builds(lambda head, rest: head + rest, st.sampled_from("3456789"), digits(9)).map(
    lambda tail: "1" + tail
)
MOBILE_WRITINGS = [
    lambda d: d,
    lambda d: f"{d[:3]} {d[3:7]} {d[7:]}",
    lambda d: f"{d[:3]}-{d[3:7]}-{d[7:]}",
    lambda d: f"{d[:3]}.{d[3:7]}.{d[7:]}",
    lambda d: f"{d[:3]}\u3000{d[3:7]}\u3000{d[7:]}",
    lambda d: f"{d[:3]} - {d[3:7]} - {d[7:]}",
    lambda d: f"({d[:3]}) {d[3:7]} {d[7:]}",
    lambda d: " ".join(d),
    lambda d: d.translate(FULL_WIDTH),
    lambda d: f"{d[:3]}－{d[3:7]}－{d[7:]}".translate(FULL_WIDTH),
    lambda d: d.translate(CHINESE),
    lambda d: f"+86 {d}",
    lambda d: f"+86-{d[:3]}-{d[3:7]}-{d[7:]}",
    lambda d: f"＋８６{d.translate(FULL_WIDTH)}",
    lambda d: f"86{d}",
    lambda d: f"0086 {d}",
    lambda d: f"{d[:7]} {d[7:]}",
    lambda d: f"{d[:3]} {d[3:]}",
]


@st.composite
def written_mobiles(draw) -> tuple[str, str]:
    number = draw(mobiles)
    return number, draw(st.sampled_from(MOBILE_WRITINGS))(number)


@st.composite
def written_landlines(draw) -> tuple[str, str]:
    area = draw(st.sampled_from(["010", "021", "0755", "0571", "0871"]))
    local = draw(st.sampled_from("2345678")) + draw(digits(7))
    writing = draw(
        st.sampled_from(
            [
                f"{area}-{local}",
                f"{area} {local[:4]} {local[4:]}",
                f"({area}){local}",
                f"（{area}）{local}",
                f"{area}-{local[:4]}-{local[4:]}",
                f"+86 {area[1:]} {local}",
                f"{area}{local}",
            ]
        )
    )
    return local, writing


@st.composite
def written_ids(draw) -> tuple[str, str]:
    region = str(draw(st.integers(110000, 659999)))
    born = draw(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2010, 12, 31)))
    sequence = draw(digits(3))
    if draw(st.booleans()):
        number = f"{region}{born:%y%m%d}{sequence}"  # the old 15-digit number
        writings = [number, f"{number[:6]} {number[6:12]} {number[12:]}"]
    else:
        number = f"{region}{born:%Y%m%d}{sequence}{draw(st.sampled_from('0123456789X'))}"
        writings = [
            number,
            number.lower(),
            f"{number[:6]} {number[6:14]} {number[14:]}",
            f"{number[:6]}-{number[6:14]}-{number[14:]}",
            number.translate(FULL_WIDTH),
        ]
    return number, draw(st.sampled_from(writings))


@st.composite
def written_emails(draw) -> tuple[str, str]:
    local = draw(st.from_regex(r"[a-z]{2,6}[._]?[a-z]{0,3}[0-9]{2,4}", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z][a-z0-9]{1,8}", fullmatch=True))
    tld = draw(st.sampled_from(["com", "cn", "net", "org", "com.cn"]))
    words = tld.replace(".", " dot ")
    writing = draw(
        st.sampled_from(
            [
                f"{local}@{domain}.{tld}",
                f"{local}＠{domain}.{tld}",
                f"{local} @ {domain}.{tld}",
                f"{local} at {domain} dot {words}",
                f"{local} AT {domain} DOT {words.upper()}",
                f"{local}(at){domain}(dot){tld.replace('.', '(dot)')}",
                f"{local}[at]{domain}.{tld}",
                f"{local}艾特{domain}点{tld.replace('.', '点')}",
            ]
        )
    )
    return local, writing


@st.composite
def written_accounts(draw) -> tuple[str, str]:
    handle = draw(st.from_regex(r"[a-z][a-z_]{3,10}[0-9]{1,4}", fullmatch=True))
    qq = draw(st.sampled_from("123456789")) + draw(digits(draw(st.integers(4, 10))))
    value, writing = draw(
        st.sampled_from(
            [
                (handle, f"微信：{handle}"),
                (handle, f"微信号 {handle}"),
                (handle, f"vx {handle}"),
                (handle, f"WeChat: {handle}"),
                (qq, f"QQ {qq}"),
                (qq, f"qq号：{qq}"),
                (qq, f"扣扣{qq}"),
            ]
        )
    )
    return value, writing


@st.composite
def written_rooms(draw) -> tuple[str, str]:
    building, unit = draw(st.integers(1, 30)), draw(st.integers(1, 6))
    room = f"{draw(st.integers(1, 33))}0{draw(st.integers(1, 4))}"
    block = draw(st.sampled_from("ABCD"))
    writing = draw(
        st.sampled_from(
            [
                f"{building}号楼{unit}单元{room}室",
                f"{building}栋{room}",
                f"{building}幢{unit}单元{room}",
                f"{building}栋{unit}-{room}",
                f"{building}-{unit}-{room}",
                f"{room}室",
                f"{room}房",
                f"{block}座{room}",
                f"住在{room}",
                f"room {room}",
                f"Room {room}",
                f"flat {room}{block}",
            ]
        )
    )
    return room, writing


chinese_names = st.builds(
    lambda surname, given: surname + given,
    st.sampled_from(SURNAMES),
    st.text(GIVEN_CHARS, min_size=1, max_size=2),
)


@st.composite
def cued_names(draw) -> tuple[str, str]:
    """A name introduced by a cue; the value that must go is the name or, for a surname and a
    title, the two together."""
    name = draw(chinese_names)
    return draw(
        st.sampled_from(
            [
                (name, f"我叫{name}"),
                (name, f"我是{name}。"),
                (name, f"本人{name}，"),
                (name, f"姓名：{name}"),
                (name, f"联系人：{name}"),
                (name, f"{name}先生"),
                (name, f"{name}师傅"),
                (f"{name[0]}女士", f"{name[0]}女士"),
                (f"{name[0]}阿姨", f"{name[0]}阿姨"),
                (f"{name[0]}师傅", f"{name[0]}师傅"),
                (f"{name[0]}经理", f"{name[0]}经理"),
            ]
        )
    )


def assert_removed(value: str, writing: str, text: str, result: str) -> None:
    assert writing in text  # the generator really embedded it
    assert squashed(value) not in squashed(result), (text, result)


# No example database: runs leave nothing behind and do not depend on earlier ones.
PROPERTY = hypothesis_settings(max_examples=200, deadline=None, database=None)


@PROPERTY
@given(st.data())
def test_mobile_numbers_never_survive(data):
    number, writing = data.draw(written_mobiles())
    text = data.draw(embedded(st.just(writing)))
    assert_removed(number, writing, text, public_text(text))


@PROPERTY
@given(st.data())
def test_landlines_never_survive(data):
    local, writing = data.draw(written_landlines())
    text = data.draw(embedded(st.just(writing)))
    assert_removed(local, writing, text, public_text(text))


@PROPERTY
@given(st.data())
def test_id_numbers_never_survive(data):
    number, writing = data.draw(written_ids())
    text = data.draw(embedded(st.just(writing)))
    assert_removed(number, writing, text, public_text(text))


@PROPERTY
@given(st.data())
def test_email_addresses_never_survive(data):
    local, writing = data.draw(written_emails())
    text = data.draw(embedded(st.just(writing)))
    assert_removed(local, writing, text, public_text(text))


@PROPERTY
@given(st.data())
def test_qq_and_wechat_accounts_never_survive(data):
    account, writing = data.draw(written_accounts())
    text = data.draw(embedded(st.just(writing)))
    assert_removed(account, writing, text, public_text(text))


@PROPERTY
@given(st.data())
def test_room_numbers_never_survive(data):
    room, writing = data.draw(written_rooms())
    text = data.draw(embedded(st.just(writing)))
    result = public_text(text)
    assert_removed(writing, writing, text, result)
    assert not re.search(rf"(?<!\d){room}(?!\d)", squashed(result)), (text, result)


@PROPERTY
@given(st.data())
def test_known_names_never_survive_in_any_spacing(data):
    name = data.draw(chinese_names)
    writing = data.draw(st.sampled_from([name, " ".join(name), "·".join(name)]))
    text = data.draw(embedded(st.just(writing)))
    result = public_text(text, names=[data.draw(st.sampled_from([name, f" {name} "]))])
    assert_removed(name, writing, text, result)


@PROPERTY
@given(st.data())
def test_names_a_cue_introduces_never_survive(data):
    value, writing = data.draw(cued_names())
    text = data.draw(embedded(st.just(writing)))
    assert_removed(value, writing, text, public_text(text))


@PROPERTY
@given(st.lists(st.sampled_from(FILLER), min_size=1, max_size=6), st.sampled_from(JOINS))
def test_ordinary_text_stays_as_it_is(pieces, join):
    text = join.join(pieces)
    assert public_text(text) == text
    assert public_text(text, names=["王伟", "John Smith"]) == text


@PROPERTY
@given(st.data())
def test_removing_twice_changes_nothing_more(data):
    writings = st.one_of(
        written_mobiles().map(lambda pair: pair[1]),
        written_ids().map(lambda pair: pair[1]),
        written_emails().map(lambda pair: pair[1]),
        written_rooms().map(lambda pair: pair[1]),
        cued_names().map(lambda pair: pair[1]),
    )
    text = data.draw(embedded(writings))
    once = public_text(text)
    assert public_text(once) == once


# Adversarial examples, with the exact result -----------------------------------------------

REMOVED = [
    ("请回电13812345678，谢谢", "请回电[phone]，谢谢"),
    ("电话 138 1234 5678", "电话 [phone]"),
    ("手机：138-1234-5678。", "手机：[phone]。"),
    ("手机１３８１２３４５６７８", "手机[phone]"),
    ("打一三八一二三四五六七八找我", "打[phone]找我"),
    ("打幺三八幺二三四五六七八", "打[phone]"),
    ("+86 138 1234 5678", "[phone]"),
    ("(+86)13812345678", "([phone]"),
    ("8613812345678", "[phone]"),
    ("电话13812345678，3天没人管", "电话[phone]，3天没人管"),
    ("电话138 1234 56783天没人管", "电话[phone]3天没人管"),
    ("2026-11-30 13812345678", "2026-11-30 [phone]"),
    ("座机010-12345678", "座机[phone]"),
    ("0755 1234 5678", "[phone]"),
    ("(021)12345678", "[phone]"),
    ("（021）12345678", "[phone]"),
    ("+86 10 1234 5678", "[phone]"),
    ("电话：8765 4321", "电话：[phone]"),
    ("身份证110101199003071234", "身份证[ID number]"),
    ("身份证号 11010119900307123x。", "身份证号 [ID number]。"),
    ("110101 19900307 1234", "[ID number]"),
    ("卡号6222 0212 3456 7890", "卡号[account]"),
    ("订单号20261130123456", "订单号[account]"),
    ("邮箱zhang.san@example.com.cn联系", "邮箱[e-mail]联系"),
    ("zhangsan＠qq.com", "[e-mail]"),
    ("zhangsan at qq dot com", "[e-mail]"),
    ("zhangsan(at)163(dot)com", "[e-mail]"),
    ("13812345678@qq.com", "[e-mail]"),
    ("微信：zhang_san88", "微信：[account]"),
    ("加我vx abc12345", "加我vx [account]"),
    ("QQ号：12345678", "QQ号：[account]"),
    ("WeChat: zhangsan", "WeChat: [account]"),
    ("3号楼2单元501室", "[room]"),
    ("三号楼二单元五零一室", "[room]"),
    ("家住3栋501，", "家住[room]，"),
    ("5-2-501", "[room]"),
    ("1-1-1901", "[room]"),  # building 1, unit 1, room 1901 (a date would be 1901-01-01)
    ("5栋2-501", "[room]"),
    ("501室漏水", "[room]漏水"),
    ("B座1203", "[room]"),
    ("我住在1203", "我住在[room]"),
    ("Building 3, Room 501", "[room]"),
    ("flat 12B", "[room]"),
    ("车牌粤B12345的车", "车牌[licence plate]的车"),
    ("我叫王小明，住在3栋", "我叫[name]，住在3栋"),
    ("我是王小明。", "我是[name]。"),
    ("本人李四，", "本人[name]，"),
    ("我姓王", "我姓[name]"),
    ("姓名：欧阳娜娜", "姓名：[name]"),
    ("联系人：李四", "联系人：[name]"),
    ("张女士说", "[name]说"),
    ("王小明先生来过", "[name]来过"),
    ("楼下的张阿姨说", "楼下的[name]说"),
    ("保安王师傅说", "保安[name]说"),
    ("对方张女士", "对方[name]"),
    ("Mr. Smith said", "[name] said"),
    ("Ms. Jane Doe called", "[name] called"),
    ("my name is John Smith", "my name is [name]"),
    ("Name: Zhang Wei", "Name: [name]"),
]

KEPT = [
    "电梯停运三天，已报修两次",
    "等了3天，报修2次，交了50元",
    "每月50元，2室1厅",
    "2026-11-30上午10点",
    "维修基金130000-150000元",
    "1000-2000元",
    "热线12345",
    "小区有120户",
    "3号楼电梯",
    "3栋1000-2000元",
    "保安师傅说",
    "对方女士说",
    "这位先生说",
    "项目经理不管",
    "我是高层住户",
    "我叫了物业",
    "我叫物业来修",
    "联系人不接电话",
    "不知道名字的保安",
    "在微信群里说过",
    "posted in the WeChat group",
    "I live at Cuihu Garden. The lift is broken",
    "meet at 5.30pm",
    "the unit price is 5 yuan",
]


@pytest.mark.parametrize(("text", "expected"), REMOVED)
def test_adversarial_examples(text, expected):
    with translation.override("en"):
        assert public_text(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_examples_stay(text):
    assert public_text(text) == text


@pytest.mark.parametrize(
    ("names", "text", "expected"),
    [
        (["王小明"], "王小明说", "[name]说"),
        (["王小明"], "王 小 明说", "[name]说"),
        (["王小明"], "小明的妈妈", "[name]的妈妈"),  # the given name stands for the name
        (["John Smith"], "john  SMITH came", "[name] came"),
        (["Li"], "Lift broken, Li said", "Lift broken, [name] said"),
        (["王"], "王先生", "[name]"),  # one character is no name, the title rule still acts
        (["", None, "张"], "张三说", "张三说"),
    ],
)
def test_known_names(names, text, expected):
    with translation.override("en"):
        assert public_text(text, names=names) == expected


def test_placeholders_follow_the_active_language():
    with translation.override("en"):
        assert public_text("13812345678") == "[phone]"
    assert public_text(None) == ""


def test_the_narrative_is_public_only_with_consent():
    company = Company(legal_representative="赵大海", contact_name="钱小红")
    complaint = Complaint(
        description="我是李建国。赵大海和钱小红不管，电话13812345678",
        contact_name="李建国",
        company=company,
        consent_to_publish=True,
    )
    assert complaint_names(complaint) == ["李建国", "赵大海", "钱小红"]
    with translation.override("en"):
        assert public_description(complaint) == "我是[name]。[name]和[name]不管，电话[phone]"
    complaint.consent_to_publish = False
    assert public_description(complaint) == ""


@pytest.mark.parametrize("date", ["2026-11-30", "2026/11/30", "2026.11.30", "2026-1-5"])
def test_a_date_after_the_word_phone_is_a_date_not_a_number(date):
    """Found by the property test above: "项目经理不接电话 2026-11-30" lost its date."""
    text = f"项目经理不接电话 {date}"
    assert public_text(text) == text
    assert public_text("项目经理电话 8765 4321") == "项目经理电话 [电话]"
