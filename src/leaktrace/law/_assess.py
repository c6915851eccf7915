"""The assessment: facts in, finding out. It reads like Arts. 5, 6, 10 and 12 of the interpretation.

Each item of Art. 5 and Art. 6 is one function that returns the ground it found or nothing.
Every number comes from the policy; every ground quotes its provision and shows its arithmetic.
A test that is not met but had something to measure is kept as a note ("未达"), so a prosecutor
sees how far each test fell short.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from leaktrace.law._arith import CombinedTest, Measure, Scale, Test, fmt
from leaktrace.law._facts import Facts, number
from leaktrace.law._finding import (
    LEVEL_TEXT,
    LEVELS,
    Finding,
    Fine,
    Ground,
    Level,
    PolicyRef,
    Route,
    Sentence,
    provision,
)
from leaktrace.law._policy import TIERS, Policy, TierName, exact, load_policy

_ITEM_OF_TIER: dict[TierName, str] = {
    "sensitive": "第（三）项",
    "important": "第（四）项",
    "ordinary": "第（五）项",
}
_TIER_LABEL: dict[TierName, str] = {
    "sensitive": "敏感信息",
    "important": "重要信息",
    "ordinary": "普通信息",
}


def assess(facts: Facts, policy: Policy | None = None) -> Finding:
    """Assess one suspect's facts under ``policy`` (the built-in default when None).

    A pure function: the same facts and policy always give the same finding.
    """
    case = _Case(facts, policy or load_policy())
    if case.route == "art6":
        grounds = _collect(case, ARTICLE_6)
    else:
        grounds = _collect(case, ARTICLE_5_SERIOUS) + _collect(case, ARTICLE_5_ESPECIALLY)
    level = _heaviest(g.level for g in grounds)
    case.notes_on_level(level)
    return Finding(
        level=level,
        level_text=LEVEL_TEXT[level],
        route=case.route,
        grounds=grounds,
        sentence=_sentence(case, level),
        fine=_fine(case, level),
        notes=case.notes + [f"未达 — {m}" for m in case.near_misses],
        policy=PolicyRef(
            name=case.policy.name,
            sha256=case.policy.sha256,
            path=str(case.policy.path) if case.policy.path else None,
        ),
        facts=facts.to_json(),
    )


@dataclass
class _Case:
    """The facts and policy being assessed, plus what the assessment noticed on the way."""

    facts: Facts
    policy: Policy
    notes: list[str] = field(default_factory=list)
    near_misses: list[str] = field(default_factory=list)
    met: list[tuple[Level, Measure]] = field(default_factory=list)
    route: Route = "art5"

    def __post_init__(self) -> None:
        self.route = self._choose_route()
        held = sum(getattr(self.facts.held_items, t) for t in TIERS)
        if held and self.facts.role != "insider":
            self.notes.append(
                f"held_items（{held:,} 条）只对内部人员有意义；其他人员获取的信息已计入 items。"
            )
        elif held and not self.facts.held_obtained_illegally:
            self.notes.append(
                f"内部人员持有而未出售或者提供的 {held:,} 条不计入：在履行职责或者提供服务过程中"
                "获得不属非法获取（《解释》第五条第一款第（八）项以“出售或者提供”计）；"
                "如查明系越权导出等非法获取，在案件中写明 held_obtained_illegally = true。"
            )

    # --- an insider's items: passed on, and held (only when obtained illegally) ------------

    def held(self, tier: TierName) -> int:
        """An insider's held-but-unsold items of a tier, when obtained illegally (else 0)."""
        facts = self.facts
        if facts.role != "insider" or not facts.held_obtained_illegally:
            return 0
        return int(getattr(facts.held_items, tier))

    def _any_held(self) -> bool:
        return any(self.held(t) for t in TIERS)

    def amount(self, tier: TierName, *, passed_only: bool) -> tuple[int, str]:
        """Items of a tier for a test, and the label saying which items they are."""
        passed = int(getattr(self.facts.items, tier))
        label = _TIER_LABEL[tier]
        if not self._any_held():
            return passed, label
        if passed_only:
            return passed, f"{label}（出售或者提供的；非法获取而未出售的不适用减半标准）"
        held = self.held(tier)
        return (
            passed + held,
            f"{label}（出售或者提供 {passed:,} 条 + 非法获取而未出售 {held:,} 条）",
        )

    # --- which article applies ----------------------------------------------------------

    def _choose_route(self) -> Route:
        """Art. 6 for a lawful-business buyer of ordinary information who did not resell it."""
        facts = self.facts
        if facts.role != "lawful_business_buyer":
            return "art5"
        reason = self._why_not_article_6()
        if reason is None:
            return "art6"
        self.notes.append(reason)
        if facts.business_profit_yuan > 0:
            self.notes.append(
                "按第五条评价时，经营获利（business_profit_yuan）不作为第五条第一款第（七）项的"
                "违法所得；违法所得只取 illegal_gains_yuan。"
            )
        return "art5"

    def _why_not_article_6(self) -> str | None:
        facts = self.facts
        if facts.resold:
            return (
                f"{provision('art6.2').cite}：为经营而购买后又出售或者提供（resold = true），"
                "定罪量刑标准适用第五条，不适用第六条。"
            )
        excluded = [t for t in TIERS if t not in self.policy.lawful_business.tiers]
        bought = [t for t in excluded if getattr(facts.items, t) > 0]
        if not bought:
            return None
        listed = "、".join(f"{_TIER_LABEL[t]} {getattr(facts.items, t):,} 条" for t in bought)
        return (
            "《解释》第六条只适用于第五条第一款第三项、第四项规定以外的信息；"
            f"本案购买了{listed}，按第五条评价。"
        )

    # --- the standards of Art. 5 ¶1 items (3)-(7), scaled -------------------------------

    def half(self) -> tuple[Fraction, str]:
        return exact(self.policy.standards.insider_factor.value), "内部人员减半"

    def ten_times(self) -> tuple[Fraction, str]:
        return exact(self.policy.standards.especially_serious_factor.value), "十倍"

    def count_test(self, tier: TierName, scale: Scale, *, passed_only: bool = False) -> Test:
        """A tier's count against its standard scaled; ``passed_only``: the halved insider
        standards, which measure only what was sold or provided."""
        amount, label = self.amount(tier, passed_only=passed_only)
        return Test(
            ref=f"{_ITEM_OF_TIER[tier]}{scale.ref}" if scale.ref else "",
            label=label,
            amount=Fraction(amount),
            unit="条",
            base=self.policy.threshold(tier),
            scale=scale,
            measure="quantity",
        )

    def combined_test(self, scale: Scale, *, passed_only: bool = False) -> CombinedTest:
        terms = tuple(
            (*self.amount(t, passed_only=passed_only)[::-1], self.policy.threshold(t))
            for t in TIERS
        )
        bound = exact(self.policy.standards.combined_ratio.value)
        ref = f"第（六）项{scale.ref}" if scale.ref else ""
        return CombinedTest(ref=ref, terms=terms, bound=bound, scale=scale)

    def gains_test(self, scale: Scale) -> Test:
        return Test(
            ref=f"第（七）项{scale.ref}" if scale.ref else "",
            label="违法所得",
            amount=Fraction(self.facts.illegal_gains_yuan),
            unit="元",
            base=exact(self.policy.standards.illegal_gains_yuan.value),
            scale=scale,
            measure="gains",
        )

    def standards_3_to_7(
        self, scale: Scale, *, passed_only: bool = False
    ) -> list[Test | CombinedTest]:
        """Items (3)-(7) at ``scale``; (6) only counts when none of (3)-(5) is met alone."""
        tests: list[Test | CombinedTest] = [
            self.count_test(t, scale, passed_only=passed_only) for t in TIERS
        ]
        if not any(t.met for t in tests):
            tests.append(self.combined_test(scale, passed_only=passed_only))
        tests.append(self.gains_test(scale))
        return tests

    # --- turning tests into grounds -----------------------------------------------------

    def ground_if(
        self, provision_id: str, level: Level, tests: Iterable[Test | CombinedTest]
    ) -> Ground | None:
        """The ground if any test is met; tests that fell short are kept as near misses."""
        met = []
        cite = provision(provision_id).cite
        for test in tests:
            if test.met:
                met.append(test)
                self.met.append((level, test.measure))
            elif test.relevant:
                self.near_misses.append(f"{cite}：{test.why()}")
        if not met:
            return None
        return Ground.of(provision_id, level, "；".join(t.why() for t in met))

    def prior_penalty(self) -> str | None:
        """Art. 5 ¶1(9) / Art. 6 ¶1(2): a criminal penalty, or an admin penalty within two years."""
        facts = self.facts
        if facts.prior_criminal_detention:
            self.notes.append(
                "曾被刑事拘留（prior_criminal_detention = true）：刑事拘留是强制措施，"
                "不是刑事处罚，本身不构成“曾因侵犯公民个人信息受过刑事处罚”。"
            )
        reasons = []
        if facts.prior_criminal_penalty:
            reasons.append("曾因侵犯公民个人信息受过刑事处罚（prior_criminal_penalty = true）")
        admin = self._admin_penalty_within_window()
        if admin:
            reasons.append(admin)
        return "；".join(reasons) + "，又实施本案行为" if reasons else None

    def _admin_penalty_within_window(self) -> str | None:
        penalty, offence = self.facts.prior_admin_penalty_date, self.facts.offence_date
        if penalty is None:
            return None
        years = self.policy.standards.admin_penalty_lookback_years.value
        if offence is None:
            self.notes.append(
                f"有行政处罚（{penalty.isoformat()}）但未给出 offence_date，无法判断是否在"
                f"{years}年内：按有利于嫌疑人的假设不计入；请补充 offence_date。"
            )
            return None
        start = _years_before(offence, years)
        span = f"{start.isoformat()} 至 {offence.isoformat()}"
        if penalty > offence:
            self.notes.append(
                f"行政处罚日期 {penalty.isoformat()} 晚于 offence_date {offence.isoformat()}，"
                "不是“受过行政处罚……又实施”，不计入。"
            )
            return None
        if penalty < start:
            self.near_misses.append(
                f"《解释》第五条第一款第（九）项：行政处罚 {penalty.isoformat()} 早于 offence_date "
                f"前{years}年（{span}），不在{years}年内"
            )
            return None
        return (
            f"{years}年内受过行政处罚：{penalty.isoformat()} 在 {span} 之内"
            f"（offence_date 前{years}年，含当日）"
        )

    # --- notes that depend on the level -------------------------------------------------

    def notes_on_level(self, level: Level) -> None:
        facts = self.facts
        if facts.offence_date and facts.offence_date < self.policy.interpretation.in_force:
            in_force = self.policy.interpretation.in_force.isoformat()
            self.notes.append(
                f"offence_date {facts.offence_date.isoformat()} 早于《解释》施行日 {in_force}："
                "依《刑法》第十二条从旧兼从轻，须核对行为时的标准。"
            )
        if self.route == "art5" and not _any_items(facts) and not facts.illegal_gains_yuan:
            self.notes.append(
                "事实中没有条数，也没有违法所得（均为 0）：第五条第一款第（三）项至第（八）项、"
                "第二款第（三）项无从认定；查明后请补充 items 与 illegal_gains_yuan。"
            )
        self._quantity_versus_gains()
        if level != "none" and facts.role == "insider":
            rule = self.policy.sentences.insider
            self.notes.append(f"{rule.provision}：内部人员出售或者提供，{rule.text}。")
        self._article_10(level)
        if self.route == "art6":
            self._article_6_has_no_especially_serious_tier(level)
        if self.route == "art6" and sum(self.facts.items.model_dump().values()):
            total = sum(self.facts.items.model_dump().values())
            self.notes.append(f"第六条不以数量入罪：普通信息 {total:,} 条仅作记录。")

    def _article_6_has_no_especially_serious_tier(self, level: Level) -> None:
        facts = self.facts
        severe = (
            facts.severe_harm
            or facts.major_loss_or_impact
            or facts.other_especially_serious_circumstances
        )
        if severe:
            self.notes.append(
                "《解释》第六条没有情节特别严重档：所述严重后果不能使第六条的行为升格，"
                "若行为另符合第五条（如又出售、提供），请按第五条重新评估。"
            )
        elif level == "serious":
            self.notes.append("《解释》第六条没有情节特别严重档：依第六条最高认定为情节严重。")

    def _quantity_versus_gains(self) -> None:
        """Practice (SPP typical cases, 2022): quantity and gains are alternatives; the heavier."""
        by_measure = {
            m: _heaviest(lv for lv, mm in self.met if mm == m) for m in ("quantity", "gains")
        }
        quantity, gains = by_measure["quantity"], by_measure["gains"]
        if quantity != gains and self.facts.illegal_gains_yuan > 0 and _any_items(self.facts):
            self.notes.append(
                f"数量与数额达到的档次不同：数量 → {LEVEL_TEXT[quantity]}，违法所得 → "
                f"{LEVEL_TEXT[gains]}；二者为择一标准，取其重（最高人民检察院2022年典型案例口径）。"
            )

    def _article_10(self, level: Level) -> None:
        facts, art10 = self.facts, provision("art10")
        if level == "none" or not facts.restitution_and_remorse:
            return
        if level == "especially_serious":
            self.notes.append(f"{art10.cite}：属于情节特别严重，不适用情节轻微的规定。")
        elif facts.prior_criminal_penalty:
            self.notes.append(f"{art10.cite}：曾受过刑事处罚，不是初犯，不适用情节轻微的规定。")
        else:
            self.notes.append(
                f"{art10.cite}：不属于情节特别严重、系初犯、全部退赃并确有悔罪表现"
                "（restitution_and_remorse = true），可以认定为情节轻微，不起诉或者免予刑事处罚；"
                "确有必要判处刑罚的，应当从宽处罚。"
            )


