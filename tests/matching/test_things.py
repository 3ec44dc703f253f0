"""Which things a request asks to borrow and which an offer names (matching.things)."""

from __future__ import annotations

import pytest

from matching import match
from matching.things import (
    PROFESSIONALS,
    THINGS,
    lent_thing_masks,
    offered_things,
    sought_things,
    thing_masks,
    wanted_things,
)
from tests.matching.conftest import without_reading


def _bit(name: str) -> int:
    return 1 << next(i for i, names in enumerate(THINGS) if name in names)


def test_a_title_that_is_a_thing_wanted() -> None:
    titles = ["minibus for swimming", "iPads for EYFS", "transport to fixtures",
              "space for Y6 production", "Class set of instruments to borrow",
              "Swimming teacher needed", "Space topic Y5 - anything?", "new maths lead"]
    assert wanted_things(titles).tolist() == [
        _bit("minibus"), _bit("ipad"), _bit("transport"), _bit("hall"), _bit("instrument"),
        0, 0, 0]


def test_the_kinds_of_thing_an_offer_names() -> None:
    masks = thing_masks(
        ["Minibus - share/hire with driver", "32 ukuleles to lend", "swimming pool - spare slots",
         "hall for performances"],
        ["", "", "Spare slots on Tuesdays.", "Stage and 250 seats."],
        [[], ["music"], [], []])
    assert masks.tolist() == [_bit("minibus"), _bit("ukulele"), 0, _bit("hall")]


def test_a_minibus_with_its_driver_a_class_set_or_the_thing_alone() -> None:
    titles = ["minibus + driver for wednesday swimming", "Class set of laptops - summer term",
              "Minibus", "iPads", "Minibus loan", "class set of reading books",
              "Minibus driver training"]
    assert wanted_things(titles).tolist() == [
        _bit("minibus"), _bit("laptop"), _bit("minibus"), _bit("ipad"), _bit("minibus"), 0, 0]


def test_an_offer_lends_a_thing_it_names_unless_it_teaches_it() -> None:
    # Vehicles, devices, science kit, costumes and tents named are the thing itself; a
    # ukulele scheme or a cooking club teaches the subject, and training is know-how.
    masks = lent_thing_masks(
        ["Minibus share", "Old iPads (x20)", "Borrow: microscopes, data loggers",
         "Minibus driver training (MiDAS)", "Whole-class ukulele and Charanga",
         "Hall hire - seats 300"],
        ["MiDAS-trained drivers, 16 seater.", "Wiped, with cases.", "", "", "", ""],
        [[], [], [], [], [], []])
    assert masks.tolist() == [_bit("minibus"), _bit("ipad"), _bit("microscope"), 0, 0, 0]


def test_furniture_wanted_but_not_chairs_of_governors_or_times_tables() -> None:
    titles = ["Tables & chairs - new class", "Bulge class needs furniture", "Desks for Y6",
              "Times tables", "Y2 boy throwing chairs", "New chair of governors"]
    assert wanted_things(titles).tolist() == [_bit("furniture")] * 3 + [0, 0, 0]
    masks = thing_masks(["Furniture - free", "Mentoring new chairs of governors"],
                        ["KS2 tables (x15) and chairs (x40).", ""], [[], []])
    assert masks.tolist() == [_bit("furniture"), 0]


def test_spare_or_stacking_chairs_are_furniture() -> None:
    # Set 28: "spare chairs for hall" had been paired with a collective worship offer.
    titles = ["spare chairs for hall", "Stacking chairs needed", "Trestle tables for fete",
              "Chairs of governors network", "Spare places on our chair training"]
    assert wanted_things(titles).tolist() == [_bit("furniture")] * 3 + [0, 0]
    assert thing_masks(["Hall chairs going free"], [""], [[]]).tolist() == [_bit("furniture")]


