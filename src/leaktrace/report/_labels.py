"""Every word the report shows, in Chinese and English, in one place.

The report's numbers come from the library; its words come from here. A label is looked up by
key for the report's language; the legal texts quoted in findings (provisions, arithmetic) stay
in the official Chinese in both languages.
"""

from __future__ import annotations

LANGS = ("zh", "en")

_LABELS: dict[str, tuple[str, str]] = {
    # title and sections
    "title": (
        "侵犯公民个人信息案件证据报告",
        "Evidence report: infringement of citizens' personal information",
    ),
    "case": ("案件", "Case"),
    "colon": ("：", ": "),
    "toc": ("目录", "Contents"),
    "sec.summary": ("一、当事人认定摘要", "1. Findings per party"),
    "sec.manifest": ("二、证据清单", "2. Evidence manifest"),
    "sec.counting": ("三、条数计算（《解释》第十一条）", "3. Counting items (Art. 11)"),
    "sec.tracing": ("四、泄露溯源", "4. Leak tracing"),
    "sec.chain": ("五、交易链条", "5. The trade chain"),
    "sec.method": ("六、方法、政策与复现", "6. Method, policy and reproduction"),
    "intro": (
        "本报告由 LeakTrace 依据查获的电子数据自动生成。条数依《解释》第十一条计算（去除重复、"
        "不真实与已遮蔽的记录），认定依《刑法》第二百五十三条之一与法释〔2017〕10号，逐条列明依据与计算过程。"
        "报告中的个人信息均已遮蔽。",
        "Produced by LeakTrace from the seized electronic data. Items are counted per Art. 11 of "
        "the interpretation (duplicates, untrue and masked records excluded); findings apply "
        "Criminal Law Art. 253-1 and 法释〔2017〕10号, each ground quoted with its arithmetic. "
        "Personal values in this report are masked.",
    ),
    "intro.shown": (
        "注意：本报告以 --show-values 生成，含完整个人信息，须按涉密证据保管。",
        "Note: produced with --show-values; it holds personal values in full and must be kept as "
        "restricted evidence.",
    ),
    "keyfacts": ("要点", "At a glance"),
    "kf.parties": ("当事人", "parties"),
    "kf.files": ("证据文件", "evidence files"),
    "kf.items": ("去重后条数", "distinct items"),
    "kf.accused": ("名单与其副本一致的接收方", "recipients whose copy a list matches"),
    # party table
    "party": ("当事人", "Party"),
    "role": ("角色", "Role"),
    "legal_role": ("法律身份", "Legal role"),
    "obtained": ("获取", "Obtained"),
    "sold": ("出售", "Sold"),
    "provided": ("提供", "Provided"),
    "gains": ("违法所得（元）", "Gains (yuan)"),
    "finding": ("认定", "Finding"),
    "route": ("适用", "Route"),
    "grounds": ("依据", "Grounds"),
    "provision": ("条款", "Provision"),
    "text": ("条文", "Text"),
    "arithmetic": ("计算", "Arithmetic"),
    "sentence": ("刑罚", "Sentence"),
    "fine": ("罚金", "Fine"),
    "notes": ("说明", "Notes"),
    "none": ("无", "none"),
    "items_by_category": ("分类别条数", "Items per category"),
    "art11": ("条数计算（第十一条）", "Items (Art. 11)"),
    "to_buyer": ("向", "to"),
    "kept": ("获取后未出售", "kept"),
    "held": ("内部人员履职获得未出售（不计入）", "an insider's held, not counted"),
    "paths": ("流转路径", "Paths"),
    "category": ("类别", "Category"),
    "tier": ("档", "Tier"),
    "items": ("条数", "Items"),
    "chart.tiers": ("各当事人分档条数（条）", "Items per party and tier"),
    "chart.overlap": ("证据文件间重合条数", "Items shared between evidence files"),
    # tiers, roles, levels
    "tier.sensitive": ("敏感（50条档）", "sensitive (50)"),
    "tier.important": ("重要（500条档）", "important (500)"),
    "tier.ordinary": ("普通（5,000条档）", "ordinary (5,000)"),
    "role.source": ("源头", "source"),
    "role.reseller": ("倒卖者", "reseller"),
    "role.buyer": ("买家", "buyer"),
    "role.other": ("其他", "other"),
    "legal.insider": ("内部人员", "insider"),
    "legal.outsider": ("外部人员", "outsider"),
    "legal.lawful_business_buyer": ("为合法经营购买", "lawful-business buyer"),
    "level.none": ("未达情节严重标准", "below the threshold (未达标准)"),
    "level.serious": ("情节严重", "serious (情节严重)"),
    "level.especially_serious": ("情节特别严重", "especially serious (情节特别严重)"),
    "route.art5": ("《解释》第五条", "Art. 5 of the interpretation"),
    "route.art6": (
        "《解释》第六条（为合法经营活动购买、收受）",
        "Art. 6 (buying for a lawful business)",
    ),
    "years": ("年", "years"),
    # manifest
    "path": ("文件", "File"),
    "sha256": ("SHA-256", "SHA-256"),
    "size": ("大小（字节）", "Size (bytes)"),
    "format": ("格式", "Format"),
    "encoding": ("编码", "Encoding"),
    "contains": ("内容", "Contains"),
    "rows": ("行数", "Rows"),
    "in_archive": ("所在压缩包", "in archive"),
    "unreadable": ("无法读取", "unreadable"),
    "manifest.note": (
        "每个文件的哈希按查获原样计算；压缩包内文件以“包!/文件”标示。内容列为检出的个人信息类型及有效值数量。",
        "Hashes are of the bytes as seized; archive members are shown as archive!/member. "
        "“Contains” lists the personal-information types found with their valid values.",
    ),
    # counting
    "records_read": ("读入记录", "Records read"),
    "valid": ("有效", "valid"),
    "excluded": ("排除", "Excluded"),
    "ex.duplicate": ("重复", "duplicate"),
    "ex.invalid": ("不真实", "untrue"),
    "ex.masked": ("已遮蔽", "masked"),
    "ex.unidentified": ("不能识别个人", "unidentified"),
    "ex.empty": ("无个人信息", "no personal data"),
    "dup_in_file": ("文件内重复", "Duplicates in file"),
    "reason": ("原因", "Reason"),
    "records": ("记录数", "Records"),
    "status": ("状态", "Status"),
    "per_file": ("逐文件计数", "Per file"),
    "exclusions": ("排除的记录及原因", "Excluded records and why"),
    "overlaps": ("文件间重合", "Overlaps between files"),
    "file_a": ("文件甲", "File A"),
    "file_b": ("文件乙", "File B"),
    "shared": ("共有条数", "Shared items"),
    "totals": ("全部证据合计（去重后）", "All evidence together (deduplicated)"),
    "bare_phone": ("仅电话号码", "bare phone numbers"),
    "per_party": (
        "逐当事人计数（第十一条：同一信息向不同对象出售的累计计算）",
        "Per party (Art. 11: the same information sold to several buyers counts per buyer)",
    ),
    "counting.rule": (
        "一条 = 一个人（各证据文件的记录先按身份证号、手机号等标识及姓名+房号归并为人，"
        "两个不同身份证号始终是两个人；一人计一条，取其记录的最高档）。"
        "不真实（校验位错误、号段不存在、被 Excel 损坏）"
        "与已遮蔽的记录不计入。",
        "One item = one person (records of all files are first linked into persons by ID "
        "number, mobile and the other identifiers, and by name and room; two different ID "
        "numbers are always two people; a person counts once, at the highest tier of their "
        "records). Untrue records (failed check digits, unknown segments, destroyed by Excel) "
        "and masked records are not counted.",
    ),
    "no_overlaps": ("各文件之间没有重合。", "No two files share an item."),
    # tracing
    "leaked": ("被溯源的证据", "Traced evidence"),
    "registry": ("标记登记库", "Mark registry"),
    "matched": ("匹配行", "Matched rows"),
    "honey": ("蜜罐记录", "Honey records"),
    "marks": ("读出标记", "Marks read"),
    "scored": ("比对分发", "Distributions scored"),
    "bound": ("误指认上限", "False-accusation bound"),
    "accused": ("溯源意见（技术意见）", "Trace opinion (technical)"),
    "opinion": (
        "该名单与向 {recipient} 提供的副本一致，误指认上限 {bound}。",
        "The list is consistent with the copy given to {recipient}; false-attribution bound "
        "{bound}.",
    ),
    "recipient": ("接收方", "Recipient"),
    "score": ("得分", "Score"),
    "p_bound": ("p 上限", "p ≤"),
    "marks_agreed": ("标记一致", "Marks agreed"),
    "evidence_rows": ("证据行", "Evidence rows"),
    "row": ("行号", "Row"),
    "values": ("内容（已遮蔽）", "Values (masked)"),
    "values_shown": ("内容", "Values"),
    "candidates": ("候选排序（非认定）", "Ranking (not an accusation)"),
    "guilt": ("来源概率（模型估计，非认定）", "Source probability (model estimate, not a finding)"),
    "no_accused": (
        "该名单与任何接收方的副本均未达到一致的标准。",
        "The list is not consistent with any recipient's copy at the stated bound.",
    ),
    "no_traces": (
        "本案未登记需溯源的证据（case.toml 中无 [[traces]]）。",
        "The case names no evidence to trace ([[traces]] in case.toml).",
    ),
    "trace.meaning": (
        "溯源意见的含义（技术意见，不是对泄露者的认定）：该名单中的标记与该接收方所得副本"
        "高度一致；若该副本与此名单无关，出现如此一致的概率不超过 p。"
        "对所有接收方合计，误指认任何无辜者的概率不超过上述上限。"
        "它说明名单来源于哪一份副本，不说明由谁亲手传出；是否构成泄露由办案机关结合其他证据认定。"
        "候选排序中的来源概率是模型估计，不是认定。",
        "What the trace opinion means (a technical opinion, not a finding of who leaked): the "
        "marks in the list agree with this recipient's copy so well that, were the copy "
        "unrelated, the chance would be at most p; over all recipients the chance of naming "
        "anyone innocent is at most the bound. It says which copy the list came from, not who "
        "passed it on; whether anyone leaked it is for the investigators to decide with the "
        "other evidence. The source probability in the ranking is a model estimate, not a "
        "finding.",
    ),
    "trace.failed": ("溯源失败", "Tracing failed"),
    # chain
    "transfers": ("交易", "Transfers"),
    "seller": ("卖方", "Seller"),
    "buyer": ("买方", "Buyer"),
    "date": ("日期", "Date"),
    "price": ("价格（元）", "Price (yuan)"),
    "channel": ("渠道", "Channel"),
    "inferred": ("推断", "inferred"),
    "not_counted": ("未计入条数", "not counted"),
    "containment": ("包含度", "Containment"),
    "evidence": ("证据", "Evidence"),
    "issues": ("待查问题", "Open questions"),
    "chain.note": (
        "交易链条由 leaktrace.chain 依证据与 case.toml 生成："
        "实线为已申报的交易，虚线为依名单重合推断的交易。",
        "The chain comes from leaktrace.chain: declared transfers solid, transfers inferred "
        "from overlapping lists dashed.",
    ),
    "chain.interactive": ("交互式链条图", "Interactive chain view"),
    # method
    "policy": ("政策", "Policy"),
    "version": ("LeakTrace 版本", "LeakTrace version"),
    "produced_at": ("生成时间（北京时间，UTC+8）", "Produced (Beijing time, UTC+8)"),
    "case_no": ("案件编号", "Case number"),
    "unit": ("办案单位", "Handling unit"),
    "examiner": ("检验人", "Examiner"),
    "item_no": ("检材编号", "Item"),
    "item_prefix": ("检材 ", "Item "),
    "not_given": ("（未填写）", "(not given)"),
    "signature": ("签名", "Signature"),
    "signature.note": (
        "本报告与所列检材的 SHA-256 记录在同目录的签名清单（*.manifest.json）中，由检验人的 "
        "Ed25519 密钥签名；用 leaktrace verify 可验证报告和检材是否被改动。",
        "This report and the evidence it lists are recorded, with SHA-256, in the signed "
        "manifest beside it (*.manifest.json), signed with the examiner's Ed25519 key; "
        "`leaktrace verify` checks that neither has changed.",
    ),
    "command": ("生成命令", "Command"),
    "reproduce": ("复现", "Reproduce"),
    "case_file": ("案件文件", "Case file"),
    "python": ("运行环境", "Runtime"),
    "masking": ("个人信息遮蔽", "Masking"),
    "masked_yes": ("已遮蔽（未使用 --show-values）", "masked (no --show-values)"),
    "masked_no": ("未遮蔽（使用了 --show-values）", "shown in full (--show-values)"),
    "method.text": (
        "证据文件按内容识别格式与编码并计算 SHA-256；"
        "各列个人信息类型经校验（身份证校验位与行政区划、手机号段、银行卡 Luhn 校验等）"
        "判定有效、不真实或已遮蔽；每行形成规范化记录，按政策确定类别与档次，按人去重计条；"
        "当事人条数依《解释》第十一条：获取后又出售的不重复计算，向不同对象出售的累计计算。"
        "认定逐项对照《解释》第五条、第六条，罚金依第十二条。"
        "溯源采用带密钥的 Tardos 指纹码与蜜罐记录，"
        "仅当误指认概率低于上限时才认定。",
        "Evidence formats and encodings are sniffed from content and hashed (SHA-256); each "
        "column's personal information is validated (ID check digits and region codes, mobile "
        "segments, Luhn, …) as valid, untrue or masked; each row becomes a normalised record, "
        "categorised by the policy and deduplicated per person. A party's items follow Art. 11: "
        "obtained-then-sold counts once, sold to several buyers counts per buyer. Findings test "
        "Arts. 5 and 6 item by item; fines follow Art. 12. Tracing uses keyed Tardos "
        "fingerprints and honey records and accuses only below the stated bound.",
    ),
    "footer": ("由 LeakTrace 生成", "Produced by LeakTrace"),
    "page": ("页", "page"),
}


def labels(lang: str) -> dict[str, str]:
    """All labels in ``lang`` (``zh`` or ``en``)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}")
    i = LANGS.index(lang)
    return {key: pair[i] for key, pair in _LABELS.items()}
