"""Chinese for the msgids added by the scope/masking/audit-log branch (merged by the integrator)."""

ZH = {
    "Audit log": "审计日志",
    "Download Excel": "下载 Excel",
    "Who opened, changed, printed or exported which case file, and every refused request. "
    "Times are UTC. Kept at least six months; nobody can change or delete an entry.": (
        "记录谁查看、修改、打印或导出了哪份档案，以及每一次被拒绝的访问。时间为协调世界时（UTC）。"
        "日志至少保存六个月，任何人都不能修改或删除。"
    ),
    "User": "用户",
    "Elder number": "老年人编号",
    "Action": "操作",
    "From": "起始日期",
    "To": "截止日期",
    "Time (UTC)": "时间（UTC）",
    "Role": "角色",
    "IP address": "IP 地址",
    "Record type": "记录类型",
    "Record": "记录",
    "Elder": "老年人",
    "Detail": "详情",
    "No entries match.": "没有符合条件的日志。",
    "Show full numbers": "显示完整号码",
}