def test_a_class_set_named_first_or_sound_kit_for_a_show() -> None:
    # Set 26: "Bee-Bots class set" had been paired with a computing curriculum offer, and
    # "Sound desk & radio mics to borrow" with a hall.
    titles = ["Bee-Bots class set", "iPad class set?", "Class set of microscopes", "Microscopes",
              "Sound desk & radio mics to borrow", "PA system for summer fair",
              "Phonics class sets", "Y5 maths class set", "Sound and vibration - Y4 science"]
    assert wanted_things(titles).tolist() == [
        _bit("bee-bot"), _bit("ipad"), _bit("microscope"), _bit("microscope"),
        _bit("sound desk"), _bit("sound desk"), 0, 0, 0]
    # Naming the sound kit in an offer lends it; a hall does not.
    masks = lent_thing_masks(["PA system and radio mics", "Big hall for performances"],
                             ["Portable PA and 6 radio mics, to lend for a day.",
                              "Our hall seats 250."], [[], []])
    assert masks.tolist() == [_bit("sound desk"), 0]


def test_a_building_to_take_is_not_a_hall_to_borrow() -> None:
    # Set 26: "Temporary classroom / portakabin" had been paired with a hall for shows.
    titles = ["Temporary classroom / portakabin", "Mobile classroom wanted", "Mobile phones",
              "Portable appliance testing", "Temporary head - advice"]
    assert wanted_things(titles).tolist() == [_bit("portakabin")] * 2 + [0, 0, 0]
    masks = lent_thing_masks(["Portakabin free to a good home", "Big hall for performances"],
                             ["", "Our hall seats 250."], [[], []])
    assert masks.tolist() == [_bit("portakabin"), 0]


def test_furniture_needed_costumes_for_a_show_and_two_kinds_of_device() -> None:
    # Set 36: "need tables + chairs for new class" had been paired with a transition offer,
    # "nativity costumes!!" with a football pitch for hire, and "laptops or chromebooks for
    # our computing suite" with an IT technician's time.
    titles = ["need tables + chairs for new class", "nativity costumes!!",
              "World Book Day costumes", "laptops or chromebooks for our computing suite",
              "Costume design in DT - ideas?", "Laptops or tablets - which is better for KS1?"]
    assert wanted_things(titles).tolist() == [
        _bit("furniture"), _bit("costume"), _bit("costume"), _bit("laptop") | _bit("chromebook"),
        0, 0]


def test_decodable_books_wanted_are_met_only_by_decodable_or_phonics_books() -> None:
    # Sets 2, 28, 34 and 36: "decodable books" had been paired with old banded or Oxford
    # Reading Tree books, which are not decodable; every graded fit names decodable or
    # phonics books. A title asking how to run them asks for know-how.
    titles = ["Decodable books", "decodables needed - LW matched",
              "Phase 3/4 decodable books - any spares?", "Spare phonics books??",
              "Decodable books - how do you organise them?", "Home reading books for Reception"]
    assert wanted_things(titles).tolist() == [_bit("decodable")] * 4 + [0, _bit("books")]
    offers = ["Old banded reading books - free to collect", "old ORT reading books - free",
              "Jolly Phonics kit to give away", "Old Little Wandle decodable books",
              "Free to good home - old phonics reading books"]
    masks = thing_masks(offers, [""] * len(offers), [[]] * len(offers)) & _bit("decodable")
    assert masks.tolist() == [0, 0, 0, _bit("decodable"), _bit("decodable")]
    # Decodable named for what the books are not, or for the scheme the school moved to.
    masks = thing_masks(
        ["Old banded reading books", "old ORT reading books - free", "Spare phonics books"],
        ["Clearing out c.400 ORT / Bug Club banded books (not fully decodable).",
         "We've gone fully decodable so they need a home.",
         "Older Big Cat decodables from before we moved to a fully decodable scheme."],
        [[], [], []]) & _bit("decodable")
    assert masks.tolist() == [0, 0, _bit("decodable")]


