"""Chinese for the ledger import and the data export (issue 9)."""

ZH = {
    # Export
    "There is nothing to export in your area.": "您的辖区没有可导出的数据。",
    "Writing the tables": "正在写出各表",
    "Format": "格式",
    "Excel workbook (.xlsx), one sheet per table": "Excel 工作簿（.xlsx），每张表一个工作表",
    "CSV files in a .zip, one per table": "CSV 文件打包为 .zip，每张表一个文件",
    "Export": "导出",
    "Export all data": "导出全部数据",
    "Every record of your area: elders, family members, visits, care, referrals, risks and "
    "follow-ups, with a data dictionary. ID numbers and phones are complete only for district "
    "and town staff. The export is recorded in the audit log.": (
        "导出辖区内的全部记录：老年人、家庭成员、探访、关爱服务、转介、风险隐患和跟踪回访，"
        "附数据字典。只有区、镇街工作人员导出的身份证号码和电话是完整的。导出会记入审计日志。"
    ),
    # Import: upload and reading
    "Ledger (Annex 1 layout, .xlsx or .csv, at most 15 MB)": (
        "台账（附件1格式，.xlsx 或 .csv，不超过 15 MB）"
    ),
    "Choose the file.": "请选择文件。",
    "The uploaded file is gone: upload it again.": "上传的文件已不存在，请重新上传。",
    "Checking the rows": "正在检查各行",
    "Importing the rows": "正在导入各行",
    "The file is larger than %(size)d MB.": "文件超过 %(size)d MB。",
    "This is not an Excel workbook (.xlsx).": "这不是 Excel 工作簿（.xlsx）。",
    "Old Excel files (.xls) cannot be read: open it and save it as .xlsx, then upload.": (
        "无法读取旧版 Excel 文件（.xls）：请打开后另存为 .xlsx 再上传。"
    ),
    "Upload an Excel workbook (.xlsx) or a CSV file.": "请上传 Excel 工作簿（.xlsx）或 CSV 文件。",
    "The CSV file is neither UTF-8 nor GBK text.": "CSV 文件既不是 UTF-8 也不是 GBK 编码的文本。",
    "This Excel file is damaged and cannot be read.": "此 Excel 文件已损坏，无法读取。",
    "The sheet is empty.": "工作表是空的。",
    "No header found: the sheet needs columns titled 姓名 and 身份证号码 near the top.": (
        "未找到表头：工作表前几行须有“姓名”和“身份证号码”列。"
    ),
    "The sheet has a header but no rows of elders.": "工作表只有表头，没有老年人数据行。",
    # Import: row checks
    "Fill in the village or community.": "请填写村（社区）。",
    "%(name)s is not a town of your area.": "%(name)s 不是您辖区内的镇街。",
    "Several towns have a village named %(name)s: fill in the town.": (
        "多个镇街都有名为 %(name)s 的村（社区），请填写责任镇街。"
    ),
    "%(name)s is not in the area list; is it %(match)s? Confirm the match above.": (
        "区域列表中没有 %(name)s，是否为 %(match)s？请在上方确认。"
    ),
    "%(name)s is not a village or community of your area.": "%(name)s 不是您辖区内的村（社区）。",
    "This cell holds a formula, which is never evaluated: type the value itself.": (
        "此单元格是公式，系统不会计算公式：请直接填写内容。"
    ),
    "Fill in the name.": "请填写姓名。",
    "Fill in the ID number.": "请填写身份证号码。",
    "Write 男 or 女.": "请填写“男”或“女”。",
    "Unknown object type: %(words)s.": "无法识别的对象类型：%(words)s。",
    "Unknown ability level.": "无法识别的能力程度。",
    "This is not a date.": "这不是日期。",
    "The same ID number is on row %(row)d of this file.": (
        "本文件第 %(row)d 行已有相同的身份证号码。"
    ),
    "Check the file before importing it.": "请先检查文件，再导入。",
    "Excel stored this ID number as a number and lost its last digits; it cannot be repaired. "
    "Type the full number again as text.": (
        "Excel 把此身份证号码存成了数字，末几位已丢失，无法恢复。请以文本格式重新录入完整号码。"
    ),
    "The import runs in the background; its result appears below.": (
        "导入在后台进行，结果显示在下方。"
    ),
    # Import pages
    "Import": "导入",
    "Import a ledger": "导入台账",
    "Upload the ledger you keep (Annex 1 layout or close to it). Every row is checked with the "
    "same rules as the registration form; nothing is saved until you have seen the preview and "
    "confirmed the import.": (
        "上传您现有的台账（附件1格式或相近格式）。每一行都按登记表的同一规则检查；"
        "在您查看预览并确认导入之前，不会保存任何数据。"
    ),
    "Check the file": "检查文件",
    "My imports": "我的导入",
    "Job": "任务",
    "State": "状态",
    "Waiting": "等待中",
    "Working": "进行中",
    "Done": "已完成",
    "Failed": "失败",
    "Preview": "预览",
    "Import preview: %(name)s": "导入预览：%(name)s",
    "New cases": "新建档案",
    "Cases updated": "更新档案",
    "Unchanged": "无变化",
    "Rejected rows": "未通过的行",
    "Villages to confirm": "待确认的村（社区）",
    "%(name)s is %(area)s (%(rows)d rows)": "%(name)s 即 %(area)s（%(rows)d 行）",
    "Check again with these matches": "按所选对应关系重新检查",
    "Download the error report (.xlsx)": "下载错误报告（.xlsx）",
    "Row": "行",
    "Column": "列",
    "Reason": "原因",
    "Only the first %(count)d problems are shown: the error report has them all.": (
        "只显示前 %(count)d 个问题，错误报告中有全部问题。"
    ),
    "Import the %(count)d accepted rows now; rejected rows are left out.": (
        "现在导入通过检查的 %(count)d 行；未通过的行不导入。"
    ),
    "There is nothing to import: fix the rejected rows and upload the file again.": (
        "没有可导入的行：请修改未通过的行后重新上传。"
    ),
    "Upload another file": "上传其他文件",
    "Please choose one.": "请选择一项。",
}
ZH.update({"Import a ledger": "导入台账", "Export all data": "导出全部数据"})
