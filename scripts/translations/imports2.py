"""Chinese for the msgids of the imports2 branch (issue 9: progress, pairing ledger)."""
# ruff: noqa: E501 - translation pairs read best on one line each

ZH = {
    "Pairing ledger (Annex 2 of the mutual-aid notice, .xlsx or .csv, at most 15 MB)": "结对帮扶信息台账（互助养老通知附件2，.xlsx 或 .csv，不超过 15 MB）",
    "Write 有 or 无.": "请填写“有”或“无”。",
    "Write 独居 or 双居.": "请填写“独居”或“双居”。",
    "Write 自理 or 失能.": "请填写“自理”或“失能”。",
    "Write one of 低保, 分散特困, 失独, 残疾, 优抚, 其他.": "请填写低保、分散特困、失独、残疾、优抚、其他之一。",
    "Several cases of this village are named %(name)s: add the ID number.": "本村有多名叫%(name)s的建档老人，请填写身份证号码。",
    "This elder's case belongs to %(village)s.": "该老人的档案属于%(village)s。",
    "The team has several members named %(name)s: add the helper's phone.": "服务队伍中有多名叫%(name)s的成员，请填写帮扶人电话。",
    "%(name)s is not in the team yet: write 男 or 女 to add them.": "%(name)s尚不在服务队伍中：请填写性别（男或女）以便加入。",
    "Fill in the helper's name.": "请填写帮扶人姓名。",
    "Write 一对一 or 划片式.": "请填写“一对一”或“划片式”。",
    "The same elder is on row %(row)d of this file.": "同一位老人已在本文件第%(row)d行。",
    "This elder is already paired (with %(helpers)s): end that pairing first.": "该老人已有结对帮扶（帮扶人：%(helpers)s），请先结束该结对。",
    "%(names)s is not a helper of the group %(group)s: add them to it on its page first.": "%(names)s不是划片小组“%(group)s”的帮扶人，请先在该小组页面添加。",
    "No header found: the sheet needs the columns 被帮扶老人姓名 and 帮扶人姓名.": "未找到表头：表格需包含“被帮扶老人姓名”和“帮扶人姓名”两列。",
    "Pairing ledger imported: %(new)d elders paired, %(unchanged)d unchanged, %(rejected)d rows "
    "left out, %(helpers)d helpers added to the team.": "结对帮扶台账已导入：新结对老人 %(new)d 人，无变化 %(unchanged)d 行，"
    "未导入 %(rejected)d 行，"
    "新增服务队伍成员 %(helpers)d 人。",
    "Write the age in years.": "请填写周岁年龄。",
    "Import a pairing ledger": "导入结对帮扶台账",
    "Upload the pairing ledger you keep (Annex 2 of the mutual-aid notice: 被帮扶老人姓名 … "
    "帮扶人姓名 …). Add the columns 村（社区） (unless it is your own village's ledger), "
    "身份证号码 to match elders to their case files, 结对方式 (一对一 or 划片式) and 小组名称 for area "
    "groups. Nothing is saved until you have seen the preview and confirmed the import.": "上传您现有的结对帮扶信息台账（互助养老通知附件2：被帮扶老人姓名……帮扶人姓名……）。"
    "请补充以下列：村（社区）（本村台账可不填）、身份证号码（用于匹配老人档案）、"
    "结对方式（一对一或划片式）及划片式的小组名称。查看预览并确认导入之前，不会保存任何内容。",
    "Pairing ledger preview: %(name)s": "结对帮扶台账预览：%(name)s",
    "Elders to pair": "将结对的老人",
    "of them with a case file": "其中已建档老人",
    "of them other village elders (社会老人)": "其中社会老人",
    "Helpers to add to the team": "将加入服务队伍的帮扶人",
}