def test_electricity_kits_are_their_own_kind_and_sensory_circuits_are_not_kit() -> None:
    # Sets 21 and 25 paired "Electricity kits" with a loan of microscopes and data loggers;
    # the graded fits (sets 11 and 12) name circuit or electricity kits.
    titles = ["Electricity kits Y4/Y6", "Y6 electricity kit", "Y4 circuits - everything's broken",
              "Sensory circuits", "Electricity deal ends in March"]
    assert wanted_things(titles).tolist() == [_bit("electricity kit")] * 3 + [0, 0]
    masks = thing_masks(
        ["Loan: digital microscopes & data loggers", "Science kit loan",
         "Sensory circuit kit + weighted items to lend"],
        ["", "Data loggers x6, microscopes x8, circuits kits (bulbs, buzzers, motors).",
         "Trampette, balance boards and our sensory circuit cards."],
        [[], [], []])
    assert masks.tolist() == [_bit("microscope"), _bit("microscope") | _bit("electricity kit"),
                              0]


def test_a_kiln_wanted_is_met_only_by_an_offer_that_names_one() -> None:
    # Sets 37-39 paired "Kiln - anyone got a working one?" with a loan of books about clay;
    # every graded fit for such a request (sets 11-36) names a kiln. A kiln to mend, check or
    # learn to use is not one wanted: that is someone to look after it.
    titles = ["Kiln died", "Clay tiles - no kiln!", "60 Greek pots and nowhere to fire them",
              "clay firing", "KILN - anyone have one? or could fire our pieces?",
              "Kiln broken - anyone service them?", "kiln - how to use it", "kiln safety check",
              "Clay for Y2"]
    assert wanted_things(titles).tolist() == [_bit("kiln")] * 5 + [_bit("kiln engineer")] * 3 + [0]
    masks = lent_thing_masks(
        ["Kiln firing for your pupils' clay", "Clay & sculpture - books and planning to lend",
         "Art: sketchbooks and progression", "Kiln training for art leads"],
        ["Spare kiln capacity.", "Ceramics technique books for teachers.",
         "3D work, including clay work without a kiln.", ""],
        [[], [], [], []])
    assert masks.tolist() == [_bit("kiln"), 0, 0, 0]


def _professional(name: str) -> int:
    return 1 << (len(THINGS) + next(i for i, (n, _) in enumerate(PROFESSIONALS) if n == name))


def test_a_professional_wanted_is_met_only_by_an_offer_that_names_one() -> None:
    # Sets 37 and 38 paired "Speech therapist to assess 6 children" with intervention packs
    # and Makaton training, and a counsellor to share with a mental health action plan; every
    # graded fit for such a request (sets 8-36) names the same kind of professional. The
    # school's situation ("SALT waiting list", "OT says") and training for its own staff are
    # not a professional wanted, and the short forms count only in capitals.
    titles = ["Speech therapist to assess 6 children", "EP time", "Ed Psych for Y5",
              "OT assessment - 18 month wait", "School counsellor / play therapist to share",
              "SALT time?", "SALT waiting list is 18 months", "OT says sensory diet - now what?",
              "SALT TA training", "Suspected dyslexia Y5 - EP waiting list", "salt dough",
              "SALT"]
    assert wanted_things(titles).tolist() == [
        _professional("speech and language therapist"),
        _professional("educational psychologist"), _professional("educational psychologist"),
        _professional("occupational therapist"), _professional("counsellor"),
        _professional("speech and language therapist"), 0, 0, 0, 0, 0, 0]
    offers = [("Free speech & language intervention packs (PDF)",
               "NB this is resources only, not an assessment or SALT service."),
              ("Makaton foundation workshop - 4 spare places", "For staff from other schools."),
              ("Spare SALT time - half a day a fortnight", "Our bought-in therapist."),
              ("Spare EP days to sell on", "We buy EP time on a traded contract."),
              ("Senior Mental Health Lead - share our action plan", "The audit tool."),
              ("Salt dough Christmas decorations", "ep 2 of our art podcast")]
    masks = thing_masks([t for t, _ in offers], [d for _, d in offers], [[]] * len(offers))
    assert masks.tolist() == [0, 0, _professional("speech and language therapist"),
                              _professional("educational psychologist"), 0, 0]


