"""The NHANES adapter: CDC's tables become b12risk fields, every survey trap handled.

Expected values are computed here straight from the raw tables with plain pandas (a
second, independent reading), or taken from shared/nhanes/README.md, which measured
them before this adapter existed.
"""

import hashlib
import lzma
import shutil

import numpy as np
import pandas as pd
import pytest

from b12risk.errors import ConfigError, KnowledgeError
from b12risk.nhanes import CYCLES, data_dir, load_adults, model_columns, read_table, stats, verify_shipped
from b12risk.nhanes.adapter import mapping
from b12risk.nhanes.egfr import ckd_epi_2021

SUFFIX = {"2001-2002": "B", "2003-2004": "C", "2011-2012": "G"}


@pytest.fixture(scope="module")
def adults():
    return load_adults()


def raw(table: str) -> pd.DataFrame:
    return pd.read_csv(data_dir() / f"{table}.csv.xz", low_memory=False)


def raw_adults(letter: str) -> pd.DataFrame:
    demo = raw(f"DEMO_{letter}")
    return demo[(demo.RIDAGEYR >= 20) & (demo.RIDSTATR == 2) & (demo.WTMEC2YR > 0)].set_index("SEQN")


def cycle(adults: pd.DataFrame, years: str) -> pd.DataFrame:
    return adults[adults["cycle"] == years]


# --------------------------------------------------------------------------- who is in


@pytest.mark.parametrize("years", list(CYCLES))
def test_each_cycle_holds_every_examined_adult_once(adults, years):
    mine = cycle(adults, years)
    expected = raw_adults(SUFFIX[years])
    assert mine.index.is_unique
    assert set(mine.index) == set(expected.index)
    assert mine["weight"].to_numpy() == pytest.approx(expected.loc[mine.index, "WTMEC2YR"].to_numpy())


# shared/nhanes/README.md, measured on adults >= 20 with B12 <= 20,000: weighted share < 148,
# and (as its numbers turn out to be) unweighted median and 95th percentile.
README_FIGURES = {"2001-2002": (0.023, 339, 710), "2003-2004": (0.021, 343, 733), "2011-2012": (0.018, 392, 915)}


@pytest.mark.parametrize("years", list(CYCLES))
def test_serum_b12_figures_match_the_ones_measured_before(adults, years):
    share, median, p95 = README_FIGURES[years]
    part = cycle(adults, years)
    b12 = part["serum_b12_pmol_l"].to_numpy()
    ok = np.isfinite(b12) & (b12 <= 20_000)
    assert stats.weighted_share(b12[ok] < 148, part["weight"].to_numpy()[ok]) == pytest.approx(share, abs=0.0005)
    assert np.quantile(b12[ok], [0.5, 0.95]) == pytest.approx([median, p95], abs=1.0)


GENERIC = {
    "metformin_years": r"\bMETFORMIN\b",
    "ppi_years": r"\b(?:OMEPRAZOLE|ESOMEPRAZOLE|LANSOPRAZOLE|DEXLANSOPRAZOLE|PANTOPRAZOLE|RABEPRAZOLE)\b",
}


@pytest.mark.parametrize("years", list(CYCLES))
@pytest.mark.parametrize("field", list(GENERIC))
def test_weighted_medicine_shares_equal_a_hand_count(adults, years, field):
    letter = SUFFIX[years]
    part = cycle(adults, years)
    rx = raw(f"RXQ_RX_{letter}")
    name = "RXD240B" if letter == "B" else "RXDDRUG"
    takers = set(rx.loc[rx[name].fillna("").str.contains(GENERIC[field]), "SEQN"])
    # the adapter leaves people whose status or duration is unknown out; they are few
    known = part[part[field].notna()]
    assert len(known) > 0.98 * len(part)
    hand = known["weight"][known.index.isin(list(takers))].sum() / known["weight"].sum()
    mine = stats.weighted_share((known[field] > 0).to_numpy(), known["weight"].to_numpy())
    assert mine == pytest.approx(hand, rel=1e-12)


# --------------------------------------------------------------------------- traps


def test_refused_and_dont_know_codes_never_become_numbers(adults):
    diq = raw("DIQ_G").set_index("SEQN")
    coded = diq.index[diq["DIQ010"].isin([7, 9])].intersection(cycle(adults, "2011-2012").index)
    assert len(coded) > 0
    assert adults.loc[coded, "diabetes"].isna().all()
    dsq = raw("DSQ1_B").set_index("SEQN")
    coded = dsq.index[dsq["DSD010"].isin([7, 9])].intersection(cycle(adults, "2001-2002").index)
    assert len(coded) > 0 and adults.loc[coded, "supplement_use"].isna().all()
    rx = raw("RXQ_RX_C")
    ppi_unknown_days = rx[(rx["RXDDRUG"] == "OMEPRAZOLE") & (rx["RXDDAYS"] == 99999)]["SEQN"]
    only = [
        s for s in ppi_unknown_days if (rx[(rx.SEQN == s) & rx.RXDDRUG.str.contains("PRAZOLE", na=False)]).shape[0] == 1
    ]
    only = [s for s in only if s in cycle(adults, "2003-2004").index]
    assert only and adults.loc[only, "ppi_years"].isna().all()
    for col in ("ppi_years", "metformin_years", "h2_blocker_years"):
        assert adults[col].max() < 100, col  # 77777 / 99999 days would be 213 / 274 years


