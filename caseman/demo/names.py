"""Synthetic people of 渝北区 shared by the demo loaders and the benchmarks: common surnames,
given-name characters of elders and of younger people, phone prefixes, the district code.

Nobody real: names are drawn from these characters, ID numbers are built with a valid check
digit (caseman.rules.id_number) for birth dates drawn at random.
"""

from __future__ import annotations

from caseman.rules.enums import Gender

DISTRICT_CODE = "500112"  # 渝北区


def words(text: str) -> tuple[str, ...]:
    """The words of ``text`` split at spaces: lists of characters written on one line."""
    return tuple(text.split())


SURNAMES = words(
    "张 王 李 刘 陈 杨 黄 赵 周 吴 徐 孙 马 胡 朱 郭 何 罗 高 林 曾 单 解 "
    "谢 唐 冉 蒋 彭 邓 袁 田 钟 肖 付 熊 廖 秦 向 谭 余 邹 龚 游"
)
ELDER_GIVEN = {
    Gender.MALE: words(
        "国 建 明 德 文 志 华 光 福 贵 富 全 成 永 树 林 清 书 祥 汉 忠 仁 昌 海 发 洪 "
        "远 学 金 银 山 元 寿 安 兴 绍 开 家 正 世 云 先 吉"
    ),
    Gender.FEMALE: words(
        "秀 英 兰 芳 珍 玉 桂 华 淑 凤 琼 翠 素 群 梅 莲 琴 碧 蓉 惠 菊 香 春 "
        "淑 德 明 清 贞 芝 仙 彩 会 美 金 银 荣"
    ),
}
YOUNG_GIVEN = {
    Gender.MALE: words("伟 强 军 勇 涛 斌 波 平 刚 杰 鹏 林 兵 洪 明 亮 川 江 宇 超 浩 磊"),
    Gender.FEMALE: words("丽 敏 静 燕 红 艳 娟 霞 琳 萍 莉 婷 英 梅 琴 芳 玲 丹 雪 倩 瑶"),
}
PHONE_PREFIXES = words(
    "30 31 32 33 35 36 37 38 39 50 51 52 55 56 57 58 59 73 77 80 82 83 86 87 89 91 99"
)
