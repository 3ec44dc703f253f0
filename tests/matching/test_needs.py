"""Reading whether a post is about know-how or a service (matching.needs)."""

from __future__ import annotations

import numpy as np
import pytest

from matching.needs import (
    asks_for_driver_training,
    asks_for_governors,
    asks_for_residential,
    asks_for_service,
    asks_to_be_shown,
    documents_only,
    for_parents,
    for_staff,
    lends_a_space,
    mentions_a_space,
    mentions_parents,
    offers_a_lifeguard,
    offers_a_person,
    offers_a_residential,
    parents_only,
    person_requests,
    provides_service,
    recruits_governors,
    service_flags,
    things_alone,
    trains_drivers,
    unmet,
    unmet_by_offers,
    wanted_roles,
)


@pytest.mark.parametrize("title, description", [
    ("Our kiln needs servicing \u2013 who do you use?", ""),
    ("Brass teacher for our Y5/6 band",
     "Does anyone share a brass teacher we could buy time from?"),
    ("Lithuanian interpreter for parents' evening", ""),
    ("Maths specialist for Y6 greater depth group",
     "Would like a specialist teacher to come in weekly. Can pay."),
    ("Minibus to hire for the summer term", ""),
    ("Can anyone recommend a contractor for our playground?", ""),
    ("First aid trainer", "Looking for a trainer to run paediatric first aid on our INSET day."),
    ("Forest school leader", "Two mornings a week this summer; we can pay."),
    ("Lend us a TA?", "Long-term absence in Y2 until Easter."),
    ("Supply cover", "Does anyone have a supply teacher they rate?"),
    ("Which coach firm for residentials?", ""),
    ("Asbestos management survey", ""),
    ("Site manager needed",
     "Could we share someone\u2019s site manager a few hours a week for checks?"),
    ("SBM for maternity leave", "Someone to run our finance office 2 days a week - paid."),
    # Borrowing a thing, or using someone's place, is not asking for know-how.
    ("Kiln", "Does anyone have a kiln we could use?"),
    ("Borrow microscopes", "For our Y6 microorganisms unit."),
    ("Bigger venue for the Christmas show", "Is there a hall we could borrow for one evening?"),
    # A person to come in and run something, or things another school has spare.
    ("Netball coach", "Looking for a netball coach for a Y5/6 after school club on Weds."),
    ("Chess club", "Looking for a volunteer who could come in after school."),
    ("Chess tutor for after school club", ""),
    ("Decodable books", "Anyone got spare sets? Budget is nil."),
    # A title that opens with the thing wanted for a purpose asks for the thing.
    ("Minibus for the Y6 trip to Ironbridge", ""),
    ("Tablets for our new arrivals", "Translation apps would help them settle."),
    ("Class set of iPads for a stop-motion unit", ""),
    ("Micro:bits for Y6 coding", ""),
    ("Costumes for the Y2 nativity", ""),
    ("Hall for Christmas concert", ""),
    ("Bigger hall for our leavers' show", "Ours seats 90."),
    # A title that is only the person wanted asks for that person.
    ("Dance specialist", "We want to use some of our sport premium to upskill staff."),
    ("Cello teacher?", ""),
    ("Brass teacher wanted", ""),
    ("Clerk to governors", "Clerk retired. Can we buy clerking from another school?"),
    ("Clerking", "Ours has left mid-year."),
    ("Play therapist", ""),
    ("MiDAS assessment", "Does anyone have a MiDAS assessor? Our new TA needs her minibus test."),
    # Someone to mend or maintain a thing, asked after the way leaders ask for a tradesperson.
    ("Kiln broken \u2013 anyone service them?", ""),
    ("Boiler keeps breaking", "Anyone know a decent heating engineer who'll come out quickly?"),
    ("Learner pool losing water", "Who do people use to fix these?"),
    ("Hall floor lifting", "Who did yours and roughly what did it cost?"),
    ("Library van has stopped coming",
     "Does anyone know of another service that brings books into school?"),
    # Paying for a specialist's days (set 31).
    ("Speech therapist - traded SALT", "NHS waiting list is 18 months. Need actual therapist "
     "time, not screening - could we buy a day from someone's traded SALT?"),
    ("Ed psych", "Our hours have run out. Could we buy a few sessions from yours?"),
    # A person said to be needed or asked after, with more after it (set 39).
    ("Qualified swimming teacher needed - Y4 lessons", ""),
    ("MiDAS driver - anyone have one who'd do the odd trip?", ""),
    # Part-time cover for a post (set 37).
    ("SBM left - need part time cover", "Need someone a day a week to keep things going."),
    # Someone to stand in or join the staff (sets 40-42), and a supplier recommended (41).
    ("Caretaker cover", "Our caretaker is off for 3 weeks after an op."),
    ("Deputy head secondment", "Our deputy is on long term sick."),
    ("Breakfast club staff", "Could any school share staff for 7.45-8.45?"),
    ("Qualified forest school leader needed weekly", ""),
    ("Long-term Reception teacher needed", ""),
    ("Payroll provider recs?", ""),
])
def test_requests_for_a_service(title: str, description: str) -> None:
    assert asks_for_service(title, description)


