"""The extraction rules added from the benchmark's dev articles, each on a synthetic text written for
this test (not taken from any article; the names of real bases only)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis.extract import Article, extract


def _ex(text, published="2024-01-12", name="synthetic"):
    return extract([Article(name, text, date.fromisoformat(published), f"https://example.org/{name}")])


def test_synthetic_per_country_breakdown_of_a_tally():
    ex = _ex("SYNTHETIC. From October 17 to January 10, US forces have been attacked at least 12 separate times in Iraq "
             "and seven separate times in Syria, for a total of 19 attacks to date.")
    t = ex.tallies.set_index("region")
    assert (t.loc["all", "count"], t.loc["all", "bound"]) == (19, "exact")
    assert (t.loc["Iraq", "count"], t.loc["Iraq", "bound"]) == (12, "at_least")
    assert (t.loc["Syria", "count"], t.loc["Syria", "bound"]) == (7, "at_least")  # the bound carries over


def test_synthetic_breakdown_in_its_own_sentence_takes_the_previous_interval():
    ex = _ex("SYNTHETIC. US troops have been attacked at least 90 times since October 17. "
             "The number includes 40 attacks in Iraq and 50 in Syria.")
    t = ex.tallies.set_index("region")
    assert t.loc["Iraq", "count"] == 40 and t.loc["Syria", "count"] == 50
    assert t.loc["Iraq", "since"] == t.loc["all", "since"] == "2023-10-17"
    assert t.loc["Syria", "bound"] == "exact"


def test_synthetic_number_of_attacks_increased_to():
    ex = _ex("SYNTHETIC. A spokesman said that since October 17, 2023, the number of attacks on US bases "
             "has increased to 120.")
    assert list(ex.tallies["count"]) == [120]
    assert ex.tallies["since"].iloc[0] == "2023-10-17"


def test_synthetic_since_the_beginning_of_the_year():
    ex = _ex("SYNTHETIC. Since the beginning of the year, US bases in Syria have been attacked at least six times.")
    t = ex.tallies.iloc[0]
    assert (t["count"], t["bound"], t["since"], t["region"]) == (6, "at_least", "2024-01-01", "Syria")


def test_synthetic_all_caps_dateline_is_not_the_place():
    ex = _ex("SYNTHETIC. ERBIL (Example News) - Two drones attacked the al-Tanf garrison on Wednesday.")
    r = ex.reports
    assert list(r["location"]) == ["al-Tanf"] and list(r["country"]) == ["Syria"]
    ex = _ex("IRBIL, Jan 12 (Example) -- A drone targeted the Harir airbase on Thursday, the directorate said.")
    assert list(ex.reports["location"]) == ["Harir"]


def test_synthetic_headline_joins_the_story():
    ex = _ex("Drone targets US outpost in Syria\n"
             "SYNTHETIC. Three drones attacked the al-Tanf garrison on Wednesday, injuring one soldier.")
    r = ex.reports
    assert r["incident_id"].nunique() == 1
    assert set(r["location"]) == {"al-Tanf"} and set(r["date_start"]) == {"2024-01-10"}
    # a headline over two attacks: it joins the first, it is not a third incident
    ex = _ex("Drones attacked two US bases in Syria\n"
             "SYNTHETIC. Drones attacked the Shaddadi and Green Village bases on Saturday.", published="2024-01-21")
    r = ex.reports
    assert r["incident_id"].nunique() == 2
    assert set(r["location"]) == {"Shaddadi", "Green Village"} and set(r["date_start"]) == {"2024-01-20"}
    head = r[r["x_span_start"] == 0]
    assert len(head) == 1 and "headline" in head["notes"].iloc[0]


def test_synthetic_strikes_on_iran_linked_sites_are_retaliation():
    ex = _ex("SYNTHETIC. Two rockets hit the Conoco base on Tuesday. Washington has blamed militias and carried out "
             "strikes on sites in Syria it said were linked to Iran, but the drone and rocket attacks have continued.")
    assert list(ex.reports["location"]) == ["Conoco"]
    assert "reject-retaliation" in set(ex.rejected["x_extraction_rule"])


def test_synthetic_reference_after_and_several_countries_are_left_out():
    ex = _ex("SYNTHETIC. Two rockets hit the Conoco base on Tuesday. "
             "The rocket attacks come less than a week after President Biden ordered airstrikes on militias in Iraq. "
             "After four soldiers were killed in an attack on Tower 22, the militias were pressured by Baghdad. "
             "Local media reported more attacks on US forces in Iraq and Syria on Wednesday.")
    assert list(ex.reports["location"]) == ["Conoco"] and len(ex.reports) == 1
    rules = set(ex.rejected["x_extraction_rule"])
    assert "reject-background-undated" in rules
    assert "reject-unquantified" in rules


def test_synthetic_province_when_no_base_is_named():
    ex = _ex("SYNTHETIC. Rockets were fired at a US base near an airport in Hasakeh on Tuesday.")
    r = ex.reports.iloc[0]
    assert (r.country, r.location, r.date_start) == ("Syria", "Hasakah", "2024-01-09")


def test_synthetic_counted_drones_before_attacked():
    ex = _ex("SYNTHETIC. CENTCOM on Friday announced that three drones attacked the al-Tanf garrison.")
    assert list(ex.reports["projectiles"]) == [3]


def test_synthetic_partner_fighters_injured():
    ex = _ex("SYNTHETIC. Two drones struck the al-Tanf garrison on Wednesday. "
             "Two fighters of the Syrian Free Army were injured in the attack.")
    assert set(ex.reports["injuries"].dropna()) == {2}
    ex = _ex("SYNTHETIC. One drone hit the al-Tanf garrison on Wednesday, injuring two members of the partner force.")
    assert list(ex.reports["injuries"]) == [2]


def test_synthetic_no_deaths_sentence_completes_the_incident():
    ex = _ex("SYNTHETIC. Two rockets targeted Baghdad airport at dawn on Thursday. "
             "The officer said there were no deaths or material losses reported. "
             "Officials discussed the budget.")
    r = ex.reports
    assert r["incident_id"].nunique() == 1 and len(r) == 2
    last = r.iloc[-1]
    assert last["fatalities"] == 0 and pd.isna(last["injuries"])  # "no deaths" says nothing of injuries


# --- rules from the second round on the dev articles (each on a synthetic text written for this test) ---

def _one(ex):
    assert ex.reports["incident_id"].nunique() == 1, ex.reports[["incident_id", "location", "x_span_text"]]
    return ex.reports.iloc[0]


def test_synthetic_statement_day_dates_an_undated_attack():
    # "on Friday announced that ...": Friday dates the statement; the attack is that day or the day before
    r = _one(_ex("SYNTHETIC. CENTCOM on Friday announced that three drones attacked the al-Tanf garrison."))
    assert (r.date_start, r.date_end, r.date_precision) == ("2024-01-11", "2024-01-12", "day")
    assert "dated by its statement" in r.notes
    # "..., the agency reported on Monday": the same, with the speech verb before the day
    r = _one(_ex("SYNTHETIC. Four soldiers were injured in a rocket attack on Ain al-Asad, the agency reported on "
                 "Monday.", published="2024-01-09"))
    assert (r.date_start, r.date_end) == ("2024-01-07", "2024-01-08")
    # the day of the attack itself, when stated, is kept
    r = _one(_ex("SYNTHETIC. Rockets struck the Conoco base on Tuesday, officials said on Thursday."))
    assert (r.date_start, r.date_end) == ("2024-01-09", "2024-01-09")


def test_synthetic_the_day_before_a_report():
    r = _one(_ex("SYNTHETIC. The day before, a television channel, citing officials, reported that two soldiers "
                 "were hurt in the shelling of the Ain al-Asad base.", published="2024-01-21"))
    assert (r.date_start, r.date_end) == ("2024-01-19", "2024-01-20")


def test_synthetic_time_of_a_us_strike_does_not_date_the_attack():
    ex = _ex("SYNTHETIC. Two rockets hit the Ain al-Asad base, officials reported on Monday. "
             "The rocket attack on Ain al-Asad is likely a response to airstrikes the US launched in Iraq last week.",
             published="2024-01-15")
    r = ex.reports
    assert r["incident_id"].nunique() == 1 and len(r) == 2
    assert set(r["date_start"]) == {"2024-01-14"} and set(r["date_end"]) == {"2024-01-15"}


def test_synthetic_strikes_by_the_us_or_on_militia_convoys_are_not_attacks_on_us_forces():
    ex = _ex("SYNTHETIC. Drones struck the Conoco base on Monday. "
             "Aircraft of unknown origin targeted a convoy belonging to Iranian-backed groups near the border on Sunday. "
             "Militias have increased their activity since 2020, when a US drone attack targeted the capital Baghdad.")
    assert list(ex.reports["location"]) == ["Conoco"]
    assert (ex.rejected["x_extraction_rule"] == "reject-retaliation").sum() == 2


def test_synthetic_undated_recap_of_two_bases_joins_their_incidents():
    ex = _ex("SYNTHETIC. Ten rockets hit the Ain al-Asad base on Wednesday. Officials said the Erbil airport also "
             "came under fire. \"This new attack on Erbil airport and Ain al-Asad is terrorism,\" a spokesman said.")
    r = ex.reports
    assert r["incident_id"].nunique() == 2 and len(r) == 4
    assert r.groupby("location")["incident_id"].nunique().to_dict() == {"Ain al-Asad": 1, "Erbil": 1}


def test_synthetic_mentions_with_no_country_place_or_date_are_left_out():
    ex = _ex("SYNTHETIC. The Pentagon says it is counting attacks as strikes on its facilities, so drones downed "
             "outside bases are not tallied. So far, 30 injuries have been reported in the attacks on US troops. "
             "A group calling itself the Islamic Resistance of Iraq took credit for many of the attacks.")
    assert len(ex.reports) == 0
    rules = set(ex.rejected["x_extraction_rule"])
    assert "reject-unplaced" in rules and "reject-unquantified" in rules


def test_synthetic_undated_claim_about_another_base_is_left_out():
    ex = _ex("SYNTHETIC. Late on Sunday, rockets hit the al-Khazra base. The group also claimed responsibility for "
             "striking the Harir airbase with a drone.", published="2024-01-16")
    assert list(ex.reports["location"]) == ["al-Khazra"]
    assert "reject-claim-undated" in set(ex.rejected["x_extraction_rule"])


def test_synthetic_list_of_days_gives_one_background_incident_each():
    ex = _ex("SYNTHETIC. A drone hit the Harir airbase on Monday. Similar attacks on the same base were reported "
             "earlier, with strikes on December 19, 22, and earlier on December 15 at the Ain al-Asad airbase.",
             published="2024-01-10")
    r = ex.reports
    got = sorted(zip(r["location"], r["date_start"], r["x_background"]))
    assert got == [("Ain al-Asad", "2023-12-15", True), ("Harir", "2023-12-19", True),
                   ("Harir", "2023-12-22", True), ("Harir", "2024-01-08", False)]
    assert r["incident_id"].nunique() == 4


def test_synthetic_summary_over_provinces_joins_the_base_attacks():
    ex = _ex("SYNTHETIC. US bases in Syria's Hasakah and Deir ez-Zor provinces came under attack on Monday. "
             "Rockets were fired at the Conoco base while drones targeted the Kharab al-Jir base.")
    r = ex.reports
    assert r["incident_id"].nunique() == 2
    assert set(r["location"]) == {"Conoco", "Kharab al-Jir"} and set(r["date_start"]) == {"2024-01-08"}
    assert r["notes"].str.contains("summary of the story").sum() == 1


def test_synthetic_attacks_have_continued_is_a_statement_about_the_pace():
    ex = _ex("SYNTHETIC. Two rockets hit the Conoco base on Tuesday. "
             "Attacks on US bases in Syria have continued through the weekend.")
    assert list(ex.reports["location"]) == ["Conoco"] and len(ex.reports) == 1
    assert "reject-rate" in set(ex.rejected["x_extraction_rule"])
