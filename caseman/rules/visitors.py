"""Who may be an elder's visitor (探访联系人).

渝北民〔2024〕24号 一（二）10: for elders without children
"由属地镇街会同村（居）“两委”明确探访联系人", and 一（五）一:
"鼓励属地镇街聘用同村（居）的村（居）民 … 参与探访关爱服务行动".
A visitor is therefore a worker of the
elder's own town/street or of the elder's own village/community (or one of its villager
groups); a worker of another village, town or the district is not.

Areas are given by their materialised paths ("/1/4/17/"), so the rule needs no database.
"""

from __future__ import annotations


def may_visit(worker_path: str, town_path: str | None, village_path: str | None) -> bool:
    """Whether a worker bound to ``worker_path`` may be the visitor of an elder whose town and
    village have the paths ``town_path`` and ``village_path`` (None where the elder has none)."""
    if town_path is not None and worker_path == town_path:
        return True
    return village_path is not None and worker_path.startswith(village_path)