def test_a_planetarium_books_or_small_furniture_wanted() -> None:
    # Set 38: a request for an inflatable planetarium was paired with a loan of circuits and
    # magnets, one for books for class libraries with advice on running a library, and set
    # 37's "small chairs + tables for reception class??" with an EYFS moderation session.
    titles = ["inflatable planetarium / space dome",
              "Space topic Y5 - anyone sharing a planetarium/space dome?",
              "Planetarium trip - worth it?", "Books for our KS2 class libraries please!",
              "books for class book corners", "Books for Y6 - recommendations?",
              "small chairs + tables for reception class??"]
    assert wanted_things(titles).tolist() == [
        _bit("planetarium"), _bit("planetarium"), 0, _bit("books"), _bit("books"), 0,
        _bit("furniture")]
    offers = [("Science kit loan - circuits, magnets, data loggers", "Half term loans."),
              ("Loan: inflatable planetarium dome", "Needs a hall."),
              ("Library revamp + reading for pleasure - can help", "Weeding, book talk."),
              ("Surplus library books to donate", "Around 400 fiction books.")]
    masks = thing_masks([t for t, _ in offers], [d for _, d in offers], [[]] * len(offers))
    assert masks.tolist() == [_bit("electricity kit") | _bit("microscope"),
                              _bit("planetarium") | _bit("hall"), 0, _bit("books")]


def test_things_someone_may_have_spare_and_know_how_about_them() -> None:
    # Set 37: "any spare chromebooks out there" had been paired with help setting up Google
    # Workspace; set 39's request for decodables with "Moving to Little Wandle? We did it -
    # happy to talk it through", which names the decodables it bought.
    titles = ["any spare chromebooks out there", "Old iPads?", "Surplus furniture?",
              "Spare places on NPQH?", "Spare time for a chat about phonics"]
    assert wanted_things(titles).tolist() == [_bit("chromebook"), _bit("ipad"),
                                              _bit("furniture"), 0, 0]
    masks = lent_thing_masks(
        ["Moving to Little Wandle? We did it - happy to talk it through",
         "Surplus decodable books - free"],
        ["Can go through what it cost and which decodables we bought.", ""], [[], []])
    assert masks.tolist() == [0, _bit("decodable")]


def test_a_professional_is_read_from_an_offer_s_words_not_its_tags() -> None:
    # Set 37: intervention packs tagged "SALT" offer no therapist.
    masks = thing_masks(["Free speech & language intervention packs (PDF)", "Spare SALT time"],
                        ["Printable session plans.", ""], [["SALT", "resources"], []])
    assert masks.tolist() == [0, _professional("speech and language therapist")]


def test_a_course_to_drive_lends_no_vehicle() -> None:
    # Sets 11, 31, 40 and 42 paired "Minibus to borrow" with MiDAS driver training places:
    # the course names the minibus, and its tags do, but it lends neither it nor a driver.
    masks = thing_masks(
        ["MiDAS minibus driver training - places", "Minibus loan - MiDAS driver training too",
         "Minibus to borrow - you need your own MiDAS driver", "Minibus driver training"],
        ["We host a MiDAS minibus driver assessment each year.", "", "", ""],
        [["minibus", "MiDAS"], ["minibus"], [], ["minibus"]])
    assert masks.tolist() == [0, _bit("minibus"), _bit("minibus"), 0]


