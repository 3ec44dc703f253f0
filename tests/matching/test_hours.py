"""A request needed in the school day is not met by an offer only out of hours
(matching.hours)."""

from __future__ import annotations

from matching import Taxonomy
from matching.hours import daytime_requests, out_of_hours_offers
from tests.matching.conftest import post
from tests.matching.test_engine import held_back_then_met


def test_requests_needed_in_the_school_day() -> None:
    titles = ["Hall for daytime PE", "Swimming - top-up sessions for Y6", "Pool time",
              "Holidays in school time", "Hall for Christmas concert"]
    descriptions = ["Need a hall for KS1 PE, weekdays 9-12.",
                    "We need daytime pool time for top-up lessons.",
                    "Any pool we could use during the school day?",
                    "Families keep booking holidays in term.", "Two evenings in December."]
    assert daytime_requests(titles, descriptions).tolist() == [True, True, True, False, False]


def test_a_training_day_is_a_school_day() -> None:
    # Set 49: a hall free only at weekends was paired with "Venue for joint INSET".
    titles = ["Venue for joint INSET", "Room for our training day", "Venue for the summer fair"]
    descriptions = ["About 90 staff on Friday 6th June.", "", "It is on a Saturday in June."]
    assert daytime_requests(titles, descriptions).tolist() == [True, True, False]


def test_offers_only_out_of_hours() -> None:
    titles = ["Hall for hire - evenings & weekends", "Swimming pool - lettings",
              "Pool available for school swimming lessons", "Hall free weekday mornings",
              "Our field"]
    descriptions = ["Seats 200. Evenings after 6pm and weekends only.",
                    "Available for lettings outside school hours.",
                    "Tuesday and Thursday mornings in term time.", "", "Free after school."]
    assert out_of_hours_offers(titles, descriptions, [[]] * 5).tolist() == [
        True, True, False, False, False]


def test_weekends_alone_are_out_of_hours_unless_the_day_is_offered_too() -> None:
    # Set 49's hall is free "Sat/Sun"; set 31's community room is free weekday daytimes,
    # though its hall is only available at weekends.
    titles = ["School hall available weekends", "Hall - Sat & Sun",
              "Community room free for parent groups (daytime)"]
    descriptions = ["Large hall with sprung floor. Free Sat/Sun for other schools.", "",
                    "Free most weekday daytimes for parent groups. (Hall only available at "
                    "weekends.)"]
    assert out_of_hours_offers(titles, descriptions, [[]] * 3).tolist() == [True, True, False]


def test_a_hall_for_evening_hire_is_out_of_hours() -> None:
    # Set 58 paired "Room for SENCo cluster" (daytime) with "Hall for evening hire".
    titles = ["Hall for evening hire", "Hall for hire", "Hall for hire"]
    descriptions = ["Our hall is available for hire on weekday evenings from 6pm.",
                    "Free on weekday evenings and in the daytime.", "Any time."]
    assert out_of_hours_offers(titles, descriptions, [[]] * 3).tolist() == [True, False, False]


def test_a_hall_let_only_evenings_does_not_meet_a_daytime_need() -> None:
    # Set 47: "Hall for daytime PE" (weekdays 9-12 while its floor is replaced) was paired
    # with a hall let evenings and weekends only; set 43's daytime swimming with a pool let
    # the same way.
    shipped = Taxonomy.load()
    wanted = post("r1", "lincoln", "Hall for daytime PE", "in_person",
                  description="Our hall floor is being replaced for 2 weeks. Need a hall "
                  "somewhere for KS1 PE, weekdays 9-12.", tags=["PE", "hall"])
    evenings = post("o1", "sleaford", "Hall for hire - evenings & weekends", "in_person",
                    capacity=2, description="Large hall with stage, seats 200, for PE, "
                    "performances and clubs. Evenings after 6pm and weekends only.")
    mornings = post("o2", "skegness", "Hall free weekday mornings", "in_person", capacity=2,
                    description="Our hall is free most weekday mornings for another school's "
                    "PE lessons.")
    held_back_then_met(wanted, evenings, mornings, shipped)