@pytest.mark.parametrize("title, description", [
    ("PE and sport premium", "How do other schools spend it?"),
    ("Service children", "Supporting RAF families after a posting."),
    ("Customer service skills for the office", ""),
    ("Relationships policy", "Restorative approaches: how do you repair relationships?"),
    ("Phonics catch-up", "Who can show us their Y2 provision?"),
    ("Gymnastics confidence", "We pay a sports coach now, but want our own staff to teach it."),
    ("Coaching for middle leaders", "A coach to talk things through with, not a course."),
    ("Parent survey", "How do you get more than a handful of replies?"),
    ("New SENCo", "I teach 4 days a week and have two annual reviews next month."),
    ("Sharing our planning", "We plan maths together one afternoon a week; ideas welcome."),
    ("Reading spine", "Could someone share theirs? We could then adapt it."),
    ("Using iPads for guided reading", ""),
    ("Laptop trolley keeps losing charge", ""),
    ("Minibus driver training", "Our new driver needs MiDAS."),
    ("Instrumental lessons for Y4", ""),
    # An induction tutor is the ECT's in-school lead, not a tutor to hire.
    ("New induction tutor for our two ECTs", ""),
    # A teacher being supported is not a person wanted.
    ("Struggling teacher", "Second year, in tears most nights."),
    ("New music teacher", "Where do I start with the model music curriculum?"),
    ("Clerk training", "Our new clerk has never minuted a pay committee."),
    ("Hall behaviour at lunch", "Noise is unbearable."),
    ("Working with our play therapist", "How do you share what she learns with class staff?"),
    ("Counselling service review", "How do you know yours is making a difference?"),
    ("Making the most of therapist time", "Our SALT comes once a fortnight."),
    # Organising cover, or training staff, is know-how.
    ("Caretaker cover - how do you fund it?", ""),
    ("PPA cover", ""),
    ("BSL for staff", "A Deaf child joins Reception in September."),
    ("Support staff appraisal", ""),
    ("New subject leaders", "How do you give them time?"),
])
def test_requests_for_know_how(title: str, description: str) -> None:
    assert not asks_for_service(title, description)


@pytest.mark.parametrize("title, description", [
    ("Clerking", "Our clerk has capacity for one more board."),
    ("Swimming pool available for lettings", ""),
    ("Y6 residential \u2013 spare places and a shared coach", ""),
    ("Old reading scheme books", "Free to a good home before summer."),
    ("Ukuleles", "A class set we are happy to lend for a year."),
    ("Donating outgrown uniform", ""),
    # Priced time, or time set aside for other schools, is a service too.
    ("TA for parent meetings", "Speaks Polish (paid at her hourly rate)."),
    ("Clubs run by our coach", "Two afternoons free (charged at cost)."),
    # A thing lent, a place or a slot in it others can use.
    ("Science kit", "Our lead can lend data loggers for a half term."),
    ("Sensory room", "Afternoons available for pupils from other schools."),
    ("Church hall available for performances", ""),
    ("Pool time", "One 30-minute Tuesday slot for a nearby school."),
    ("Surplus PE equipment", "Free to any school, collect from us."),
    # Seats on a coach already booked.
    ("Coach to the museum", "We have about 20 seats spare; split the cost per seat."),
    ("Coach with spare seats", ""),
    # A vehicle or a space that others may use.
    ("Minibus available Mondays", "Hire at mileage cost; you need your own driver."),
    ("Our hall is free on Friday evenings", ""),
    # Staff who speak families' languages, or who could cover a class.
    ("Polish and Romanian-speaking staff", "They can join parent meetings."),
    ("Bengali", "Our bilingual TAs help at parents' evenings."),
    ("Experienced HLTA", "Could cover PPA one afternoon a week (paid)."),
    # Sets 35 and 36: a teacher's weekday set aside to teach elsewhere, or rooms to use.
    ("PE specialist - spare Friday afternoon",
     "Our federation PE teacher has Friday pm free this year, could teach PE at a nearby "
     "school."),
    ("French teacher - KS2", "Native French speaker on staff, can teach 1 lesson a week in "
                             "another school or share our planning."),
    ("free rooms for partnership training", ""),
    ("Training venue", "Our hall and 2 meeting rooms free after 3.30 for network meetings."),
    ("Shared HLTA - Fridays", "Experienced HLTA available Fridays for PPA cover."),
    ("Shared supply teacher - 2 days/wk free", "Happy to share her."),
    # Sets 15, 24 and 27: a weekday or parts of days free.
    ("Cover supervisor \u2013 Fridays", "Part-time cover supervisor free on Fridays."),
    ("Sports coach - PPA cover", "Our coach has Wed & Fri afternoons free."),
])
def test_offers_of_a_service_or_time(title: str, description: str) -> None:
    assert provides_service(title, description)