def _heaviest(levels: Iterable[Level]) -> Level:
    """The heaviest level reached ("none" if nothing was met)."""
    return max(levels, key=LEVELS.index, default="none")


def _any_items(facts: Facts) -> bool:
    return any(getattr(facts.items, t) > 0 for t in TIERS)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year - years, day=28)


def _collect(case: _Case, items: Iterable[Callable[[_Case], Ground | None]]) -> list[Ground]:
    return [g for g in (item(case) for item in items) if g is not None]


def _fact(name: str) -> str:
    return f"事实：{name} = true"


# ==========================================================================================
# 《解释》第五条第一款：情节严重
# ==========================================================================================


def art5_1_1_tracking_used_in_crime(case: _Case) -> Ground | None:
    """（一）出售或者提供行踪轨迹信息，被他人用于犯罪的。"""
    if not case.facts.tracking_used_in_crime:
        return None
    return Ground.of("art5.1.1", "serious", _fact("tracking_used_in_crime"))


def art5_1_2_knew_recipient_criminal(case: _Case) -> Ground | None:
    """（二）知道或者应当知道他人利用公民个人信息实施犯罪，向其出售或者提供的。"""
    if not case.facts.knew_recipient_criminal:
        return None
    return Ground.of("art5.1.2", "serious", _fact("knew_recipient_criminal"))


