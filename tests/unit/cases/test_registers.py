from probation.domain.cases.registers import REGISTER_TYPES, RegisterGroup


def test_rosh_levels_share_one_slot_so_a_new_level_supersedes_the_old() -> None:
    rosh = [register for register in REGISTER_TYPES.values() if register.group is RegisterGroup.ROSH]
    assert {register.code for register in rosh} == {"RVHR", "RHRH", "RMRH", "RLRH"}
    assert {register.uniqueness_key for register in rosh} == {"ROSH"}
    assert all(register.supersedes_within_group for register in rosh)


def test_flags_are_unique_per_code_and_never_supersede() -> None:
    flags = [REGISTER_TYPES[code] for code in ("RMDO", "ALSH", "ADVP")]
    assert [flag.uniqueness_key for flag in flags] == ["RMDO", "ALSH", "ADVP"]
    assert not any(flag.supersedes_within_group for flag in flags)


def test_every_complexity_factor_of_the_tier_model_is_known() -> None:
    factors = {"RMDO", "ALSH", "RVLN", "RCCO", "RCPR", "RCHD", "RPIR", "RVAD", "STRG", "RTAO"}
    assert {code for code, r in REGISTER_TYPES.items() if r.group is RegisterGroup.COMPLEXITY} == factors