@pytest.mark.parametrize("title, description", [
    ("Art \u2013 sketchbooks and a curriculum that builds skills", ""),
    ("Phonics", "Feel free to visit; we moderate feedback termly."),
    ("Attendance", "Know-how only - sorry, we can't lend her out."),
    ("Phonics", "I am free to chat on Fridays about how we teach it."),
    ("PE curriculum", "We teach PE in mixed-age classes; happy to share planning."),
    # Hosting a visit to watch the practice is know-how (sets 41 and 42).
    ("Little Wandle - come and watch", "Happy to host small groups to watch a lesson."),
    ("Forest school", "We can host visits from staff thinking of starting one."),
])
def test_offers_of_know_how(title: str, description: str) -> None:
    assert not provides_service(title, description)


def test_temporary_cover_asks_for_a_person() -> None:
    # Set 26: "Lunchtime supervisor cover" had been paired with "OPAL play - see our
    # lunchtimes".
    assert asks_for_service("Lunchtime supervisor cover",
                            "Two MDSAs off long term. Anyone know how to get temp lunchtime "
                            "cover? Agencies don't do it round here.")
    assert asks_for_service("Agency cover for a Y3 class", "")
    assert not asks_for_service("PPA cover - how do you organise it?", "")


def test_a_service_the_request_does_without_is_not_what_it_asks_for() -> None:
    assert asks_for_service("Polish interpreter for parents' evening", "")
    assert not asks_for_service("Three new arrivals, no English",
                                "No interpreter until next month. Where do we start?")


def test_flags_read_title_and_description_per_post() -> None:
    flags = service_flags(["Kiln", "Art", "Maths"], ["Who do you use?", "", "Times tables games?"],
                          requests=True)
    assert flags.tolist() == [True, False, False]


def test_flags_read_tags_as_the_last_line_of_the_description() -> None:
    # "15 iPads for a term" says nothing of lending; its "loan" tag does.
    titles, descriptions = ["15 iPads for a term", "iPads in EYFS"], ["Reset and ready.", ""]
    tags = [("iPads", "loan"), ("iPads", "EYFS")]
    assert service_flags(titles, descriptions, requests=False).tolist() == [False, False]
    assert service_flags(titles, descriptions, requests=False,
                         tags=tags).tolist() == [True, False]


def test_flags_agree_with_the_patterns_post_by_post() -> None:
    # The stems only choose which posts the patterns read; the answers are the patterns'.
    titles = ["Kiln \u017fervicing", "HIRE a minibus", "Buy-in", "who did you use?",
              "Spare capacity", "Translation help", "Hired help", "", "Who Does Yours Use",
              "Site manager", "Coach", "New arrivals", "BORROW microscopes", "Sensory room",
              "Chess", "Hall", "Cello teacher?", "Clerk to governors", "Supply",
              "Play therapist", "Kiln", "Dyslexia", "Boiler", "Netball coach", "PE"]
    descriptions = ["", "", "Could we buy in a specialist?", "", "", "", "", "Interpreters",
                    "", "Could we share someone's a few hours a week?",
                    "Two afternoons free, charged at cost", "No interpreter yet", "",
                    "Afternoons available", "Looking for a chess tutor", "We can host; one slot",
                    "", "", "A teacher for Y4 until Easter", "", "Anyone service them?",
                    # Found only by the whole "anyone know" / "anybody got" phrases.
                    "Anyone know of an assessor?", "Anybody got a plumber they rate?", "",
                    "Instructional coaching for our PE lead"]
    for requests, single in ((True, asks_for_service), (False, provides_service)):
        flags = service_flags(titles, descriptions, requests=requests)
        assert flags.tolist() == [single(t, d) for t, d in zip(titles, descriptions,
                                                                strict=True)]
        assert flags.any()


def test_a_session_for_parents_is_read_from_the_title() -> None:
    titles = ["Phonics workshop for parents", "Online safety evening for parents",
              "TikTok and Roblox worries - parents' talk?", "Maths evening for our parents",
              "Family learning", "Parent workshops on early reading",
              # Not a session for parents: an interpreter at a parents' evening, parents as
              # the situation, or an event the school meets parents at.
              "Interpreter for parents' evening", "Parents don't come in",
              "Y5 parents worried about group chats", "Parents' evening booking system"]
    assert for_parents(titles).tolist() == [True] * 6 + [False] * 4


def test_offers_that_speak_to_parents() -> None:
    flags = mentions_parents(
        ["Phonics for parents - our slides", "Phonics lead support", "Online safety",
         "Maths INSET - CPA and bar models"],
        ["", "Fidelity and older readers.", "We run an evening session for families.",
         "Twilight for staff, parental questions welcome"],
        [[], ["parents"], [], []])
    assert flags.tolist() == [True, True, True, True]
    assert not mentions_parents(["Maths INSET"], ["Bar models for teachers and TAs."],
                                [[]]).any()


