"""Layer schemas (field name, OGR type, width) and code tables shared by workers and the writer.

Widths are in bytes of the GBK-encoded shapefile DBF (two bytes per Chinese character), so the
shapefile copies never truncate names.
"""

from __future__ import annotations

S, R, INT, D = "str", "real", "int", "date"

# fmt: off
DLMC = dict(item.split(":") for item in (
    "0101:水田 0102:水浇地 0103:旱地 0201:果园 0202:茶园 0204:其他园地 0301:乔木林地 0302:竹林地 "
    "0305:灌木林地 0307:其他林地 0401:天然牧草地 0403:人工牧草地 0404:其他草地 0701:城镇住宅用地 "
    "0702:农村宅基地 1003:公路用地 1004:城镇村道路用地 1006:农村道路 1101:河流水面 1104:坑塘水面 "
    "1104A:养殖坑塘 1107:沟渠 1201:空闲地 1202:设施农用地 1203:田坎 1206:裸土地").split())
ZZSXMC = {"LS": "种植粮食作物", "FLS": "种植非粮食作物", "LYFL": "粮与非粮轮作", "XG": "休耕", "WG": "未耕种"}

# Feature codes (要素代码). DLTB's is the widely used 2001010100; the others follow the same
# pattern but are not verified against TD/T 1057 (see docs/sample-county.md).
YSDM = {"XZQ": "1000600100", "CJDCQ": "1000609000", "DLTB": "2001010100", "YJJBNTTB": "2005010300"}

XZQ = [("BSM", S, 18), ("YSDM", S, 10), ("XZQDM", S, 12), ("XZQMC", S, 100), ("DCMJ", R, 0), ("JSMJ", R, 0),
       ("MSSM", S, 2), ("BZ", S, 254)]
CJDCQ = [("BSM", S, 18), ("YSDM", S, 10), ("ZLDWDM", S, 19), ("ZLDWMC", S, 100), ("DCMJ", R, 0), ("MSSM", S, 2),
         ("BZ", S, 254)]
DLTB = [("BSM", S, 18), ("YSDM", S, 10), ("TBYBH", S, 18), ("TBBH", S, 8), ("DLBM", S, 5), ("DLMC", S, 60),
        ("QSXZ", S, 2), ("QSDWDM", S, 19), ("QSDWMC", S, 100), ("ZLDWDM", S, 19), ("ZLDWMC", S, 100),
        ("TBMJ", R, 0), ("KCDLBM", S, 5), ("KCXS", R, 0), ("KCMJ", R, 0), ("TBDLMJ", R, 0), ("GDLX", S, 2),
        ("GDPDJB", S, 2), ("XZDWKD", R, 0), ("TBXHDM", S, 6), ("TBXHMC", S, 20), ("ZZSXDM", S, 6),
        ("ZZSXMC", S, 20), ("GDDB", INT, 0), ("FRDBS", S, 1), ("CZCSXM", S, 4), ("SJNF", INT, 0), ("MSSM", S, 2),
        ("BZ", S, 254)]
YJJBNTTB = [("BSM", S, 18), ("YSDM", S, 10), ("TBBH", S, 8), ("DLBM", S, 5), ("DLMC", S, 60), ("ZLDWDM", S, 19),
            ("ZLDWMC", S, 100), ("TBMJ", R, 0), ("YJJBNTTBBH", S, 24), ("BZ", S, 254)]
DK = [("DKBM", S, 19), ("DKMC", S, 50), ("SYQXZ", S, 2), ("DKLB", S, 2), ("TDLYLX", S, 3), ("DLDJ", S, 2),
      ("TDYT", S, 1), ("SFJBNT", S, 1), ("SCMJ", R, 0), ("SCMJM", R, 0), ("HTMJ", R, 0), ("DKDZ", S, 50),
      ("DKNZ", S, 50), ("DKXZ", S, 50), ("DKBZ", S, 50), ("ZJRXM", S, 50), ("FBFBM", S, 14), ("CBFBM", S, 18),
      ("BZ", S, 254)]
PZYD = [("PZWH", S, 60), ("PZLX", S, 20), ("PZRQ", D, 0), ("PZMJ", R, 0), ("YDDW", S, 100), ("XMMC", S, 200)]
SSNYDBA = [("BAH", S, 60), ("BARQ", D, 0), ("BAMJ", R, 0), ("SSLX", S, 40), ("YDDW", S, 100)]
LSYD = [("PZWH", S, 60), ("QSRQ", D, 0), ("ZZRQ", D, 0), ("MJ", R, 0), ("YDDW", S, 100), ("XMMC", S, 200)]
CZKFBJ = [("XZQDM", S, 12), ("XZQMC", S, 100), ("GHMC", S, 200), ("MJ", R, 0)]
# fmt: on

LAYERS: dict[str, list[tuple[str, str, int]]] = {
    "XZQ": XZQ,
    "CJDCQ": CJDCQ,
    "DLTB": DLTB,
    "YJJBNTTB": YJJBNTTB,
    "DK": DK,
    "DLTB_2025": DLTB,
    "PZYD": PZYD,
    "SSNYDBA": SSNYDBA,
    "LSYD": LSYD,
    "CZKFBJ": CZKFBJ,
}
# The order layers are written in (and listed in the manifest).
LAYER_ORDER = ["XZQ", "CJDCQ", "DLTB", "YJJBNTTB", "DK", "DLTB_2025", "PZYD", "SSNYDBA", "LSYD", "CZKFBJ"]
SHAPEFILE_LAYERS = ["XZQ", "CJDCQ", "DLTB", "YJJBNTTB"]