def test_spares_asked_for_in_a_description_but_not_books() -> None:
    # Set 44: "KS2 laptops dying" asked "Any spare devices going?" only in its description,
    # and was paired with an IT technician. Set 10's "Any spare books going?" for a library
    # restock is met by advice on a library revamp, so books asked for so are not read.
    titles = ["KS2 laptops dying", "Uniform", "Library restock", "Y6 swimming catch up"]
    descriptions = ["Any spare devices going? Even old ones would help.",
                    "Families really struggling this year - any spare uniform/PE kit?",
                    "Any spare books going?", "Any spare pool slots?"]
    assert wanted_things(titles, descriptions).tolist() == [_bit("device"), _bit("uniform"),
                                                             0, 0]
    assert wanted_things(titles).tolist() == [0, 0, 0, 0]


def test_furnishing_a_room_wants_furniture() -> None:
    # Set 44: "Furnishing a new classroom" had been paired with advice on a two-year-olds' room.
    titles = ["Furnishing a new classroom", "Furnish our new nursery room?",
              "Furnishing and fittings policy"]
    assert wanted_things(titles).tolist() == [_bit("furniture"), _bit("furniture"), 0]


def test_a_coach_who_teaches_is_no_vehicle() -> None:
    # Sets 40, 42 and 45 listed "Sports coach" offers as the vehicle "Minibus to borrow" asks
    # for; seats on a coach are still one.
    masks = thing_masks(
        ["Sports coach - Friday afternoons", "PE coach - free afternoons", "Chess club coach",
         "Share our coach to Oxford museums", "Coach seats - Science Museum trip"],
        ["", "", "", "", ""], [[], [], [], [], []])
    assert masks.tolist() == [0, 0, 0, _bit("coach"), _bit("coach")]


def test_a_title_that_opens_with_the_minibus_wants_one_but_not_its_driver() -> None:
    # Sets 46 and 48: "Minibus - 3 Weds in March" and "minibus fri 21st?" were read as no
    # thing wanted, and set 46 paired the first with "Minibus driver - our site manager". A
    # driver wanted is a person (needs), and a course or the school's own lease is know-how.
    titles = ["Minibus \u2013 3 Weds in March", "minibus fri 21st?",
              "Minibus - ours failed its MOT", "Minibus driver??", "Minibus driver needed",
              "Minibus insurance - who do you use?", "Minibus sharing - joint lease?"]
    assert wanted_things(titles).tolist() == [_bit("minibus"), _bit("minibus"), _bit("minibus"),
                                              0, 0, 0, 0]


def test_a_driver_offered_lends_no_vehicle_whatever_its_tags() -> None:
    # Set 46: the driver comes to drive the other school's minibus; a loan with a driver
    # still lends the minibus.
    masks = thing_masks(
        ["Minibus driver \u2013 our site manager", "D1 driver - Fridays", "Minibus with driver"],
        ["Site manager has D1 + MiDAS. Could drive your minibus.", "", "Our 16 seater."],
        [["minibus", "driver", "transport"], ["transport"], []])
    assert masks.tolist() == [0, 0, _bit("minibus")]


def test_chess_sets_a_venue_storage_and_desks_wanted() -> None:
    # Sets 46-48: "Chess sets" was paired with a chess coach, "Venue - joint dance festival"
    # with a dance teacher, "Storage - PE store condemned" with gym mats and "Pupil desks x
    # 15" with precision teaching. Letting out one's own hall or mending its floor is not
    # a hall wanted, and Spelling Shed is no shed.
    titles = ["Chess sets", "Chess sets x15", "Venue \u2013 joint dance festival",
              "Hall on Saturday mornings", "hall hire", "Hall floor lifting",
              "Hall lettings - pricing?", "Storage for PE kit", "Storage \u2013 PE store condemned",
              "Pupil desks x 15", "KS1 tables/chairs", "Chess club"]
    assert wanted_things(titles).tolist() == [
        _bit("chess set"), _bit("chess set"), _bit("venue"), _bit("hall"), 0, 0, 0,
        _bit("storage"), _bit("storage"), _bit("desks"), _bit("furniture"), 0]
    masks = thing_masks(["FREE 20ft storage container", "Spelling Shed set-up",
                         "Chess coach - volunteer"],
                        ["Steel, lockable, dry.", "", "Brings a demo board - you'd need sets."],
                        [[], [], ["chess"]])
    assert masks.tolist() == [_bit("storage"), 0, 0]