def test_what_an_offer_leaves_to_the_other_school() -> None:
    found = unmet_by_offers(
        ["Swimming - pool slot", "Minibus - weekday loan", "Dyslexia screening",
         "Forest School", "Phonics lead support"],
        ["One 30 min slot a week. Our lifeguard is on poolside. You bring your own "
         "teacher/instructor.",
         "Can lend for trips if you have your own D1 or MiDAS driver.",
         "Our SENCo advises on screeners. NB she can't do full diagnostic assessments.",
         "Our leader can host a class, or advise on setting up your own site.",
         "I can't get out of class, so Teams is easiest."])
    assert sorted(found) == [0, 1, 2]  # not "your own site", nor "can't get out of class"
    assert [found[i][0] != 0 for i in range(3)] == [True, True, False]
    assert found[2][1] == [frozenset({"diagnostic", "assessment"})]
    roles = wanted_roles(["Swimming teacher needed", "MiDAS training", "Pool slot for Y4",
                          "Swimming slot - we have our own instructor"])
    assert (roles != 0).tolist() == [True, True, False, False]
    # A description that says which person is needed counts too; staff as the audience not.
    described = wanted_roles(
        ["Y6 non-swimmers", "Pool time", "Safeguarding update"],
        ["A third can't swim 25m. Need a qualified swimming teacher for catch-up.",
         "We have our own instructor, need a pool slot.", "We need staff training on it."])
    assert (described != 0).tolist() == [True, False, False]
    pool, minibus, dyslexia = found[0], found[1], found[2]
    assert unmet("Swimming teacher needed", pool[0], int(roles[0]), pool[1])
    assert not unmet("Swimming teacher needed", minibus[0], int(roles[0]), minibus[1])
    assert unmet("MiDAS training", minibus[0], int(roles[1]), minibus[1])
    assert not unmet("Pool slot for Y4", pool[0], int(roles[2]), pool[1])
    assert unmet("Dyslexia diagnostic assessment", *dyslexia[:1], 0, dyslexia[1])
    assert not unmet("Dyslexia screening advice", *dyslexia[:1], 0, dyslexia[1])
    # What it cannot do ends at a dash (set 39: an ELSA who "can't do supervision - that has
    # to be an EP" for a request for ELSA supervision).
    elsa = unmet_by_offers(["Our ELSA can help you get started"],
                           ["She can't do supervision - that has to be an EP."])
    assert elsa[0][1] == [frozenset({"supervision"})]
    assert unmet("ELSA supervision - our EP service stopped it", 0, 0, elsa[0][1])


def test_a_person_asked_for_and_an_offer_with_nobody_to_give() -> None:
    titles = ["share a sports coach", "sports coach for KS1 PE", "Sports day ideas",
              "Coach for Y6 trip"]
    service = [True, True, False, False]
    assert person_requests(titles, service).tolist() == [True, True, False, False]
    # Therapists and psychologists by their short names, in capitals (set 33).
    titles = ["OT assessment - 18 month wait", "EP time", "Salt dough for Y1 Christmas",
              "Ed psych"]
    assert person_requests(titles, [True] * 4).tolist() == [True, True, False, True]
    flags = offers_a_person(
        ["Field for sports day", "Sports hall & field for events", "PE lead support",
         "Netball club places"],
        ["We have a big field with a marked track. Could host another school's sports day.",
         "Large field + sports hall available. Free to partnership schools.",
         "", "Our coach runs it on Fridays."],
        [[], ["PE"], [], []])
    assert flags.tolist() == [False, False, True, True]


def test_seats_on_a_coach_are_a_vehicle_not_a_person() -> None:
    # Sets 37 and 39 paired "New head - looking for a coach/mentor" and "Qualified swimming
    # teacher needed" with spare seats on a trip or swimming coach.
    flags = offers_a_person(
        ["Coach share for trips - half empty coach to the coast",
         "Spare seats on our swimming coach to the pool", "Netball coach - spare afternoon"],
        ["We often have 20-25 spare seats on trip coaches. Happy to share a coach and split "
         "the cost.", "The coach has about 15 spare seats.", "Our coach can run a club."],
        [[], [], []])
    assert flags.tolist() == [False, False, True]


def test_an_offer_that_is_only_a_session_for_parents() -> None:
    titles = ["Maths family mornings", "Phonics workshop for Reception parents",
              "Reception transition - visits & parent workshops",
              "Online safety curriculum and parent session", "Maths mastery visits"]
    assert parents_only(titles).tolist() == [True, True, False, False, False]


def test_a_session_for_parents_with_its_topic_between() -> None:
    # Set 24's "Parent maths workshop" had been paired with "New maths lead" and ranked first
    # for "Mock DD maths/reading". A parents' evening is still not such a session.
    titles = ["Parent maths workshop", "Parents\u2019 phonics session", "Parent online safety talk",
              "Parents evening", "Parent consultation evening", "Parent voice"]
    assert parents_only(titles).tolist() == [True, True, True, False, False, False]