def test_mma_is_converted_from_nmol_l_in_2011_2012(adults):
    mma = raw("MMA_G").set_index("SEQN")["LBXMMASI"]
    part = cycle(adults, "2011-2012")
    both = part.index.intersection(mma.dropna().index)
    assert part.loc[both, "mma_umol_l"].to_numpy() == pytest.approx(mma.loc[both].to_numpy() / 1000)
    medians = adults.groupby("cycle")["mma_umol_l"].median()
    assert ((medians > 0.08) & (medians < 0.25)).all()  # the same unit in every cycle


@pytest.mark.parametrize(
    ("field", "letter", "table", "variable"),
    [
        ("hcy_umol_l", "B", "L06_B", "LBDHCY"),
        ("hcy_umol_l", "C", "L06MH_C", "LBXHCY"),
        ("creatinine_mg_dl", "B", "L40_B", "LBDSCR"),
        ("creatinine_mg_dl", "C", "L40_C", "LBXSCR"),
        ("creatinine_mg_dl", "G", "BIOPRO_G", "LBXSCR"),
        ("serum_b12_pmol_l", "C", "L06NB_C", "LBDB12SI"),
    ],
)
def test_renamed_variables_are_read_under_each_cycles_name(adults, field, letter, table, variable):
    years = {v: k for k, v in SUFFIX.items()}[letter]
    values = raw(table).set_index("SEQN")[variable]
    part = cycle(adults, years)
    both = part.index.intersection(values.dropna().index)
    assert len(both) > 1000
    assert part.loc[both, field].to_numpy() == pytest.approx(values.loc[both].to_numpy())


def test_homocysteine_is_missing_where_the_cycle_did_not_measure_it(adults):
    assert cycle(adults, "2011-2012")["hcy_umol_l"].isna().all()
    assert cycle(adults, "2003-2004")["hcy_umol_l"].notna().mean() > 0.9


@pytest.mark.parametrize(("years", "top"), [("2001-2002", 85), ("2003-2004", 85), ("2011-2012", 80)])
def test_age_top_coding_is_marked(adults, years, top):
    part = cycle(adults, years)
    assert part["age"].max() == top
    assert part["age_topcoded"].sum() == (raw_adults(SUFFIX[years])["RIDAGEYR"] == top).sum() > 0


def test_medicines_are_matched_by_whole_generic_name(adults):
    rx = raw("RXQ_RX_G")
    aripiprazole = set(rx.loc[rx["RXDDRUG"] == "ARIPIPRAZOLE", "SEQN"])
    ppi_names = r".*\b(OMEPRAZOLE|ESOMEPRAZOLE|LANSOPRAZOLE|DEXLANSOPRAZOLE|PANTOPRAZOLE|RABEPRAZOLE)\b.*"
    takes_ppi = set(rx.loc[rx["RXDDRUG"].fillna("").str.fullmatch(ppi_names), "SEQN"])
    only_aripiprazole = [s for s in aripiprazole - takes_ppi if s in adults.index]
    assert only_aripiprazole and (adults.loc[only_aripiprazole, "ppi_years"] == 0).all()
    combo = rx[rx["RXDDRUG"] == "GLYBURIDE; METFORMIN"].drop_duplicates("SEQN")
    combo = combo[combo["SEQN"].isin(adults.index) & (combo["RXDDAYS"] < 77777)]
    assert len(combo) > 0
    got = adults.loc[combo["SEQN"], "metformin_years"].to_numpy()
    assert (got >= combo["RXDDAYS"].to_numpy() / 365.25 - 1e-9).all()


def test_people_without_prescriptions_have_zero_years(adults):
    rx = raw("RXQ_RX_C").drop_duplicates("SEQN").set_index("SEQN")
    none = rx.index[rx["RXDUSE"] == 2].intersection(cycle(adults, "2003-2004").index)
    assert len(none) > 1000
    assert (adults.loc[none, ["ppi_years", "metformin_years", "h2_blocker_years"]] == 0).all().all()


def test_pregnancy_follows_the_exam_and_the_ages_asked(adults):
    assert not adults.loc[adults["sex"] == "male", "pregnant"].any()
    assert adults.loc[adults["sex"] == "male", "pregnant"].notna().all()
    old = adults[(adults["sex"] == "female") & (adults["age"] >= 60)]
    assert (old["pregnant"] == False).all()  # noqa: E712 - nullable booleans
    demo = raw("DEMO_C").set_index("SEQN")
    cannot = demo.index[demo["RIDEXPRG"] == 3].intersection(cycle(adults, "2003-2004").index)
    assert len(cannot) > 0 and adults.loc[cannot, "pregnant"].isna().all()