def art5_1_3_sensitive_fifty(case: _Case) -> Ground | None:
    """（三）行踪轨迹信息、通信内容、征信信息、财产信息五十条以上的。"""
    return case.ground_if("art5.1.3", "serious", [case.count_test("sensitive", Scale())])


def art5_1_4_important_five_hundred(case: _Case) -> Ground | None:
    """（四）住宿信息、通信记录、健康生理信息、交易信息等……五百条以上的。"""
    return case.ground_if("art5.1.4", "serious", [case.count_test("important", Scale())])


def art5_1_5_ordinary_five_thousand(case: _Case) -> Ground | None:
    """（五）第三项、第四项规定以外的公民个人信息五千条以上的。"""
    return case.ground_if("art5.1.5", "serious", [case.count_test("ordinary", Scale())])


def art5_1_6_combined_ratio(case: _Case) -> Ground | None:
    """（六）数量未达到第三项至第五项规定标准，但是按相应比例合计达到有关数量标准的。"""
    if any(case.count_test(t, Scale()).met for t in TIERS):
        return None
    return case.ground_if("art5.1.6", "serious", [case.combined_test(Scale())])


def art5_1_7_gains_five_thousand(case: _Case) -> Ground | None:
    """（七）违法所得五千元以上的。"""
    return case.ground_if("art5.1.7", "serious", [case.gains_test(Scale())])