@pytest.mark.parametrize("title, asks", [
    # Sets 23 and 24: someone to stand in for a stretch, or time someone has spare.
    ("Breakfast club cover \u2013 3 weeks", True),
    ("EP time \u2013 anyone spare?", True),
    ("PPA cover - how do you organise it", False),
    ("Cover supervisor training", False),
])
def test_cover_for_a_stretch_or_time_spare_is_a_service(title: str, asks: bool) -> None:
    assert asks_for_service(title) is asks


@pytest.mark.parametrize("title, description, asks", [
    # Sets 44 and 45: a lifeguard to share was paired with a TA recruitment pack, an arborist
    # with a site manager's checklist. Training to be a lifeguard is not someone's time.
    ("Tree survey", "Big oak dropped a limb over half term. Need an arborist quickly.", True),
    ("Lifeguard", "Does any school share a qualified lifeguard?", True),
    ("Pool safety", "We need lifeguard training for two TAs.", False),
    ("Forest school", "Our trees are lovely - any ideas for using them?", False),
])
def test_a_trade_or_a_lifeguard_is_a_service(title: str, description: str, asks: bool) -> None:
    assert bool(service_flags([title], [description], requests=True)[0]) is asks


@pytest.mark.parametrize("title, description", [
    # Set 23's chess coach, set 24's Urdu speakers and dyslexia assessor: each offers a
    # person's time without "available", "lend" or a price.
    ("Chess coach", "Our chess coach has a free afternoon, could run a club at another school."),
    # Set 46's volunteer, who "wants to" run one at "a second school".
    ("Chess coach \u2013 volunteer", "A parent wants to run a chess club at a second school one "
     "afternoon a week."),
    # Set 18's club leader ("an after-school club") and set 51's volunteer ("He'd do a
    # lunchtime or after school session at another school").
    ("Chess club leader", "Our chess club leader can run an after-school club at another "
     "school one day a week."),
    ("Chess coach & sets", "Run by a parent volunteer. He'd do a lunchtime or after school "
     "session at another school."),
    ("Polish & Urdu speakers \u2013 parent meetings",
     "Two staff speak Polish and Urdu. Could help with the odd parent meeting by phone."),
    ("Dyslexia assessments \u2013 specialist teacher",
     "Can do a small number of dyslexia assessments for other schools' pupils (cost of "
     "materials) or advise on screening."),
])
def test_time_set_aside_for_other_schools_is_provided(title: str, description: str) -> None:
    assert provides_service(title, description)
    assert service_flags([title], [description], requests=False).tolist() == [True]


def test_a_request_for_its_staff_and_never_parents() -> None:
    # Sets 40 and 42 paired "Online safety training for staff" with a session for parents.
    flags = for_staff(
        ["Online safety training for staff", "Zones of Regulation for lunchtime staff",
         "Online safety", "Phonics for parents and staff"],
        ["KCSIE changes, filtering and monitoring.", "Our MDSAs need the same language.",
         "", ""],
        [[], [], ["staff"], []])
    assert flags.tolist() == [True, True, True, False]


def test_a_request_to_be_trained_or_shown() -> None:
    # Sets 40-42 paired such requests with things lent or given and nobody to show them.
    flags = asks_to_be_shown(
        ["Read Write Inc refresher for whole staff", "Sensory circuits training for TAs",
         "Want to see teaching for mastery in a real classroom",
         "Moving to whole-class reading with VIPERS", "Venue for trust INSET, 60 people",
         "Keynote for September INSET", "Numicon"],
        ["", "", "", "Looking for someone who's done it to run a twilight.", "", "",
         "Anyone got a class set?"])
    assert flags.tolist() == [True, True, True, True, False, False, False]


def test_someone_to_come_and_do_it_is_asked_to_be_shown() -> None:
    # Set 50 paired "Shakespeare workshop for Y5" ("Anyone know someone who does drama
    # workshops in school?") with staging blocks and costumes to borrow.
    flags = asks_to_be_shown(["Shakespeare workshop for Y5", "Shakespeare costumes"],
                             ["Anyone know someone who does drama workshops in school?",
                              "Someone's borrowed ours."])
    assert flags.tolist() == [True, False]


def test_things_lent_or_given_with_nobody_to_come() -> None:
    flags = things_alone(
        ["Free to a good home: RWI Book Bag Books", "Sensory equipment to lend",
         "Makaton - we can lend our tutor", "RWI training for new staff",
         "Spare places on our Y6 residential"],
        ["Boxes of them, collect from us.", "Ear defenders and wobble cushions.",
         "She can run a foundation workshop.", "Our reading leader trains TAs.",
         "Our Y6 lead would welcome your children."],
        [[], [], [], [], []])
    assert flags.tolist() == [True, True, False, False, False]