def test_a_professional_said_to_be_hired_ends_a_title() -> None:
    # Set 46: "Independent SALT" asks for a therapist's time; a bare "SALT" is the topic.
    assert wanted_things(["Independent SALT", "Need an EP", "SALT", "Private OT"]).tolist() == [
        _professional("speech and language therapist"),
        _professional("educational psychologist"), 0,
        _professional("occupational therapist")]


def test_care_of_the_school_s_own_kiln_is_not_firing_its_clay() -> None:
    # Sets 19, 20 and 46 paired "kiln safety check", "kiln - how to use it" and "Old kiln -
    # take it away?" with offers to fire pupils' clay; none has a fit in any graded set.
    titles = ["kiln safety check", "kiln - how to use it", "Old kiln \u2013 take it away?",
              "Kiln broken \u2013 anyone service them?", "Kiln died", "Clay \u2013 no kiln"]
    assert wanted_things(titles).tolist() == [_bit("kiln engineer")] * 4 + [_bit("kiln")] * 2
    masks = thing_masks(["Kiln \u2013 we'll fire your pieces", "Kiln servicing - our engineer"],
                        ["Working kiln and an art technician.", ""], [[], []])
    assert masks.tolist() == [_bit("kiln"), _bit("kiln engineer")]


def test_a_room_for_someone_to_work_in_is_a_space_wanted() -> None:
    # Set 49: "Room for SALT sessions" asks for the room, not a therapist, and a spare
    # classroom is a space.
    assert wanted_things(["Room for SALT sessions", "Room for a parent ESOL group",
                          "SALT for 6 children"]).tolist() == [
        _bit("room"), _bit("room"), _professional("speech and language therapist")]
    masks = thing_masks(["Spare classroom"], ["Mon-Thu, could suit small groups."], [[]])
    assert masks.tolist() == [_bit("spare classroom")]


def test_a_title_about_moving_to_devices_lends_none() -> None:
    # Set 51: "Moving to Google Workspace - our IT lead will help" names Chromebooks but
    # offers the know-how of the move, not the devices.
    masks = lent_thing_masks(
        ["Moving to Google Workspace - our IT lead will help", "12 Chromebooks free (wiped)"],
        ["We moved to Google Workspace & Chromebooks; happy to share the plan.",
         "Wiped and working, chargers included."], [[], []])
    assert masks.tolist() == [0, _bit("chromebook")]
    # Set 53: help setting up Google Workspace lends no Chromebooks either.
    masks = lent_thing_masks(["Google Workspace for Education - help setting up"],
                             ["Our IT lead set up Google Classroom and Chromebooks across KS2."],
                             [[]])
    assert masks.tolist() == [0]


def test_stage_lighting_wanted_is_not_met_by_staging() -> None:
    # Set 52 paired "Stage lighting for summer show" with costumes and staging blocks to lend.
    assert wanted_things(["Stage lighting for summer show", "Spotlights to borrow?",
                          "Lighting for the Y6 play"]).tolist() == [
        _bit("stage lighting"), _bit("stage lighting"), 0]
    masks = thing_masks(["Lend: costumes + staging blocks", "Stage lights to lend"],
                        ["Costumes and 6 staging blocks.", ""], [[], []])
    assert masks.tolist() == [_bit("costume") | _bit("hall"), _bit("stage lighting")]


def test_sensory_kit_wanted_is_met_only_by_an_offer_naming_it() -> None:
    # Set 53 paired "wobble cushions anyone?" with a sensory circuits visit.
    titles = ["wobble cushions anyone?", "Sensory bits for two ASC pupils - asap",
              "Ear defenders", "sensory ideas for our ASC pupils KS1", "Sensory circuits"]
    kit = _bit("wobble cushion")
    assert wanted_things(titles).tolist() == [kit, kit, kit, 0, 0]
    masks = thing_masks(["Free SEN bits and pieces", "Sensory circuits - come and watch ours"],
                        ["10 wobble cushions, 6 ear defenders, fidgets.", ""], [[], []])
    assert masks.tolist() == [kit, 0]


