import pytest

from jobs.publish.privacy import mask_certno, mask_name


@pytest.mark.parametrize(
    "raw,masked",
    [
        ("110101199001011234", "110101********1234"),
        ("11010119900101123X", "110101********123X"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_certno(raw, masked):
    assert mask_certno(raw) == masked


@pytest.mark.parametrize("raw,masked", [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "*"), (None, "")])
def test_mask_name(raw, masked):
    assert mask_name(raw) == masked