def art5_1_8_insider_half(case: _Case) -> Ground | None:
    """（八）内部人员……数量或者数额达到第三项至第七项规定标准一半以上的。"""
    if case.facts.role != "insider":
        return None
    half = Scale((case.half(),), "标准的一半")
    return case.ground_if("art5.1.8", "serious", case.standards_3_to_7(half, passed_only=True))


def art5_1_9_prior_penalty(case: _Case) -> Ground | None:
    """（九）曾因侵犯公民个人信息受过刑事处罚或者二年内受过行政处罚，又……的。"""
    why = case.prior_penalty()
    return Ground.of("art5.1.9", "serious", why) if why else None


def art5_1_10_other_serious(case: _Case) -> Ground | None:
    """（十）其他情节严重的情形：办案人员认定并写明，本工具只引用。"""
    stated = case.facts.other_serious_circumstances
    if not stated:
        return None
    return Ground.of("art5.1.10", "serious", f"办案人员认定的情形：{stated}（本工具未审查）")


ARTICLE_5_SERIOUS = (
    art5_1_1_tracking_used_in_crime,
    art5_1_2_knew_recipient_criminal,
    art5_1_3_sensitive_fifty,
    art5_1_4_important_five_hundred,
    art5_1_5_ordinary_five_thousand,
    art5_1_6_combined_ratio,
    art5_1_7_gains_five_thousand,
    art5_1_8_insider_half,
    art5_1_9_prior_penalty,
    art5_1_10_other_serious,
)