def test_gazebos_wanted_are_met_only_by_an_offer_naming_them() -> None:
    # Set 57 paired "Gazebos for summer fair" with pre-loved uniform given away.
    titles = ["Gazebos for summer fair", "summer fair gazebos", "Summer fair - gazebos",
              "Summer fair ideas"]
    assert wanted_things(titles).tolist() == [_bit("gazebo")] * 3 + [0]
    masks = lent_thing_masks(["Sports day kit & gazebos", "Pre-loved uniform - free"],
                             ["Gazebos x4, hurdles, sacks. Lend for sports day / fairs.",
                              "Free to any school."], [[], []])
    assert masks.tolist() == [_bit("gazebo"), 0]


def test_a_midas_assessor_lends_no_minibus() -> None:
    # Set 56 paired "Minibus" with "MiDAS assessor on staff" when the minibus loan was full.
    masks = lent_thing_masks(["MiDAS assessor on staff", "Minibus to lend Weds/Fri"],
                             ["Our business manager is a MiDAS trainer - can assess/train your "
                              "staff to drive a minibus.", "17 seater."],
                             [["minibus", "MiDAS"], ["minibus"]])
    assert masks.tolist() == [0, _bit("minibus")]


def test_a_minibus_wanted_is_not_met_by_a_driver_trainer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Set 56 paired "Minibus" with "MiDAS assessor on staff" when the minibus loan was full.
    data = {
        "offers": [{"id": "midas", "school": "b", "title": "MiDAS assessor on staff",
                    "description": "Our business manager is a MiDAS trainer - can assess and "
                                   "train your staff to drive a minibus.",
                    "tags": ["minibus", "MiDAS"], "format": "in_person", "capacity": 2}],
        "requests": [{"id": "minibus", "school": "a", "title": "Minibus", "description": "",
                      "tags": [], "format": "either"}],
    }
    out = match(data, semantic="off")
    plain = without_reading(monkeypatch, "trains_drivers", data, dtype=bool)
    assert [p["offer"] for p in plain["pairs"]] == ["midas"]
    assert out["pairs"] == []
    assert out["ranked"]["minibus"][0]["offer"] == "midas"


def test_a_scheme_s_decodable_series_is_decodable_books() -> None:
    # Sets 58 and 59 held back "Free to a good home: RWI Book Bag Books" and Floppy's Phonics
    # readers from requests for decodables: they name no "decodable".
    masks = lent_thing_masks(
        ["Free to a good home: RWI Book Bag Books", "Free to a good home: Floppy's Phonics / "
         "Songbirds books", "Old ORT reading books - free", "Floppy's Phonics training"],
        ["6 boxes, all colour bands.", "Stages 1+ to 6.", "Book-banded, not decodable.", ""],
        [[], [], [], []])
    assert masks.tolist() == [_bit("decodable")] * 2 + [0, 0]


def test_heaters_wanted_are_met_only_by_an_offer_naming_them() -> None:
    # Set 58 paired "Heaters" with a meeting room.
    titles = ["Heaters", "Portable heaters to borrow??", "Heating bills - any advice?"]
    assert wanted_things(titles).tolist() == [_bit("heater")] * 2 + [0]
    masks = lent_thing_masks(["Meeting room for cluster meetings", "Oil-filled heaters to lend"],
                             ["Free for local school groups.", ""], [[], []])
    assert masks.tolist() == [0, _bit("heater")]


def test_the_things_an_offer_s_title_gives() -> None:
    titles = ["15 Chromebooks on loan", "Community room", "Staging and PA to lend",
              "iPad training for staff", "Phonics workshop for parents",
              # Sets 20-57 paired these with venues and devices wanted.
              "Sensory room visits", "Joint choir - room for one more school",
              "Class set of micro:bits to lend", "Spare classroom"]
    assert offered_things(titles).tolist() == [
        _bit("chromebook"), _bit("room"), 0, 0, 0, 0, 0, 0, _bit("room")]