def test_governors_wanted_are_met_only_by_an_offer_about_finding_them() -> None:
    # Sets 41, 46 and 48 paired "Governor with a finance background" and the like with
    # governor induction and finance training; every graded fit for a request for governors
    # is about finding them (set 47). A clerk to the governors, safer recruitment training
    # for a panel and a governors' panel are not governors to find.
    titles = ["Four governor vacancies", "Governor with finance skills wanted",
              "Parent governor with finance background", "Governor recruitment",
              "Clerk to governors needed", "Safer recruitment for governors",
              "New governors - induction", "Suspension review - governor panel needed"]
    assert asks_for_governors(titles).tolist() == [True] * 4 + [False] * 4
    offers = [("Foundation governors - recruitment", "Skills audit, what to put in the advert."),
              ("New governor induction (online)", "Our clerk runs it each term."),
              ("'Reading' the budget - finance for governors", "")]
    assert recruits_governors([t for t, _ in offers], [d for _, d in offers],
                              [[]] * 3).tolist() == [True, False, False]



def test_minibus_drivers_to_train_are_met_only_by_an_offer_that_trains_them() -> None:
    # Every graded fit for "MiDAS" or "MiDAS training for 2 staff" trains or assesses
    # drivers (sets 11-42); set 49 paired a bare "MiDAS" with a minibus and its driver.
    titles = ["MiDAS", "MiDAS training for 2 staff", "Minibus driver training needed (MiDAS)",
              "MiDAS assessment", "Minibus driver with MiDAS",
              "MiDAS driver - anyone have one who'd do the odd trip?", "Minibus for fixtures"]
    assert asks_for_driver_training(titles).tolist() == [True] * 4 + [False] * 3
    offers = [("MiDAS minibus driver training", "Our business manager is a MiDAS assessor and "
               "can train and assess staff to drive a school minibus."),
              ("Minibus driver training - spaces", "We host an assessment each year."),
              ("Minibus + driver Fri mornings", "Our MiDAS-trained driver can take you."),
              ("Minibus to borrow", "You need your own D1 or MiDAS trained driver.")]
    flags = trains_drivers([t for t, _ in offers], [d for _, d in offers], [[]] * 4)
    assert flags.tolist() == [True, True, False, False]


@pytest.mark.parametrize("title, description", [
    # Sets 49 and 50: a hall to use, a kiln firing others' clay, coaching given, a room.
    ("Big hall with staging & lighting", "If your hall's too small for a summer show you're "
     "welcome to use it (weekday evenings)."),
    ("Kiln - we'll fire your clay work", "Our art lead is happy to fire other schools' clay "
     "work (bisque)."),
    ("Coaching for new heads", "Head of 12 years, trained coach. Can offer a new or acting "
     "head a coaching conversation every half term."),
    ("Spare classroom", "Mon-Thu - could suit tutoring, therapy sessions or small groups."),
])
def test_a_space_a_firing_or_coaching_given_is_provided(title: str, description: str) -> None:
    assert provides_service(title, description)


def test_a_liaison_worker_is_a_person_and_a_room_for_one_is_not() -> None:
    # Set 50: "Our family liaison worker speaks Arabic and Somali" named nobody, so a Somali
    # interpreter request held it back; set 49: "Room for SALT sessions" asks for the room.
    assert offers_a_person(["Arabic/Somali speaking family liaison"],
                           ["Our family liaison worker speaks Arabic and Somali."],
                           [[]]).tolist() == [True]
    titles = ["Room for SALT sessions", "SALT for 6 children"]
    assert person_requests(titles, np.array([True, True])).tolist() == [False, True]


def test_a_provider_wanted_is_a_person_to_come() -> None:
    # Set 53 paired "After-school club provider needed" with nativity costumes to lend.
    titles = ["After-school club provider needed", "Wraparound provider wanted",
              "We need a new catering provider", "Our catering provider is putting prices up"]
    service = np.array([asks_for_service(t) for t in titles])
    assert service.tolist() == [True, True, True, False]
    assert person_requests(titles, service).tolist() == [True, True, True, False]


def test_parents_who_need_help_themselves_and_a_session_with_its_slides() -> None:
    # Set 54 ranked reading dog visits first for "Parents don't know how to help with
    # reading"; set 53 ranked a parents' phonics workshop first for "phonics lead support??".
    titles = ["Parents don't know how to help with reading", "Parents have no idea what kids "
              "are on", "Parents don't come in", "Parents can't afford an assessment"]
    assert for_parents(titles).tolist() == [True, True, False, False]
    offers = ["Phonics parent workshop - slides & handouts",
              "Reading at home parent workshop - slides & script",
              "Parent phonics & maths workshops - our slides"]
    assert parents_only(offers).tolist() == [True, True, False]


def test_documents_with_nobody_to_go_through_them() -> None:
    # Set 52 paired "Online safety training for staff" with a filtering check template.
    titles = ["Filtering & monitoring annual check template", "Relational behaviour policy",
              "RSE policy - come and see how we consulted", "Zones of Regulation twilight"]
    descriptions = ["The template and checklist we wrote for our annual review.", "", "", ""]
    assert documents_only(titles, descriptions, [[]] * 4).tolist() == [True, True, False,
                                                                        False]


