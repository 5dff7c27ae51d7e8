"""ORG and PERSON names that news writes in quotes or introduces as an alias.

`（下称“某某科技”）` defines a short name for the organization just named;
`电商平台“X”`, `勒索组织“X”`, `化名「X」`, `卖家“X”` name an organization or a
person by the noun in front of the quotes. The engine then
echoes each name to its unquoted mentions.
"""

from __future__ import annotations

import re
from functools import cache

from annotator.model import Suggestion
from annotator.suggest.base import SuggestContext, make

NAME = "quoted"

_QUOTED = re.compile(r"[“「『\"]([^”」』\"\n，。；]{1,24})[”」』\"]")
_ALIAS_BEFORE = re.compile(r"(?:以下简称|下文简称|以下称|简称|下称|简称为)$")
_ORG_BEFORE = re.compile(
    r"(?:平台|论坛|网站|电商|公司|企业|品牌|商城|组织|机构|集团|团伙|银行|媒体|App|APP|"
    r"名为|叫做|名叫|一家|药房|药店|超市|商场|酒店|连锁|门店|网店|店铺|厂商|服务商|运营商|供应商|"
    r"零售商|报社|外送平台|外卖平台|社区|团购|物流|快递|医院|学校|诊所|银行|券商)$"
)
# Cues that name a person for sure, checked before the generic 名为 (网名为“X”).
_PERSON_NAMING = re.compile(r"(?:网名为|化名为|昵称为|绰号为|外号为|用户名为|账号名为|ID为|id为)$")
# Generic naming cues, after which the noun following the quotes decides (名为“X”的压缩包).
_GENERIC_NAMING = re.compile(r"(?:名为|叫做|名叫)$")
_PERSON_BEFORE = re.compile(
    r"(?:化名|网名|昵称为|昵称|ID为|id为|账号为|账号|绰号|外号|人称|自称|卖家|买家|用户|网友|"
    r"黑客|数据商|商人|博主|主播|群主|站长|名义|男子|女子|名为|叫做|名叫|真名)$"
)
_ORG_AFTER = re.compile(
    r"^(?:(?:的|是|为)[\u4e00-\u9fff]{0,8}?)?(?:组织|公司|平台|网站|论坛|机构|企业|集团|商城|团队|"
    r"银行|App|APP|借贷|电商|媒体)"
)
_PERSON_AFTER = re.compile(
    r"^(?:的[\u4e00-\u9fff]{0,4}?)?(?:卖家|买家|用户|网友|黑客(?!组织|团伙|团体|集团)|男子|女子|"
    r"数据商|博主|名义|网民|人士|员工|少年|青年|真名|本名|原名|实名为)"
)
_AFTER_APP = re.compile(r"^(?:的)?[\u4e00-\u9fff]{0,4}?(?:App|APP|软件|程序|小程序|应用|功能|群)")
# Quoted words that name a thing, not an organization or a person (平台“双十一”活动).
_AFTER_THING = re.compile(
    r"^(?:的)?(?:活动|功能|服务|计划|行动|项目|规定|制度|机制|政策|模式|事件|漏洞|系统|页面|板块|"
    r"专区|频道|栏目|产品|业务|技术|方案|标准|通知|文件|口号|字样|标签|二维码|链接)"
)
_NAME_OK = re.compile(r"[\u4e00-\u9fffA-Za-z0-9_.\-·]{2,24}")


class QuotedNameSuggester:
    """Quoted names classified by the words around them; aliases after 下称."""

    name = NAME
    labels = frozenset({"ORG", "PERSON"})

    def suggest(self, text: str, ctx: SuggestContext) -> list[Suggestion]:
        shadow = ctx.shadow
        out: list[Suggestion] = []
        if not any(q in shadow for q in '“「『"'):
            return out
        for m in _QUOTED.finditer(shadow):
            name = m.group(1).strip()
            if not _NAME_OK.fullmatch(name):
                continue
            before = shadow[max(0, m.start() - 6) : m.start()]
            after = shadow[m.end() : m.end() + 14]
            label = _classify(before, after)
            if label is None:
                continue
            sug = make(text, m.start(1), m.end(1), label, NAME, 0.82)
            if sug is not None:
                out.append(sug)
        return out


def _classify(before: str, after: str) -> str | None:
    if _ALIAS_BEFORE.search(before):
        return "ORG"
    if _PERSON_NAMING.search(before):
        return "PERSON"
    if _AFTER_APP.match(after) or _AFTER_THING.match(after):
        return None
    org, person = _ORG_AFTER.match(after), _PERSON_AFTER.match(after)
    if org and person:  # the nearer noun decides (“X”的用户在…论坛)
        return "ORG" if org.end() <= person.end() else "PERSON"
    if org:
        return "ORG"
    if person:
        return "PERSON"
    if after.startswith("的") and _GENERIC_NAMING.search(before):
        return None  # 名为“会员底库”的压缩包: the noun after it is neither
    if _ORG_BEFORE.search(before):
        return "ORG"
    if _PERSON_BEFORE.search(before):
        return "PERSON"
    return None


@cache
def suggester() -> QuotedNameSuggester:
    return QuotedNameSuggester()