# ==========================================================================================
# 《解释》第五条第二款：情节特别严重
# ==========================================================================================


def art5_2_1_severe_harm(case: _Case) -> Ground | None:
    """（一）造成被害人死亡、重伤、精神失常或者被绑架等严重后果的。"""
    if not case.facts.severe_harm:
        return None
    return Ground.of("art5.2.1", "especially_serious", _fact("severe_harm"))


def art5_2_2_major_loss_or_impact(case: _Case) -> Ground | None:
    """（二）造成重大经济损失或者恶劣社会影响的。"""
    if not case.facts.major_loss_or_impact:
        return None
    return Ground.of("art5.2.2", "especially_serious", _fact("major_loss_or_impact"))


def art5_2_3_ten_times(case: _Case) -> Ground | None:
    """（三）数量或者数额达到前款第三项至第八项规定标准十倍以上的。"""
    tests = case.standards_3_to_7(Scale((case.ten_times(),), "标准的十倍"))
    if case.facts.role == "insider":
        insider = Scale((case.half(), case.ten_times()), "标准的一半的十倍")
        tests += case.standards_3_to_7(insider, passed_only=True)
    return case.ground_if("art5.2.3", "especially_serious", tests)


def art5_2_4_other_especially_serious(case: _Case) -> Ground | None:
    """（四）其他情节特别严重的情形：办案人员认定并写明，本工具只引用。"""
    stated = case.facts.other_especially_serious_circumstances
    if not stated:
        return None
    return Ground.of(
        "art5.2.4", "especially_serious", f"办案人员认定的情形：{stated}（本工具未审查）"
    )


ARTICLE_5_ESPECIALLY = (
    art5_2_1_severe_harm,
    art5_2_2_major_loss_or_impact,
    art5_2_3_ten_times,
    art5_2_4_other_especially_serious,
)