def test_lessons_to_watch_or_an_audit_are_asked_to_be_shown() -> None:
    # Set 53 ranked manipulatives to borrow first for "Watching maths mastery lessons
    # elsewhere".
    titles = ["Watching maths mastery lessons elsewhere", "ECT needs to see good maths teaching",
              "Lessons learned from Ofsted", "Maths mastery",
              # Set 54 paired "Reading for pleasure audit" with book boxes to borrow.
              "Reading for pleasure audit", "Audit tool for SEND provision?"]
    assert asks_to_be_shown(titles, [""] * 6).tolist() == [True, True, False, False, True,
                                                           False]


@pytest.mark.parametrize("title, description", [
    # Set 56: a hall and field free for cluster events, a sensory room other schools' children
    # may use, assessments done for another school, a clerk's time taken on.
    ("Hall & field for festivals / performances", "Big hall seats 200, field with 2 pitches. "
     "Free for cluster events - some school days by arrangement."),
    ("Sensory room - visits Weds am", "Bubble tube, fibre optics. Children from another school "
     "welcome Weds mornings with their own adult."),
    ("Dyslexia screening - specialist assessor", "Our SpLD teacher (AMBDA) can do a small "
     "number of screening assessments for another school."),
    ("Clerk to governors", "Our clerk can take on one more small school's FGB + committees."),
    ("Clerk to governors - some capacity", ""),
    # Set 57: coaching that comes to the other school.
    ("RWI - coaching for your team", "Happy to have your TAs in to watch. Can also come out to "
     "yours for a morning and coach staff."),
    # Set 4: a technician's day shared.
    ("Share our IT technician (one day a fortnight)", "Hardware, updates, printers."),
])
def test_time_or_a_place_given_to_another_school_is_provided(title: str,
                                                             description: str) -> None:
    assert provides_service(title, description)


@pytest.mark.parametrize("title, description", [
    ("Hall & field - how we run our festivals", "Free advice on organising cluster events."),
    ("Dyslexia screening - what we use", "Our SpLD teacher can talk you through the tools."),
    ("Sensory room - come and see ours", "Staff from other schools welcome to visit."),
])
def test_know_how_about_a_place_or_a_service_is_not_provided(title: str,
                                                             description: str) -> None:
    assert not provides_service(title, description)


def test_an_officer_or_technician_to_share_is_a_person_to_come() -> None:
    # Set 55 paired "Attendance officer shared between schools?" with attendance know-how;
    # set 57 paired "IT technician needed on site" with Chromebooks to donate.
    titles = ["Attendance officer shared between schools?", "IT technician needed on site",
              "Wi-Fi keeps dropping", "Attendance officer role - what do yours do?"]
    descriptions = ["Would another school share one with us?", "", "Anyone share a technician?",
                    "Thinking about the job description."]
    service = np.array([asks_for_service(t, d) for t, d in zip(titles, descriptions,
                                                                strict=True)])
    assert service.tolist() == [True, True, True, False]
    assert person_requests(titles, service).tolist() == [True, True, False, False]


def test_a_school_going_in_house_asks_how_not_for_a_contractor() -> None:
    # Set 55 held back "Catering - we went in-house" from "Bringing catering in-house?".
    titles = ["Bringing catering in-house?", "Legionella risk assessment", "Roof leaking again",
              "School kitchen - retender"]
    descriptions = ["Contractor prices up 15%. Thinking of going in-house - costings?",
                    "Contractor quote is silly money - can we do it in house?",
                    "Need a reliable roofing contractor in the Bolton area.",
                    "Has anyone gone in-house? Who did you use for the deep clean?"]
    expected = [False, False, True, True]
    assert [asks_for_service(t, d) for t, d in zip(titles, descriptions,
                                                   strict=True)] == expected
    assert service_flags(titles, descriptions, requests=True).tolist() == expected


def test_a_place_free_for_others_is_provided_but_a_free_course_is_know_how() -> None:
    assert provides_service("Training room for INSET", "Room for 30, projector. Free for local "
                            "schools.")
    assert not provides_service("Phonics twilight", "Our reading lead's session. Free for local "
                                "schools.")


def test_an_interim_head_is_someone_to_fill_the_post() -> None:
    # Set 28 paired "interim head needed" with mentoring for new heads.
    assert asks_for_service("interim head needed")
    assert asks_for_service("Interim SBM for a term?")
    assert not asks_for_service("Acting head - need a mentor")


def test_visits_asked_for_are_someone_to_come() -> None:
    # Sets 19 and 55 paired "Reading dog visits" with old reading books to give away.
    assert asks_to_be_shown(["Reading dog visits", "Places of worship visits", "Reading dogs"],
                            [""] * 3).tolist() == [True, True, False]