def test_unrecorded_fields_are_not_columns_so_predict_treats_them_as_unobserved(adults):
    for absent in ("diet", "gastrectomy", "fatigue", "holotc_pmol_l", "metformin_mg_day"):
        assert absent not in adults.columns
    assert set(model_columns()) <= set(adults.columns)


def test_real_readings_above_the_old_limit_are_scored_with_a_warning(adults):
    from b12risk import predict

    high = adults[adults["serum_b12_pmol_l"] > 20_000]
    # shared/nhanes/README.md: 4 adults in 2001-02 read 20,000-39,000; one more in 2003-04 (25,279)
    assert (high["cycle"] == "2001-2002").sum() == 4 and len(high) == 5
    out = predict(high[model_columns()], explain=False)
    assert out["probability"].between(0, 1).all()
    assert out["warnings"].str.contains("serum_b12_pmol_l .* outside the range the model was trained on").all()


def test_the_supplement_name_rule_agrees_with_nutrient_totals():
    from b12risk.nhanes import supplement_name_agreement

    agreement = supplement_name_agreement()
    assert agreement["n"] > 3000
    assert agreement["sensitivity"] > 0.85 and agreement["specificity"] > 0.9


# --------------------------------------------------------------------------- files


def test_cdc_transport_files_read_as_the_csv_copies(tmp_path):
    for table in ("L06MH_C", "L06NB_C"):
        (tmp_path / f"{table}.XPT").write_bytes(lzma.decompress((data_dir() / f"{table}.XPT.xz").read_bytes()))
        from_xpt = read_table(table, tmp_path)
        from_csv = read_table(table)
        pd.testing.assert_frame_equal(from_xpt, from_csv, check_dtype=False, atol=1e-9)


def test_a_folder_of_cdc_downloads_gives_the_same_adults(tmp_path):
    letter = "C"
    for path in data_dir().glob(f"*_{letter}.csv.xz"):
        shutil.copy(path, tmp_path / path.name)
    for table in ("L06MH_C", "L06NB_C"):
        (tmp_path / f"{table}.csv.xz").unlink()
        (tmp_path / f"{table}.XPT").write_bytes(lzma.decompress((data_dir() / f"{table}.XPT.xz").read_bytes()))
    mine = load_adults(["2003-2004"], directory=tmp_path)
    pd.testing.assert_frame_equal(mine, load_adults(["2003-2004"]))


def test_shipped_files_match_their_checksums_and_the_upstream_ones():
    digests = verify_shipped()
    assert len(digests) == 28
    upstream = {}
    for line in (data_dir() / "SHA1SUMS.upstream").read_text().splitlines():
        sha1, name = line.split()
        upstream[name] = sha1
    for name in digests:
        data = (data_dir() / name).read_bytes()
        content = lzma.decompress(data) if name.endswith(".XPT.xz") else data
        assert hashlib.sha1(content).hexdigest() == upstream[name], name


def test_a_damaged_shipped_file_is_refused(tmp_path):
    folder = tmp_path / "nhanes"
    shutil.copytree(data_dir(), folder)
    path = folder / "DEMO_G.csv.xz"
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(KnowledgeError, match=r"DEMO_G\.csv\.xz.*SHA-256"):
        read_table("DEMO_G", folder)


def test_a_missing_table_names_itself_and_where_cdc_publishes_it(tmp_path):
    with pytest.raises(ConfigError, match=r"DEMO_B not found.*wwwn\.cdc\.gov"):
        read_table("DEMO_B", tmp_path)


@pytest.mark.parametrize("bad", ["2005-2006", "X", ""])
def test_an_unknown_cycle_is_refused(bad):
    with pytest.raises(ConfigError, match="cycle must be one of 2001-2002, 2003-2004, 2011-2012"):
        load_adults([bad])


def test_every_mapped_variable_exists_in_its_table():
    m = mapping()
    for name, spec in m["fields"].items():
        for letter in ("B", "C", "G"):
            src = spec.get(letter)
            if isinstance(src, dict) and "variable" in src:
                assert src["variable"] in read_table(src["table"]).columns, (name, letter)


# --------------------------------------------------------------------------- eGFR


@pytest.mark.parametrize(
    ("creatinine", "age", "sex", "expected"),
    [
        (0.9, 50, "male", 142 * 0.9938**50),  # at the knot: only the age term
        (0.7, 40, "female", 142 * 0.9938**40 * 1.012),
        (1.8, 50, "male", 142 * 2.0**-1.200 * 0.9938**50),
        (0.45, 30, "male", 142 * 0.5**-0.302 * 0.9938**30),
        (0.35, 30, "female", 142 * 0.5**-0.241 * 0.9938**30 * 1.012),
    ],
)
def test_egfr_follows_ckd_epi_2021(creatinine, age, sex, expected):
    assert ckd_epi_2021(creatinine, age, sex)[0] == pytest.approx(expected, rel=1e-12)


def test_egfr_is_missing_without_its_inputs():
    out = ckd_epi_2021([np.nan, 1.0, 1.0], [50, np.nan, 50], ["male", "male", None])
    assert np.isnan(out).all()