# ==========================================================================================
# 《解释》第六条：为合法经营活动而购买、收受（没有情节特别严重档）
# ==========================================================================================


def art6_1_1_profit_fifty_thousand(case: _Case) -> Ground | None:
    """（一）利用非法购买、收受的公民个人信息获利五万元以上的。"""
    test = Test(
        ref="",
        label="利用所购信息获利",
        amount=Fraction(case.facts.business_profit_yuan),
        unit="元",
        base=exact(case.policy.standards.lawful_business_profit_yuan.value),
        scale=Scale(),
        measure="gains",
    )
    return case.ground_if("art6.1.1", "serious", [test])


def art6_1_2_prior_penalty(case: _Case) -> Ground | None:
    """（二）曾因侵犯公民个人信息受过刑事处罚或者二年内受过行政处罚，又非法购买、收受的。"""
    why = case.prior_penalty()
    return Ground.of("art6.1.2", "serious", why) if why else None


def art6_1_3_other_serious(case: _Case) -> Ground | None:
    """（三）其他情节严重的情形：办案人员认定并写明，本工具只引用。"""
    stated = case.facts.other_serious_circumstances
    if not stated:
        return None
    return Ground.of("art6.1.3", "serious", f"办案人员认定的情形：{stated}（本工具未审查）")


ARTICLE_6 = (art6_1_1_profit_fifty_thousand, art6_1_2_prior_penalty, art6_1_3_other_serious)


# ==========================================================================================
# 刑罚：《刑法》第二百五十三条之一；罚金：《解释》第十二条
# ==========================================================================================


def _sentence(case: _Case, level: Level) -> Sentence:
    statute = provision("crim.253-1.1")
    if level == "none":
        return Sentence(
            provision=statute.cite,
            text="未达情节严重标准，不依本条定罪处罚",
            gloss="below the threshold of the offence: no penalty under Art. 253-1 on these facts",
            min_years=None,
            max_years=None,
            heavier_for_insider=False,
            insider_rule=None,
        )
    rule = getattr(case.policy.sentences, level)
    insider = case.facts.role == "insider"
    heavier = case.policy.sentences.insider
    return Sentence(
        provision=rule.provision,
        text=rule.text,
        gloss=rule.gloss,
        min_years=rule.min_years,
        max_years=rule.max_years,
        heavier_for_insider=insider,
        insider_rule=f"{heavier.provision}：{heavier.text}" if insider else None,
    )


def _fine(case: _Case, level: Level) -> Fine:
    rule, gains = case.policy.fine, case.facts.illegal_gains_yuan
    low, high = Decimal(str(rule.min_multiple)), Decimal(str(rule.max_multiple))
    art12 = provision("art12")
    if level == "none":
        lo_yuan = hi_yuan = None
        why = "未达情节严重标准，不判处罚金。"
    elif gains > 0:
        lo_yuan, hi_yuan = number(gains * low), number(gains * high)
        why = (
            f"违法所得 {fmt(gains)} 元 × {fmt(low)} 至 {fmt(high)} 倍 = "
            f"{fmt(gains * low)} 至 {fmt(gains * high)} 元（一般情况）。"
        )
    else:
        lo_yuan = hi_yuan = None
        why = (
            "违法所得为 0 或未查明：罚金数额由法院综合犯罪的危害程度、违法所得数额、前科情况、"
            "认罪悔罪态度等依法裁量。"
        )
    if level == "serious":
        why += "情节严重的，可以并处或者单处罚金。"
    if case.route == "art6" and case.facts.business_profit_yuan > 0 and level != "none":
        why += "经营获利（business_profit_yuan）是否计入违法所得，由法院认定；此处未计入。"
    return Fine(
        provision=art12.cite,
        text=art12.text,
        basis_yuan=number(gains),
        min_multiple=number(low),
        max_multiple=number(high),
        min_yuan=lo_yuan,
        max_yuan=hi_yuan,
        why=why,
    )