def test_time_a_place_or_things_given_in_other_words() -> None:
    # Set 58 held these back as know-how from "Clerk", "Sports day" (a field to borrow),
    # "Uniform / coats", "After-school sports coach" and "Space for parent courses".
    given = [("Clerking capacity", "Our clerk has room for one more governing board."),
             ("Field for your sports day", "Available weekdays in June/July for another "
              "school's sports day."),
             ("Uniform bank", "Preloved uniform, PE kit, coats and shoes."),
             ("Apprentice sports coach", "Could do two lunchtimes a week at a nearby school."),
             ("Community room", "Available daytimes for parent groups or courses.")]
    assert all(provides_service(t, d) for t, d in given)
    know_how = [("Pre-loved uniform shop - how we run it", "Share set-up and rotas."),
                ("Coaching culture", "There is always room for improvement.")]
    assert not any(provides_service(t, d) for t, d in know_how)


def test_a_document_we_could_use_is_know_how() -> None:
    # Set 60 read "a decent staff wellbeing survey we could use" as asking to borrow one.
    assert not asks_for_service("Staff wellbeing survey", "Looking for a decent staff "
                                "wellbeing survey we could use.")
    assert asks_for_service("Kiln", "Anyone got a working one we could use?")


def test_a_lifeguard_is_named_or_not_given() -> None:
    found = offers_a_lifeguard(
        ["Pool slots with our lifeguard", "Spare places in our top-up swimming", "NPLQ holder"],
        ["Tuesdays.", "With a qualified teacher, Wed mornings.", ""], [[], ["swimming"], []])
    assert found.tolist() == [True, False, True]


def test_a_place_booked_shared_or_free_for_training_is_provided() -> None:
    # Sets 61-63 held these back as know-how from "Venue for a joint INSET day", "Hall for
    # cluster netball", "Gardening club - no land!" and "Y6 maths booster".
    given = [("Hall and meeting room for INSET days", "Hall (seats 80) plus a meeting room, "
              "free for training/INSET days in school holidays."),
             ("Sports hall for cluster events", "Our sports hall can be booked for cluster "
              "tournaments. No charge for schools."),
             ("Share our polytunnel & allotment plot", "A neighbouring school could have a "
              "plot."),
             ("Y6 maths booster", "Our Y6 teacher could run small-group maths boosters "
              "(arithmetic and reasoning) at a nearby school for 4-5 weeks.")]
    assert all(provides_service(t, d) for t, d in given)
    # Its paperwork is know-how (set 2), and so is a free course with no place to use.
    assert not provides_service("Minibus - MiDAS & policy info", "Can share our minibus "
                                "policy, MiDAS driver training details and permit info.")
    assert not provides_service("Phonics twilight", "Free for training new TAs.")


def test_a_trainer_wanted_is_a_person_to_come() -> None:
    # Set 61 paired "Paediatric first aid trainer" (no offer fits) with a site supervisor's
    # compliance walk.
    titles = ["Paediatric first aid trainer", "Sounds-Write trainer needed", "Trainer notes"]
    service = service_flags(titles, [""] * 3, requests=True)
    assert service.tolist() == [True, True, False]
    assert person_requests(titles, service).tolist() == [True, True, False]


def test_practice_to_see_done_well_is_asked_to_be_shown() -> None:
    # Set 63 paired "Reception - seeing continuous provision done well" with free outdoor
    # resources.
    titles = ["Reception - seeing continuous provision done well",
              "Little Wandle - want to see it in action", "Continuous provision resources"]
    assert asks_to_be_shown(titles, [""] * 3).tolist() == [True, True, False]


def test_a_residential_is_named_or_not_given() -> None:
    assert asks_for_residential(["Join someone's residential?", "Y6 trip to the coast",
                                 "Residentials - any spare places",
                                 "Borrow a minibus for the residential"]).tolist() == [
        True, False, True, False]
    found = offers_a_residential(
        ["Spare places on our Y6 residential", "Spare seats on our coach to Lancaster Castle",
         "Two nights at Robinwood", "Share our coach"],
        ["", "Day trip in May.", "", "To PGL in June."], [[], [], [], []])
    assert found.tolist() == [True, False, True, True]


def test_a_space_lent_and_a_request_that_mentions_one() -> None:
    assert mentions_a_space(
        ["Venue for a joint INSET day", "Sketchbooks staff meeting", "Sports day with others",
         "Cleaning contract"],
        ["", "Could someone come and do a staff meeting on sketchbooks?", "", ""],
        [[], ["art"], [], []]).tolist() == [True, False, True, False]
    assert lends_a_space(
        ["Our hall for evening events", "Lettings - making the hall pay", "Visit our prayer hall",
         "Hall and field"],
        ["Available weekday evenings for concerts.", "How we let it out. Available to chat.",
         "Classes from other schools welcome.", "How we run our festivals."],
        [[], [], [], []]).tolist() == [True, False, False, False]

