"""Vacancy text that demands a protected attribute, refused at posting.

China's Employment Promotion Law and the Ministry of Human Resources' recruitment rules
forbid job ads that restrict gender, age, marital or childbearing status, ethnicity,
religion or household registration. The screen reads a text clause by clause (a Chinese
clause ends at a comma, a stop or a line; an English one at a sentence's end), and finds two
kinds of phrase:

- a *demand*: a phrase that restricts by itself ("男性优先", "35岁以下", "men only",
  "未婚", "hukou");
- a *mention* of an attribute ("男性", "已婚", "religion", "pregnant") that is a demand only
  when its clause asks for something ("要求", "限", "勿扰", "only", "must", "preferred",
  a "性别：" label) or holds nothing else (an ad's list of requirements: "汉族，未婚").

Neither counts in a clause that negates or opens the attribute ("不限", "婚育不限",
"regardless of", "without age limit", "欢迎", an equal-opportunity sentence) unless the clause
also restricts ("只", "仅", "only"); a mention does not count where it names the staff who
receive a benefit ("为已婚员工提供婚假", "support for pregnant employees") or the subject of the
work ("宗教事务局", "data race", "women's footwear"). The refusal quotes the phrase found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GENDER = "gender"
AGE = "age"
MARITAL = "marital or childbearing status"
ETHNICITY = "ethnicity"
RELIGION = "religion"
HUKOU = "household registration"


@dataclass(frozen=True)
class ProtectedPhrase:
    attribute: str
    phrase: str


# "under 35" is an age when nothing follows it, or "years" (not of experience), "only",
# a punctuation mark...; "under 50 ms", "over 10 years' experience" and "over 20
# engineers" are not. "Over 18" is the lawful minimum, like 18周岁以上.
_AGE_CONTEXT_EN = (
    r"(?=\s*(?:years?|yrs?)\b(?!'?\s*(?:of\s+)?(?:experience|exp\b|work|in\b))|\s*y/?o\b|\s*[,.;:()!?]|\s*$"
    r"|\s+(?:only|preferred|please|applicants?|candidates?|need\b|will\b|must\b|and\b|or\b))"
)
_GENDER_ZH = r"(?:男|女)(?:性|士|生|的)?"
_ETHNIC_GROUPS = r"(?:汉|回|藏|维吾尔|蒙古|壮|苗|彝|满|朝鲜|土家|哈萨克|傣|黎|侗|瑶|白|布依)族"

_DEMANDS: list[tuple[str, str]] = [
    (
        GENDER,
        rf"(?:(?<!不)限招?|仅限|只招|仅招|只限|只要|要求|需|须)\s*{_GENDER_ZH}"
        rf"|(?<![男女]){_GENDER_ZH}\s*(?:优先|勿扰|勿投|免谈|不要|不招|谢绝)"
        r"|性别\s*(?:要求|限制)?\s*[：:]\s*[男女]"
        r"|招(?:聘|收)?\s*[男女](?![装鞋包款性士])\w",
    ),
    (
        GENDER,
        r"\b(?:(?:men|women|males?|females?)\s+(?:only|need\s+apply)|(?:male|female|men|women)\s+preferred"
        r"|only\s+(?:men|women|males?|females?)|(?:male|female)\s+(?:applicants|candidates)\s+only"
        r"|(?:gender|sex)\s*:\s*(?:male|female|m|f)|must\s+be\s+(?:a\s+)?(?:male|female|man|woman))\b",
    ),
    (
        AGE,
        r"(?:不得|不能|不)?(?:超过|大于|高于)\s*\d{2}\s*周?岁|(?<!年龄)(?<!\d)\d{2}\s*周?岁\s*(?:以下|以内|之间)"
        r"|[2-9]\d\s*周?岁\s*以上|\d{2}\s*[-—至到~]\s*\d{2}\s*周?岁"
        r"|(?<!平均)(?:年龄|年纪)\s*(?:在|要求|限|上限|下限|不超过|不超|低于|小于|大于)?\s*[：:]?\s*\d{2}"
        r"(?:\s*[-—至到~]\s*\d{2})?\s*周?岁?(?:以下|以内|以上|之间|左右)?",
    ),
    (
        AGE,
        r"\b(?:(?:under|below|younger\s+than)\s+(?:the\s+age\s+of\s+)?\d{2}"
        r"|(?:over|above|older\s+than)\s+(?:the\s+age\s+of\s+)?(?:19|[2-9]\d))\b"
        + _AGE_CONTEXT_EN
        + r"|\b\d{2}\s+or\s+(?:younger|under|below|less)\b|\bunder\s+the\s+age\s+of\s+\d{2}\b"
        r"|\baged?\s+(?:between\s+)?\d{2}\s*(?:-|–|to|and)\s*\d{2}\b"
        r"|\bbetween\s+\d{2}\s+and\s+\d{2}\s+years\b|\b(?:maximum|max\.?|minimum|min\.?)\s+age\b"
        r"|\bage\s*(?:requirement|range|limit)?\s*:\s*\d{2}|\bage\s+limit\b",
    ),
    (
        MARITAL,
        r"未婚|已育|未育|婚否|婚育|(?:生育|怀孕|要孩子)计划|孕妇|(?:不打算|不准备|暂不|无)\S{0,3}[要生]\S{0,2}(?:孩子|小孩|二胎|三胎)",
    ),
    (
        MARITAL,
        r"\b(?:unmarried|childless|childbearing|must\s+be\s+single|no\s+(?:kids|children)|marital\s+status"
        r"|(?:single|married)\s+(?:applicants|candidates|people)\s+(?:only|preferred))\b",
    ),
    (
        ETHNICITY,
        rf"(?:(?<!不)限|只招|仅招|要求)\s*\S{{0,2}}族人?|{_ETHNIC_GROUPS}(?:人|员工)?\s*(?:勿扰|勿投|优先)",
    ),
    (ETHNICITY, r"\b(?:han\s+(?:chinese\s+)?only|ethnic\s+(?:han|origin|background)|ethnicity)\b"),
    (RELIGION, r"信教|(?:不招|不收|谢绝)\S{0,4}宗教|无宗教信仰"),
    (RELIGION, r"\b(?:(?:christians?|muslims?|buddhists?)\s+only|religion)\b"),
    (
        HUKOU,
        r"(?:本地|本市|本省|城镇|农村|非农|常住)\s*(?:户口|户籍)|(?:要求|(?<!不)限|需|须)\S{0,4}(?:户口|户籍)"
        r"|户籍\s*(?:要求|限(?!制))|本地人|本市人|本地生源",
    ),
    (HUKOU, r"\b(?:local\s+residents?\s+only|locals\s+only)\b"),
]
_MENTIONS: list[tuple[str, str]] = [
    (GENDER, rf"{_GENDER_ZH}|\b(?:males?|females?|men|women|man|woman|ladies|gentlemen)\b(?!['’]s)"),
    (
        MARITAL,
        r"已婚|离异|离婚|生育|怀孕|孕期|宝妈|宝爸|[要生]\S{0,2}(?:孩子|小孩|二胎|三胎)"
        r"|\b(?:married|single|divorced|pregnan\w*|mothers?|have\s+(?:a\s+)?(?:baby|babies|children|kids))\b",
    ),
    (ETHNICITY, rf"{_ETHNIC_GROUPS}|少数民族|\b(?:ethnic\w*|race|racial|han|uyghurs?|tibetans?)\b"),
    (
        RELIGION,
        r"宗教|(?:伊斯兰|基督|天主|佛|道)教|\b(?:religious|christians?|muslims?|buddhists?|catholics?|jews?|jewish)\b",
    ),
    (HUKOU, r"户口|户籍|外地人|\b(?:hukou|household\s+registration|local\s+residen\w+|non-?locals?)\b"),
]

_CLAUSE_END = re.compile(r"[，。；！？\n]|[.;!?](?=\s|$)|(?<=[\u4e00-\u9fff]),")
_OPEN = re.compile(
    r"不限|不论|无论|不分|不问|不计|不设|不询问|不过问|均可|皆可|一视同仁|平等|不因|歧视|欢迎|不要求|无需"
    r"|无.{0,6}(?:限制|要求)|不影响"
    r"|\b(?:regardless|irrespective|without\s+regard|not\s+a\s+factor|not\s+required|welcome\w*|(?:do|does)\s+not\s+(?:ask|affect)"
    r"|equal(?:ly)?\s+opportunit\w*|discriminat\w*|any\s+(?:gender|age|sex|background)"
    r"|(?:no|without)\s+(?:\w+\s+)?limits?)\b",
    re.IGNORECASE,
)
_RESTRICTS = re.compile(r"只|仅|(?<!不)限(?!制)|\bonly\b|\bmust\b", re.IGNORECASE)
_ASKS = re.compile(
    r"要求|(?<!不)限|仅|只|须|需|优先|适合|专属|专招|勿|不要|不招|不收|不录|不聘|不予|不得|不接受|不考虑|免谈|谢绝|以上|以下|以内|[：:]"
    r"|\b(?:only|must|required?|requirement|prefer\w*|should|need\s+apply|looking\s+for|seeking|wanted|ideal|restrict\w*|will\s+be|no|not)\b",
    re.IGNORECASE,
)
_BENEFIT = re.compile(
    r"提供|享受|享有|福利|假|补贴|津贴|保险|宿舍|关爱|照顾|协助|可申请|员工|职工"
    r"|\b(?:benefits?|leave|allowance|support|assistance|gift|flexible|paid|staff|employees|colleagues)\b",
    re.IGNORECASE,
)
_SUBJECT = re.compile(
    r"宗教事务|民族事务|民族宗教|宗教政策|少数民族(?:政策|语言|地区|文化|事务|教育)|户籍(?:业务|窗口|管理)|孕婴|母婴"
    r"|\b(?:data\s+races?|race\s+conditions?|race\s+cars?"
    r"|(?:religious|ethnic|ethnic\s+minority)\s+(?:affairs|studies|publishing|texts?|art|music|dance|food|cuisine"
    r"|festivals?|holidays?|buildings?|education|policy|culture))\b",
    re.IGNORECASE,
)
_LABEL = re.compile(r"[\s()（）:：、/&]|\b(?:and|or)\b|和|或")


def _compiled(rules: list[tuple[str, str]]) -> list[tuple[str, re.Pattern[str]]]:
    return [(attribute, re.compile(pattern, re.IGNORECASE)) for attribute, pattern in rules]


_DEMAND_PATTERNS = _compiled(_DEMANDS)
_MENTION_PATTERNS = _compiled(_MENTIONS)


def protected_phrases(text: str) -> list[ProtectedPhrase]:
    """Every protected-attribute demand found in ``text``, in order of appearance."""
    found: list[tuple[int, ProtectedPhrase]] = []
    start = 0
    for end in [*(match.start() for match in _CLAUSE_END.finditer(text)), len(text)]:
        found.extend((start + at, phrase) for at, phrase in _demands_in(text[start:end]))
        start = end + 1
    return [phrase for _, phrase in sorted(found, key=lambda item: item[0])]


def _demands_in(clause: str) -> list[tuple[int, ProtectedPhrase]]:
    restricts, asks = bool(_RESTRICTS.search(clause)), bool(_ASKS.search(clause))
    benefit = bool(_BENEFIT.search(clause))
    if not restricts and (_OPEN.search(clause) or (benefit and not asks)):
        return []
    demands = _matches(_DEMAND_PATTERNS, clause, [])
    subjects = [match.span() for match in _SUBJECT.finditer(clause)]
    mentions = _matches(_MENTION_PATTERNS, clause, [*(span for span, _ in demands), *subjects])
    rest = clause
    for (start, end), _ in [*demands, *mentions]:
        rest = rest[:start] + " " * (end - start) + rest[end:]
    listed = not _LABEL.sub("", rest)  # nothing but attributes, as an ad lists its requirements
    if listed or (asks and (restricts or not benefit)):
        demands += mentions
    return [(start, phrase) for (start, _), phrase in sorted(demands, key=lambda item: item[0])]


def _matches(
    patterns: list[tuple[str, re.Pattern[str]]], clause: str, taken: list[tuple[int, int]]
) -> list[tuple[tuple[int, int], ProtectedPhrase]]:
    """The phrases ``patterns`` find in ``clause``, outside ``taken`` and each other's spans."""
    found: list[tuple[tuple[int, int], ProtectedPhrase]] = []
    for attribute, pattern in patterns:
        for match in pattern.finditer(clause):
            start, end = match.span()
            if not any(s < end and start < e for s, e in [*taken, *(span for span, _ in found)]):
                found.append(((start, end), ProtectedPhrase(attribute, match.group(0))))
    return found
