"""Division names, group naming and the choice of CGCS2000 zones."""
import pytest

from linxia_tianguan_plugin.core import crs
from linxia_tianguan_plugin.core.admin import AdminDivisions, chinese_ordinal, group_name, unit_rows
from linxia_tianguan_plugin.resources import divisions_csv


def test_bundled_divisions_have_linxia_counties_and_townships():
    divisions = AdminDivisions.from_csv(divisions_csv())
    assert divisions.name("622921") == "临夏县"
    assert divisions.name("622921100") == "韩集镇"
    assert len(divisions.townships("622921")) == 25
    assert sum(len(divisions.townships(c)) for c in
               ("622901", "622921", "622922", "622923", "622924", "622925", "622926", "622927")) == 131


@pytest.mark.parametrize("n, text", [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (35, "三十五"), (99, "九十九")])
def test_chinese_ordinals(n, text):
    assert chinese_ordinal(n) == text


def test_group_names_and_unit_rows():
    assert group_name("韩家村", "03") == "韩家村三社"
    assert group_name("韩家村", "00") == "韩家村"
    divisions = AdminDivisions.from_csv(divisions_csv())
    rows = {r[0]: r for r in unit_rows(divisions, {"622921100201": "韩家村"}, ["62292110020103"])}
    assert rows["622921"][2] == "临夏县" and rows["622921100"][2] == "韩集镇"
    assert rows["62292110020103"] == ("62292110020103", "group", "韩家村三社", "622921100201")


@pytest.mark.parametrize("lon, prefixed, epsg", [
    (103.2, True, 4522), (103.49, True, 4522), (103.51, True, 4523), (103.2, False, 4543), (105.0, False, 4544),
])
def test_gk3_zone_choice(lon, prefixed, epsg):
    assert crs.gk3_epsg(lon, prefixed) == epsg
    assert crs.central_meridian(epsg) == 3 * round(lon / 3)


def test_gk3_outside_china_is_an_error():
    with pytest.raises(ValueError, match="outside"):
        crs.gk3_epsg(10.0)