def test_devices_sought_are_computers() -> None:
    titles = ["Devices for Y6", "micro:bits class set?", "Old laptops / Chromebooks?"]
    wanted = wanted_things(titles)
    assert wanted.tolist() == [_bit("device")] * 3
    assert sought_things(titles, wanted).tolist() == [_bit("device"), 0, _bit("device")]


def test_a_thing_wanted_meets_an_offer_of_its_kind_sharing_no_word() -> None:
    # Set 58: "Devices for Y6 coding unit" never listed "15 Chromebooks on loan"; set 60:
    # "Venue for SENCo cluster" never listed a meeting room.
    data = {
        "offers": [
            {"id": "chromebooks", "school": "b", "title": "15 Chromebooks on loan",
             "description": "A trolley of them, free to borrow for one half term.",
             "format": "in_person", "capacity": 1},
            {"id": "room", "school": "b", "title": "Meeting room for cluster meetings",
             "description": "Seats 14, with a screen. Free for local school groups.",
             "format": "in_person", "capacity": 2},
            {"id": "phonics", "school": "c", "title": "Phonics training for TAs",
             "format": "either", "capacity": 2},
            # Names iPads, lends none (set 56).
            {"id": "jamf", "school": "c", "title": "iPad management - Jamf School",
             "description": "How we set up our iPads.", "format": "either", "capacity": 2},
        ],
        "requests": [
            {"id": "devices", "school": "a", "title": "Devices for Y6 coding unit",
             "description": "Ours take ten minutes to log on.", "format": "in_person"},
            {"id": "venue", "school": "a", "title": "Venue for SENCo network",
             "format": "in_person"},
        ],
    }
    out = match(data, semantic="off")
    assert {(p["request"], p["offer"]) for p in out["pairs"]} == {
        ("devices", "chromebooks"), ("venue", "room")}
    assert "Offers the devices you asked for" in out["pairs"][0]["reasons"]
    plain = match(data, semantic="off", thing_candidates=0)
    assert plain["pairs"] == [] and plain["ranked"]["devices"] == []


def test_a_space_for_training_is_a_space_and_someone_who_comes_lends_nothing() -> None:
    # Set 62 never listed "Spare classroom for training/meetings" for "Room for training
    # day"; set 61 read a music teacher who comes as ukuleles to lend.
    titles = ["Spare classroom for training/meetings", "Hall for training days / conferences",
              "iPad training for staff",
              "Music teacher can come and lead singing or whole-class ukulele",
              "Visit our prayer hall - Islam RE visits", "Mud kitchen build - come and look"]
    assert offered_things(titles).tolist() == [_bit("room"), _bit("hall"), 0, 0, 0, 0]


def test_a_coach_who_coaches_is_no_vehicle() -> None:
    # Sets 36, 56 and 60 read these as coaches to travel in.
    titles = ["RWI trainer - can come and coach your phonics team", "Head coach for NPQH",
              "RWI Portal coach - can visit", "Spare coach seats to the Deep"]
    masks = thing_masks(titles, [""] * 4, [[]] * 4)
    assert masks.tolist() == [0, 0, 0, _bit("coach")]


def test_uniform_costumes_or_a_surveyor_wanted() -> None:
    # Set 63 paired "Uniform for new arrivals" with an EAL induction pack and "Asbestos
    # surveyor?" (no offer fits) with a first aid trainer; set 62 "Nativity costumes to
    # borrow" (no offer fits) with staging.
    titles = ["Uniform for new arrivals", "Nativity costumes to borrow", "Asbestos surveyor?",
              "Uniform policy review"]
    assert wanted_things(titles).tolist() == [
        _bit("uniform"), _bit("costume"), _professional("surveyor"), 0]
