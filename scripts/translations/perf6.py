"""Chinese translations of the msgids added on the perf6 branch (issue 6)."""

# ruff: noqa: E501 - msgids are kept whole
ZH = {
    "Showing the latest %(shown)s of %(total)s visits and care records: see the whole case history": "仅显示最近 %(shown)s 条（共 %(total)s 条）探访和关爱服务记录：查看完整档案历史",
}
