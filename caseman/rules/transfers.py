"""Transfers of a case to another village (转移, issue 19 item 2): who may act, and the states.

渝北民〔2024〕24号 一（二）10 (属地镇街): each town
"履行属地管理责任，负责辖区特殊困难老年人信息摸排工作" with its villages
(精准到村（居）、到户、到人): the case of an elder who moves belongs to the village and town
where they now live, so the receiving side takes it on by accepting it; 三（五）
(加强对象动态管理: 即时更新) asks for the change to be recorded when it happens.

A transfer is started by staff of the sending side (the elder's village, its town, or the
district), answered by staff of the receiving side (the target village, its town, or the district)
and may be cancelled by the sending side while it waits. Until it is accepted the case stays where
it was. Areas are given by their materialised paths ("/1/4/17/"), so the rules need no database.
"""

from __future__ import annotations

from enum import StrEnum

STAFF = ("district", "town", "village")


class TransferStatus(StrEnum):
    PENDING = "pending"  # 待接收
    ACCEPTED = "accepted"  # 已接收
    REFUSED = "refused"  # 已退回 (with a reason)
    CANCELLED = "cancelled"  # 已撤回 by the sender

    @property
    def is_open(self) -> bool:
        return self is TransferStatus.PENDING


# From each state, the states it may change to: only a pending transfer changes, once.
TRANSITIONS: dict[TransferStatus, frozenset[TransferStatus]] = {
    TransferStatus.PENDING: frozenset(
        {TransferStatus.ACCEPTED, TransferStatus.REFUSED, TransferStatus.CANCELLED}
    ),
    TransferStatus.ACCEPTED: frozenset(),
    TransferStatus.REFUSED: frozenset(),
    TransferStatus.CANCELLED: frozenset(),
}


def may_change(before: TransferStatus, after: TransferStatus) -> bool:
    return after in TRANSITIONS[before]


def _covers(actor_path: str, area_path: str) -> bool:
    return area_path.startswith(actor_path)


def may_start(role: str, actor_path: str, elder_village_path: str) -> bool:
    """Staff whose area holds the elder's village (the village, its town, the district)."""
    return role in STAFF and _covers(actor_path, elder_village_path)


def may_answer(role: str, actor_path: str, target_village_path: str) -> bool:
    """Staff whose area holds the receiving village may accept or refuse."""
    return role in STAFF and _covers(actor_path, target_village_path)


def may_cancel(role: str, actor_path: str, from_village_path: str) -> bool:
    """Staff of the sending side may take the request back while it waits."""
    return role in STAFF and _covers(actor_path, from_village_path)


def is_valid_target(from_village_path: str, target_village_path: str) -> bool:
    """Another village (any town): not the village the elder lives in now."""
    return target_village_path != from_village_path
