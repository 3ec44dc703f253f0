"""What kind of help a post is about: know-how (almost every post), or a service.

Schools mostly give know-how: training, a visit, their planning. Some requests ask instead for
a service, a supplier or a person's time ("Our minibus needs servicing - who do you use?",
"Could we buy time from your music teacher?"). A know-how offer on the same topic
does not meet such a request, however close the words, so the matcher only pairs it with an
offer that itself provides a service, a resource or staff time. The cues are deliberately
narrow: a request wrongly read as a service is only left for coordinators to pair by hand.

Two finer reads of the same kind: an offer may say what it leaves to the other school ("you
bring your own instructor") or cannot do, and a request for a person is not met by a field,
a hall or books that nobody comes with.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

__all__ = ["LIFEGUARD", "ROOM_FOR", "THING_WANTED", "asks_for_driver_training",
           "asks_for_governors", "asks_for_residential",
           "asks_for_service", "asks_to_be_shown", "documents_only",
           "for_parents", "for_staff", "lends_a_space", "mentions_a_space", "mentions_parents",
           "offers_a_lifeguard",
           "offers_a_person", "offers_a_residential", "parents_only",
           "person_requests", "posts_with_stems", "provides_service", "recruits_governors",
           "says", "service_flags", "things_alone", "trains_drivers", "unmet",
           "unmet_by_offers", "wanted_roles"]

_ASKS = re.compile(
    r"\bwho (?:do|does|did) (?:you|yours|other schools|others|everyone|people|schools) use\b"
    # "Who did yours?" asks who did the work; "anyone service them?" for someone to do it.
    r"|\bwho (?:did|does|do) yours\b"
    r"|\bservic(?:ing|ed)\b|\bservice (?:it|them|ours|one|these|those)\b"
    r"|\b(?:a|another|any) service (?:that|which|who)\b"
    r"|\b(?:suppliers?|contractors?|tradesmen|tradespeople)\b"
    # "No interpreter until next month" is the school's situation, not what it asks for.
    # (The look-behinds follow the word so they only run where it is found.)
    r"|\b(?:interpreter|translator)s?\b(?<!no interpreter)(?<!no interpreters)"
    r"(?<!no translator)(?<!no translators)(?<!without an interpreter)(?<!without a translator)"
    r"|\bbuy (?:in|time)\b"
    # Paying for someone's days: "could we buy a day from you", "a traded SALT".
    r"|\bbuy (?:a|one|two|half a|some|a few) (?:half )?(?:days?|sessions?|hours?)\b"
    r"|\btraded\b"
    r"|\b(?:to|for) hire\b"
    r"|\brecommend (?:a|an|any) (?:company|firm|supplier|provider|contractor)\b"
    # Paying for it, or borrowing a person or a thing, is not asking for know-how.
    r"|\b(?:we|i) (?:can|could|will|would|are happy to|are willing to) pay\b"
    r"|\b(?:we'll|we\u2019ll|we'd|we\u2019d) pay\b|\b(?:happy|willing) to pay\b"
    # A sentence of its own: "Can pay."
    r"|^\W*can pay\b|[.!?]\s+can pay\b"
    r"|\blend us\b|\bloan of\b"
    # Not a document to use: "a decent staff wellbeing survey we could use" (set 60).
    r"|\bborrow(?:ing)?\b|(?<!survey )(?<!surveys )(?<!template )(?<!templates )(?<!policy )"
    r"(?<!questionnaire )\b(?:we|i) could (?:use|borrow|hire)\b|\bcould we (?:use|borrow|hire)\b"
    r"|\bsupply (?:teachers?|cover|staff)\b"
    # Someone to stand in: "Anyone know how to get temp lunchtime cover?"
    r"|\b(?:temp|temporary|agency) (?:[a-z]+ )?cover\b"
    # "SBM left - need part time cover".
    r"|\bpart[- ]time cover\b"
    # A person to come in and run something, or things someone has spare.
    r"|\blooking for an? (?:[a-z]+ ){0,2}(?:coach|tutor|volunteer|therapist)\b"
    r"|\b(?<!induction )tutors? for\b"
    r"|\b(?:anyone|anybody) (?:got|have|has) (?:any )?spare\b|\b(?:anyone|anybody) spare\b"
    # Someone to stand in for a stretch ("Breakfast club cover - 3 weeks"), not advice on
    # organising cover.
    r"|\bcover\W+(?:for\s+)?(?:\d+|a few|a couple of|one|two|three|four|six) "
    r"(?:days?|weeks?|months?|terms?)\b"
    # A survey of the building is bought from a surveyor, not learned from another school.
    r"|\b(?:asbestos|condition|roof|drainage|legionella|building) (?:management )?surveys?\b"
    r"|\b(?:company|firm|providers?|agency) (?:recs?|recommendations?)\b"
    # A provider to take something over: "After-school club provider needed" (set 53).
    r"|\bproviders? (?:needed|wanted|required)\b"
    # Someone's days to share: "Attendance officer shared between schools?" (set 55), "Would
    # anyone share a technician?". No graded fit for such a request is know-how (sets 4-55).
    r"|\b(?:shared|share (?:a|an|one|their|your|our)) (?:[a-z]+ ){0,2}?"
    r"(?:officers?|technicians?|ewos?)\b|\b(?:officers?|technicians?|ewos?) shared\b"
    r"|\bneed (?:a |an )?(?:new )?(?:[a-z-]+ ){0,2}providers?\b"
    r"|\b(?:which|what|any|good|cheap) "
    r"(?:[a-z]+ )?(?:company|firm)\b"
    r"|\b(?:a|an|any) (?:[a-z]+ ){0,2}(?:trainer|driver|photographer|electrician|plumber|roofer"
    r"|surveyor|engineer|technician|caterer|cleaner|coach company) (?:to|who|for)\b"
    r"|\b(?:anyone|anybody) (?:have|got|know) (?:of )?(?:a|an) (?:[a-z]+ ){0,2}(?:assessor"
    r"|therapist|counsellor|trainer|engineer|electrician|plumber|surveyor|coach|instructor)s?\b"
    # Trades no school has on its staff ("Need an arborist quickly"), and a lifeguard to share
    # or borrow ("Does any school share a qualified lifeguard?"): a site manager's checklist or
    # a recruitment pack does not fill them.
    r"|\b(?:arborists?|tree surgeons?|tree surgery)\b"
    r"|\b(?:share|sharing|borrow|lend|need|needs|needed|want|wanted)\b[^.?!\n]{0,20}"
    r"\blifeguards?\b(?! (?:training|course|qualification))",
    re.IGNORECASE,
)

# A title that opens with a thing wanted for a purpose ("Minibus for Y6 trip", "Tablets for
# new arrivals") asks for the thing itself; training about it does not meet the request.
THING_WANTED = re.compile(
    r"^\W*(?:(?:a|an|some|spare|extra|more|\d+)\s+)?(?:class set of\s+)?"
    r"(?:minibus(?:es)?|coach(?:es)?|tablets?|ipads?|laptops?|chromebooks?|micro:? ?bits?"
    r"|bee-? ?bots?|data ?loggers?|microscopes?|instruments?|ukuleles?|costumes?|tents?"
    r"|bikes?|hobs?|(?:a |the )?(?:big |large |bigger |larger )?(?:hall|venue)s?)"
    r"\s+(?:for|needed|wanted|to borrow)\b",
    re.IGNORECASE,
)

# A title that is only the person wanted ("Dance specialist", "Cello teacher?", "Netball
# coach", "Brass teacher wanted") asks for that person, not for advice. Words that describe a
# teacher being supported ("Struggling teacher", "New music teacher") are not a wanted person.
_PERSON_WANTED = re.compile(
    r"^\W*(?:a |an )?(?!(?:struggling|new|newly|our|my|class|lead|head|trainee|student|ect\d?"
    r"|early|second|first|every|each|no|non)\b)[a-z][a-z'\u2019-]*(?: [a-z][a-z'\u2019-]*)?"
    r" (?:specialist|teacher|coach|tutor|instructor|therapist|counsellor|assessor|driver"
    r"|technician)"
    # Said to be needed, or asked after, whatever follows ("Qualified swimming teacher needed
    # - Y4 lessons", "MiDAS driver - anyone have one who'd do the odd trip?").
    r"(?:\W*(?:needed|wanted|required)\b.*|\s+[-\u2013]\s+(?:anyone|anybody)\b.*"
    r"|\W*(?:please)?\W*)$"
    # A trainer to come and train ("Paediatric first aid trainer", sets 53 and 61).
    r"|^\W*(?:a |an )?(?:[a-z][a-z'\u2019-]* ){1,3}trainers?"
    r"\W*(?:needed|wanted|required|please)?\W*$"
    # A clerk to the governors is a person too ("Clerk", "Clerk to governors wanted").
    r"|^\W*(?:a |an |new )?clerk(?:ing)?(?: to (?:the )?governors)?"
    r"\W*(?:needed|wanted|required|please)?\W*$",
    re.IGNORECASE,
)

# A title asking for someone to stand in or join the staff ("Caretaker cover", "Phonics lead
# maternity cover", "Deputy head secondment", "Breakfast club staff", "Forest school leader
# needed"): a colleague's know-how on the job does not fill the post. Cover is read only for
# the posts a teaching colleague's know-how never fills (site, office, kitchen, clubs) or a
# stretch of leave: "PPA cover" alone is met by offers that never say they provide it. Not a
# question about organising cover ("Caretaker cover - how do you fund it?").
_STAFF_WANTED = re.compile(
    r"^(?!.*\b(?:how|ideas?|tips|advice|organis\w*|polic(?:y|ies)|training|cpd|rota|for staff"
    r"|budget|costs?)\b).*\b(?:caretaker|caretaking|site|premises|cleaner|cleaning|cook|kitchen"
    r"|catering|breakfast club|after[- ]school club|wraparound|lunchtime|mdsa|clerk|clerking"
    r"|office|admin|sbm|business manager|bursar|maternity|mat leave|sickness|long[- ]term)"
    r" (?:staff )?cover\b"
    # "Forest School cover - mat leave".
    r"|\bcover\W+(?:for\s+)?(?:maternity|mat leave|long[- ]term sick)"
    r"|\bsecondments?\b"
    r"|^\W*(?!.*\bfor\b)(?:[a-z]+ ){1,2}staff\W*(?:needed|wanted|required|please)?\W*$"
    r"|\bleaders? (?:needed|wanted|required)\b"
    r"|\b(?:long[- ]term|fixed[- ]term|maternity) (?:[a-z]+ ){0,2}(?:teacher|ta|hlta|senco|sbm"
    r"|caretaker|cook)s?\b"
    # Someone to fill a post for a while: "interim head needed" (set 28) is not met by
    # mentoring for new heads.
    r"|\binterim (?:exec(?:utive)? )?(?:head|headteacher|principal|deputy|senco|sbm"
    r"|business manager|bursar)s?\b",
    re.IGNORECASE,
)

# Someone's time by the week ("a few hours a week", "2 days a week") asked for as a loan, a
# share or paid cover: both must appear ("I teach 4 days a week" alone is context).
_TIME = re.compile(
    r"\b(?:a few|a couple of|couple of|some|one|two|three|four|half|\d+(?:\.\d+)?) "
    r"(?:hours?|days?|mornings?|afternoons?|sessions?) (?:a|per|each) "
    r"(?:week|fortnight|month|term)\b",
    re.IGNORECASE,
)
_BORROW = re.compile(
    r"\b(?:share|lend|borrow|cover|paid|pay)\b|\b(?:someone|anyone)(?:'|\u2019)s\b",
    re.IGNORECASE,
)

_PROVIDES = re.compile(
    r"\b(?:for|to) hire\b"
    r"|\b(?:is|are|free and) available\b|\bavailable (?:for|to|on)\b"
    # When it is free: "Community room ... available daytimes for parent groups", "Available
    # weekdays in June/July for another school's sports day" (set 58).
    r"|\bavailable (?:daytimes?|weekdays?|evenings?|weekends?|most (?:days|weeks)"
    r"|during the (?:day|school day)|in the daytime)\b"
    r"|\b(?:afternoons?|mornings?|days?|sessions?|places?|slots?|rooms?) available\b"
    # "Experienced HLTA available Fridays for PPA cover".
    r"|\b(?:available|free) (?:on )?(?:mon|tues|wednes|thurs|fri)days?\b"
    # "Tue & Thu afternoons free", "has Wed & Fri afternoons free".
    r"|\b(?:afternoons?|mornings?|days?) (?:free|spare)\b"
    r"|\blettings?\b"
    # A vehicle, a space or devices others may use ("Minibus available Weds & Fris").
    r"|\b(?:minibus(?:es)?|coach|halls?|pool|field|pitch|kiln|ipads?|tablets?|laptops?"
    r"|chromebooks?|rooms?|spaces?|van) (?:is |are )?(?:free|available)\b"
    # "Free rooms for partnership training".
    r"|^\W*free (?:meeting |training )?(?:rooms?|halls?|venues?)\b"
    r"|\bhire (?:at|for|it|them)\b"
    # "Hall hire - seats 300", "Minibus hire": a thing for hire.
    r"|\b(?:hall|room|pool|minibus|coach|field|pitch|space|venue|kiln|van|studio|kitchen"
    r"|stage|staging) hire\b"
    # Staff who speak families' languages, or who could cover, are people to share.
    r"|\b(?:[a-z]+-speaking|bilingual) (?:staff|tas?|teaching assistants?|teachers?|colleagues?)\b"
    r"|\b(?:staff|tas|colleagues|teachers) (?:also )?(?:can )?speak\b"
    # Time set aside: "has a free afternoon", "could run a club at another school".
    r"|\b(?:has|have|with) (?:a|one|two|three|\d+) (?:free|spare) (?:days?|afternoons?"
    r"|mornings?|sessions?|hours?)\b"
    # "A parent ... wants to run a chess club at a second school" (set 46) too.
    # "He'd do a lunchtime or after school session at another school" (set 51).
    r"|\b(?:could|can|happy to|wants? to|would like to|willing to|keen to|would|he'd|she'd"
    r"|they'd|he\u2019d|she\u2019d|they\u2019d) "
    r"(?:run|deliver|lead|teach|do) (?:a |an |the )?(?:[a-z-]+ ){0,4}?"
    # "could do two lunchtimes a week at a nearby school" (set 58).
    r"(?:club|sessions?|lessons?|lunchtimes?|groups?|boosters?|interventions?)"
    # "could run small-group maths boosters (arithmetic and reasoning) at a nearby school"
    # (set 63).
    r"(?: a week| per week)?(?: \([^)\n]{1,60}\))?(?: for \d+-?\d* weeks)? (?:at|in|for)"
    r" (?:another|other|your|a nearby|a second"
    r"|a partner|one other|a local) schools?\b"
    # "could teach PE at a nearby school", "can teach 1 lesson a week in another school".
    r"|\b(?:could|can|happy to) (?:come and )?teach (?:[a-z0-9]+ ){0,4}(?:at|in|for) "
    r"(?:another|other|your|a nearby|nearby|a local|local) schools?\b"
    # A weekday or a part of one set aside: "spare Friday afternoon", "Friday pm free".
    r"|\bspare (?:(?:mon|tues|wednes|thurs|fri)day )?(?:afternoons?|mornings?)\b"
    r"|\b(?:mon|tues|wednes|thurs|fri)day (?:pm|am|afternoons?|mornings?) (?:free|spare)\b"
    # Done for other schools at the cost of materials: "can do a small number of dyslexia
    # assessments for other schools' pupils (cost of materials)".
    r"|\bcost of (?:materials|resources)\b"
    r"|\b(?:can|could) cover\b|\(paid\)"
    r"|\bspare (?:places|seats|capacity|time|days?|sessions)\b|\b(?:places|seats) spare\b"
    r"|\b(?:has|have|with) (?:spare )?capacity\b"
    r"|\b(?<!not )(?<!cannot )(?<!can't )(?<!can\u2019t )lend(?:s|ing)?\b|\bloan(?:s|ed)?\b"
    r"|\bto borrow\b"
    # A place or a slot in it others can use.
    # Not hosting a visit to watch its practice ("happy to host small groups to watch a
    # lesson"): that is know-how.
    r"|\b(?:can|could|happy to|we) host\b(?! (?:a |an |up to \d+ |small |\d+ |a few |some )?"
    r"(?:visits?|visitors|groups?|you|staff|colleagues|teachers|leaders)\b)"
    r"|\bslots?\b|\bcan be used\b|\buse of our\b"
    r"|\bfree to (?:any|local|other|nearby)\b"
    # "Children from another school welcome Weds mornings with their own adult" (a sensory
    # room, set 56).
    r"|\b(?:children|pupils|classes|groups) from (?:an|any )?other schools? (?:are )?welcome\b"
    # Done for another school or taken on for one: "can do a small number of screening
    # assessments for another school", "can take on one more small school's FGB", "Clerk to
    # governors - some capacity" (set 56); "Can also come out to yours for a morning and
    # coach staff" (set 57).
    r"|\b(?:can|could|happy to|willing to|able to) (?:also )?(?:do|carry out|complete) "
    r"(?:[a-z0-9-]+ ){0,5}?(?:assessments?|screenings?|audits?|observations?|reviews?)"
    r" (?:for|at|in) (?:another|other|your|a nearby|nearby|a local|local|one other)\b"
    r"|\btake on (?:one|another|1|two|2|an|a) ?(?:more|other|extra|further)?"
    r" (?:small |primary )?(?:schools?|clients?|settings?)\b"
    r"|\b(?:some|a little|limited) (?:spare )?capacity\b"
    # A clerk's capacity: "Our clerk has room for one more governing board" (set 58), "has
    # room for one more FGB/LGB" (set 26).
    r"|\broom for (?:one|1|another|two|2) (?:more )?(?:small )?(?:governing )?"
    r"(?:boards?|fgbs?|lgbs?)\b"
    r"|\b(?:can|could|happy to|will|willing to) (?:also )?come (?:out )?to"
    r" (?:yours|your school|you)\b"
    # A hall to use ("you're welcome to use it"), a spare classroom, clay fired for others
    # ("happy to fire other schools' clay work"), coaching given ("can offer a new head a
    # coaching conversation every half term"): sets 49 and 50.
    r"|\bwelcome to (?:use|borrow|book|hire)\b|\bspare (?:class)?rooms?\b"
    r"|\bfire (?:your|their|other schools)\b|\bother schools(?:'|\u2019)? (?:clay|pots?)\b"
    r"|\b(?:can|could|happy to) offer (?:[a-z]+ ){0,6}?(?:coaching|mentoring|supervision)\b"
    r"|\bbuy (?:in|time)\b|\bbuy(?:ing)? our\b"
    r"|\bsupply pool\b"
    # Priced time ("paid at her hourly rate", "charged at cost") or time set aside for others.
    r"|\bcharged at\b|\bat cost\b|\b(?:hourly|daily|day|sessional) rate\b"
    r"|\bfor a (?:small )?fee\b|\bwe charge\b"
    r"|\b(?:a|one|two|three|four|\d+) (?:days?|afternoons?|mornings?|sessions?|hours?)"
    r"(?: a week|/ ?wk|/ ?week| per week| a fortnight| a month)? (?:free|spare)\b"
    # "Share our IT technician (one day a fortnight)" (set 4).
    r"|\bshare our (?:[a-z]+ ){0,2}(?:officers?|technicians?|ewos?)\b"
    # A place or a thing shared: "Share our polytunnel & allotment plot" (set 63).
    r"|\bshare our (?:[a-z]+ ){0,2}(?:polytunnels?|allotments?|gardens?|fields?|pitch(?:es)?"
    r"|halls?|pools?|minibus(?:es)?|kilns?|grounds|plots?|lanes?|rooms?|spaces?)\b"
    # Not its paperwork: "Can share our minibus policy, MiDAS driver training details" (set 2).
    r"(?! (?:polic(?:y|ies)|info|information|notes|procedures?|risk|guidance|handbook"
    r"|timetables?|rotas?|plans?|checklists?)\b)"
    # "Our sports hall ... can be booked for cluster tournaments" (set 62).
    r"|\bcan be booked\b|\bbookable\b"
    r"|\b(?:interpret(?:er|ers|ing)?|translat(?:e|or|ors|ing|ion))\b"
    # Things to give away are a resource, not know-how.
    r"|\bfree to (?:collect|a good home)\b|\bgiv(?:e|ing) away\b|\bdonat(?:e|es|ing|ion)\b"
    # Things given: "Preloved uniform, PE kit, coats and shoes" (set 58), not the shop run
    # for the school's own families ("pre-loved uniform shop - how we run it").
    r"|\bpre-?loved (?:uniform|clothes|clothing|coats|kit|items|books|toys|resources)\b"
    r"(?! (?:shops?|swaps?|rails?|sales?|banks?|stalls?)\b)",
    re.IGNORECASE,
)


# A school thinking of doing the work itself ("Contractor prices up 15%. Thinking of going
# in-house - costings?", set 55; "Contractor quote is silly money - can we do it in house?",
# set 15) asks how, not for a contractor: its description's bare "contractor" is the one it
# has. Every graded fit for such a request is know-how (sets 9-55).
_IN_HOUSE = re.compile(
    r"\b(?:go|going|gone|went|bring|bringing|brought|take|taking|took|move|moving|moved|run"
    r"|running|do|doing) (?:it |them |this |that |[a-z]+ ){0,2}in[- ]house\b"
    r"|\brun (?:it|them) ourselves\b", re.IGNORECASE)
_SUPPLIER_NOUN = re.compile(r"(?:suppliers?|contractors?|tradesmen|tradespeople)",
                            re.IGNORECASE)


def _asks_in_description(title: str, description: str) -> bool:
    """Whether a request's description asks for a service (_ASKS), not counting the
    supplier it already has when it is thinking of doing the work in-house."""
    if _ASKS.search(description) is None:
        return False
    if _IN_HOUSE.search(f"{title}\n{description}") is None:
        return True
    return any(not _SUPPLIER_NOUN.fullmatch(m.group(0)) for m in _ASKS.finditer(description))


def asks_for_service(title: str, description: str = "") -> bool:
    """Whether a request asks for a service, a supplier or someone's time, not know-how."""
    if (_ASKS.search(title) or _asks_in_description(title, description)
            or THING_WANTED.search(title)
            or _PERSON_WANTED.search(title) or _STAFF_WANTED.search(title)):
        return True
    text = f"{title}\n{description}"
    return bool(_TIME.search(text) and _BORROW.search(text))


# A place free for others to use: "Big hall seats 200, field with 2 pitches. Free for cluster
# events" (set 56), "Training room for 30 ... Free for local schools" (set 55). Only of a
# place: a twilight "free for local schools" costs nothing but is still know-how.
_FREE_FOR = re.compile(
    r"\bfree for (?:cluster|partnership|partner|local|other|nearby|visiting|community)"
    r" (?:schools?|events?|use|groups?|classes)\b"
    # "Hall plus a meeting room ..., free for training/INSET days" (set 61).
    r"|\bfree for (?:training|inset|meetings?|cpd|twilights?|courses?|conferences?)\b",
    re.IGNORECASE)
_PLACE = re.compile(r"\b(?:halls?|rooms?|fields?|pitch(?:es)?|spaces?|venues?|studios?"
                    r"|kitchens?|pools?|sites?|grounds)\b", re.IGNORECASE)


def provides_service(title: str, description: str = "") -> bool:
    """Whether an offer provides a service, a resource or staff time (not only know-how)."""
    if _PROVIDES.search(title) or _PROVIDES.search(description):
        return True
    text = f"{title}\n{description}"
    return bool(_FREE_FOR.search(text) and _PLACE.search(text))


# Substrings at least one of which every match of a pattern contains, once the text is
# case-folded: a cheap first pass (posts_with_stems), so each pattern reads only the fields
# that have one of its own stems. Per pattern, because one stem common in descriptions
# ("coach" in "instructional coaching") sent a fifth of all requests through every pattern.
_ASKS_STEMS = ("who d", "servic", "supplier", "contractor", "tradesm", "tradespeople", "traded",
               "interpreter", "translator", "buy ", "hire", "recommend ", "pay", "lend us",
               "loan of", "borrow", "could", "supply ", "looking for a", "tutor", "spare",
               "cover", "survey", "company", "firm", "provider", "agency", "trainer", "driver",
               "photographer", "electrician", "plumber", "roofer", "engineer", "technician",
               "caterer", "cleaner", "anyone have", "anyone got", "anyone know", "anybody have",
               "anybody got", "anybody know", "arborist", "tree surg", "lifeguard", "officer",
               "ewo")
_THING_STEMS = ("minibus", "coach", "tablet", "ipad", "laptop", "chromebook", "micro", "bot",
                "logger", "instrument", "ukulele", "costume", "tent", "bike", "hob", "hall",
                "venue")
_TIME_STEMS = ("week", "fortnight", "month", "term")
_BORROW_STEMS = ("share", "lend", "borrow", "cover", "paid", "pay", "someone", "anyone")
# The person-wanted pattern reads titles only; in descriptions "teacher" is everywhere.
_PERSON_STEMS = ("specialist", "teacher", "coach", "tutor", "instructor", "therapist",
                 "counsellor", "assessor", "clerk", "driver", "technician", "trainer")
_STAFF_STEMS = ("cover", "secondment", "staff", "leader", "long", "fixed", "maternity",
                "interim")
_PROVIDE_STEMS = ("hire", "available", "letting", "spare", "capacity", "lend", "loan", "buy",
                  "host", "slot", "can be used", "use of our", "supply pool", "interpret",
                  "translat", "borrow", "free", "away", "donat", "charge", "at cost", "rate",
                  "fee", "speaking", "bilingual", "cover", "(paid)", "speak", "other school",
                  "another school", "cost of", "nearby school", "local school", "your school",
                  "second school", "partner school", "welcome", "fire ", "other schools",
                  "can offer", "could offer", "happy to offer", "can do", "could do", "to do",
                  "carry out", "complete", "take on", "come to", "come out to", "share our",
                  "room for", "loved", "booked", "bookable")


def posts_with_stems(texts: Sequence[str], stems: Sequence[str], *,
                     fold: bool = True) -> list[int]:
    """Indices of the texts that contain any of the (case-folded) stems, in order.

    At national scale a pattern read over every post costs seconds, so posts are first
    searched for the stems with str.find over one case-folded text (C speed), and only those
    with a stem are read by the pattern. With ``fold=False`` the texts are searched as
    written, which is quicker still: stems are then tails that a capital cannot change
    ("eacher" finds "Teacher" and "teacher").
    """
    # Folded one by one: folding can change a text's length ("ß" -> "ss").
    folded = list(map(str.casefold, texts)) if fold else texts
    text = "\0".join(folded)
    # Where each post's text ends (its separator's position), to map a hit to its post.
    ends = np.cumsum(np.fromiter(map(len, folded), dtype=np.int64, count=len(folded)) + 1)
    hits: list[int] = []
    for stem in stems:
        at = text.find(stem)
        while at >= 0:
            hits.append(at)
            at = text.find(stem, at + 1)
    return np.unique(np.searchsorted(ends, hits, side="right")).tolist()


def service_flags(titles: Sequence[str], descriptions: Sequence[str], *,
                  requests: bool, tags: Sequence[Sequence[str]] | None = None) -> np.ndarray:
    """asks_for_service (requests=True) or provides_service per post, as a boolean array
    (the same answers, with each pattern reading only the fields that have one of its stems).

    Tags, when given, are read as a last line of the description: an offer titled "15 iPads
    for a term" and tagged "loan" lends them.
    """
    if tags is not None:
        descriptions = [f"{d}\n{', '.join(t)}" if t else d
                        for d, t in zip(descriptions, tags, strict=True)]
    flags = np.zeros(len(titles), dtype=bool)
    if not requests:
        texts = [f"{t}\n{d}" for t, d in zip(titles, descriptions, strict=True)]
        for i in posts_with_stems(texts, _PROVIDE_STEMS):
            flags[i] = provides_service(titles[i], descriptions[i])
        return flags
    # Folded once: folding can change a text's length ("\u00df" -> "ss"), so each is folded
    # whole and the stems are searched in the folded texts.
    low_titles = [t.casefold() for t in titles]
    low_descriptions = [d.casefold() for d in descriptions]
    for fields, low, pattern, stems in (
            (titles, low_titles, _ASKS, _ASKS_STEMS),
            (titles, low_titles, THING_WANTED, _THING_STEMS),
            (titles, low_titles, _PERSON_WANTED, _PERSON_STEMS),
            (titles, low_titles, _STAFF_WANTED, _STAFF_STEMS)):
        for i in posts_with_stems(low, stems, fold=False):
            flags[i] = flags[i] or pattern.search(fields[i]) is not None
    for i in posts_with_stems(low_descriptions, _ASKS_STEMS, fold=False):
        if not flags[i]:
            flags[i] = _asks_in_description(titles[i], descriptions[i])
    # Time by the week asked for as a loan, a share or paid cover: both must appear.
    low_texts = [f"{t}\n{d}" for t, d in zip(low_titles, low_descriptions, strict=True)]
    for i in posts_with_stems(low_texts, _TIME_STEMS, fold=False):
        if not flags[i] and any(stem in low_texts[i] for stem in _BORROW_STEMS):
            text = f"{titles[i]}\n{descriptions[i]}"
            flags[i] = bool(_TIME.search(text) and _BORROW.search(text))
    return flags


# A title asking for a session for parents ("Phonics workshop for parents", "Online safety
# evening for parents") wants someone to speak to parents: staff training on the topic does
# not meet it. On the read sets 25 of the 26 offers judged to fit such a request mention
# parents or families (the other answers a request that only mentions families in passing).
# A parents' evening is not such a session: an interpreter for one is a service request.
_FOR_PARENTS = re.compile(
    r"\b(?:workshops?|evenings?|sessions?|talks?|courses?|classes|meetings?|cafe"
    r"|coffee mornings?|information|info)(?: [a-z]+)? (?:for|with) (?:our |the )?"
    r"(?:new |reception |rec |nursery |eyfs |ks1 |ks2 |y[1-6] |year [1-6] )?"
    r"(?:parents|families|carers|mums|dads)\b"
    r"|\bparents?(?:'|\u2019)?s? (?:workshops?|sessions?|talks?|courses?|classes"
    r"|information sessions?|info sessions?|cafe|coffee mornings?)\b"
    # The topic between: "Parent maths workshop", "Parents' phonics session".
    r"|\bparents?(?:'|\u2019)?s? (?:[a-z]+ ){1,2}(?:workshops?|sessions?|talks?|courses?"
    r"|classes|cafe)\b"
    r"|\bfamily (?:workshops?|learning|mornings?|afternoons?)\b"
    # Parents who need to learn something themselves: "Parents don't know how to help with
    # reading", "Parents have no idea what kids are on". Every graded fit for such a title
    # is for parents (sets 1-54).
    r"|^\W*(?:our )?(?:parents|families|mums|dads|carers) (?:just )?(?:(?:don'?t|do not"
    r"|can'?t|cannot) (?:know|understand|get|help)|have no idea|struggle to help)\b",
    re.IGNORECASE,
)
_PARENT_WORDS = re.compile(
    r"\b(?:parents?|parental|families|family|carers?|mums?|dads?|grown-ups)\b", re.IGNORECASE)
_PARENT_STEMS = ("parent", "famil", "carer", "mum", "dad", "grown-up")


def for_parents(titles: Sequence[str]) -> np.ndarray:
    """Per request: its title asks for a session for parents (a boolean array)."""
    flags = np.zeros(len(titles), dtype=bool)
    for i in posts_with_stems(titles, _PARENT_STEMS):
        flags[i] = _FOR_PARENTS.search(titles[i]) is not None
    return flags


# A request naming staff as who it is for ("Online safety training for staff", "Zones of
# Regulation for lunchtime staff") and never parents: a session for parents does not meet it.
_STAFF_AUDIENCE = re.compile(
    r"\b(?:staff|inset|teachers|tas|colleagues|governors|mdsas?|lunchtime supervisors)\b",
    re.IGNORECASE)
_STAFF_AUDIENCE_STEMS = ("staff", "inset", "teachers", "tas", "colleagues", "governors",
                         "mdsa", "lunchtime supervisor")


def for_staff(titles: Sequence[str], descriptions: Sequence[str],
              tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per request: it names staff as its audience and never parents, families or carers."""
    texts = _post_texts(titles, descriptions, tags)
    return (says(texts, _STAFF_AUDIENCE, _STAFF_AUDIENCE_STEMS)
            & ~says(texts, _PARENT_WORDS, _PARENT_STEMS))


# An offer's title joining a session for parents to something else ("Reception transition -
# visits & parent workshops") offers more than the session.
_JOINED = re.compile(r"[&+,/]|\b(?:and|plus)\b", re.IGNORECASE)


# What a session comes with ("Phonics parent workshop - slides & handouts") is part of it.
_SESSION_MATERIALS = re.compile(
    r"\W+(?:(?:our|the|ready-made|editable|free)\s+)?(?:slides|handouts?|resources|materials"
    r"|powerpoint|ppt|script|templates?)(?:\s*(?:[&+,/]|and)\s*(?:slides|handouts?|resources"
    r"|materials|powerpoint|ppt|script|templates?))*\W*$", re.IGNORECASE)


def parents_only(titles: Sequence[str]) -> np.ndarray:
    """Per offer: its title is a session for parents and nothing else joined to it."""
    flags = for_parents(titles)
    for i in np.flatnonzero(flags).tolist():
        flags[i] = _JOINED.search(_SESSION_MATERIALS.sub("", titles[i])) is None
    return flags


def mentions_parents(titles: Sequence[str], descriptions: Sequence[str],
                     tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per offer: its title, description or tags mention parents, families or carers."""
    return says(_post_texts(titles, descriptions, tags), _PARENT_WORDS, _PARENT_STEMS)


def _post_texts(titles: Sequence[str], descriptions: Sequence[str],
                tags: Sequence[Sequence[str]]) -> list[str]:
    return [f"{t}\n{d}\n{', '.join(g)}" for t, d, g in zip(titles, descriptions, tags,
                                                          strict=True)]


def says(texts: Sequence[str], pattern: re.Pattern[str], stems: Sequence[str]) -> np.ndarray:
    """Per text: ``pattern`` is found in it (only texts with one of ``stems`` are read)."""
    flags = np.zeros(len(texts), dtype=bool)
    for i in posts_with_stems(texts, stems):
        flags[i] = pattern.search(texts[i]) is not None
    return flags


# What an offer leaves to the other school. Offers of a pool slot or a minibus say who must
# come with it ("you bring your own instructor", "you need your own D1 / MiDAS driver"), and
# some say what they cannot do ("NB she can't do full diagnostic assessments"). A request
# whose title asks for just that person or that thing is not met by the offer.
_OWN = re.compile(r"\b(?:bring|need|have|provide|supply|use)s? (?:your|their) own "
                  r"([^.,;:!?()\n]+)", re.IGNORECASE)
_CANNOT = re.compile(r"\b(?:can't|can\u2019t|cannot|can not|unable to|not able to) "
                     r"(?:do|offer|provide|deliver|run|carry out|take on) "
                     # What it cannot do ends at a dash too: "She can't do supervision -
                     # that has to be an EP".
                     r"((?:(?:any|full|a|an)\s+)*)([^.,;:!?()\n]+?)"
                     r"(?=\s+[-\u2013]\s|[.,;:!?()\n]|$)", re.IGNORECASE)
# Words naming who or what comes with an offer, grouped so that a "swimming teacher" wanted
# meets "bring your own instructor".
_ROLES = {"teacher": 1, "instructor": 1, "lifeguard": 2, "driver": 4, "midas": 4, "d1": 4,
          "transport": 8, "staff": 16}
_WORD = re.compile(r"[a-z0-9]+")
# Tails of those words (and of "D1" and "MiDAS" as written), capitalised or not: only the
# titles with one are read word by word.
_ROLE_TAILS = ("eacher", "EACHER", "nstructor", "ifeguard", "river", "RIVER", "idas", "iDAS",
               "IDAS", "d1", "D1", "ransport", "taff")
_NEEDED_TAILS = ("eacher", "nstructor", "ifeguard", "river", "idas", "iDAS", "IDAS", "d1",
                 "D1")
# A description saying which person the school needs, within a few words of the verb (not
# "staff", which "we need staff training" names as the audience).
_NEEDS_ROLE = re.compile(
    r"\b(?:need|needs|needed|looking for|require|required)\b(?: [\w/-]+){0,3}? "
    r"((?:teacher|instructor|lifeguard|driver|midas|d1)s?)\b", re.IGNORECASE)
# A title saying the school already has the person ("we have an instructor") wants the rest.
_HAVE = re.compile(r"\b(?:we have|we've got|we\u2019ve got|have our own|our own)\b",
                   re.IGNORECASE)
# Tails of the cues, so that one search finds them capitalised or not: "r own" is in "your
# own" and "Their own" (plain "own" is inside "down" and "town"), "an't" in "Can't".
_UNMET_TAILS = ("r own", "an't", "an\u2019t", "annot", "an not", "nable to", "ot able to")
_FILLER = frozenset(["the", "a", "an", "of", "for", "to", "with", "in", "on", "our", "your",
                     "their", "other", "schools", "school", "any", "all", "more", "some",
                     "them", "her", "him", "it", "this", "that", "these", "those"])


# A lifeguard asked for ("Lifeguard cover for our pool", "Lifeguard"; wanted_roles): an offer
# that names none, such as spare places in another school's swimming, cannot meet it (sets 44
# and 59, where no offer fits either request).
LIFEGUARD = _ROLES["lifeguard"]
_LIFEGUARD = re.compile(r"\b(?:lifeguards?|nplq|rlss)\b", re.IGNORECASE)


def offers_a_lifeguard(titles: Sequence[str], descriptions: Sequence[str],
                       tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per offer: its words name a lifeguard (or the lifeguard qualification)."""
    texts = [f"{t}\n{d}\n{', '.join(g)}" for t, d, g in zip(titles, descriptions, tags,
                                                           strict=True)]
    return says(texts, _LIFEGUARD, ("lifeguard", "nplq", "rlss"))


def _words(text: str) -> list[str]:
    # Plural endings folded the simple way: enough to meet "assessments" with "assessment".
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in _WORD.findall(text.casefold())]


def _role_bits(text: str) -> int:
    bits = 0
    for word in _WORD.findall(text.casefold()):
        bits |= _ROLES.get(word, 0) | _ROLES.get(word[:-1] if word.endswith("s") else word, 0)
    return bits


def wanted_roles(titles: Sequence[str], descriptions: Sequence[str] | None = None,
                 ) -> np.ndarray:
    """Per request: the people or things its title names, or its description says it needs
    ("Need a qualified swimming teacher"), as bits of _ROLES (0 if none)."""
    out = np.zeros(len(titles), dtype=np.int64)
    for i in posts_with_stems(titles, _ROLE_TAILS, fold=False):
        if not _HAVE.search(titles[i]):
            out[i] = _role_bits(titles[i])
    if descriptions is not None:
        for i in posts_with_stems(descriptions, _NEEDED_TAILS, fold=False):
            for m in _NEEDS_ROLE.finditer(descriptions[i]):
                out[i] |= _role_bits(m.group(1))
    return out


def unmet_by_offers(titles: Sequence[str], descriptions: Sequence[str],
                    ) -> dict[int, tuple[int, list[frozenset[str]]]]:
    """The offers that leave something to the other school, by index: (the roles they
    leave to it, the things they say they cannot do, each as its set of words)."""
    texts = [f"{t}\n{d}" for t, d in zip(titles, descriptions, strict=True)]
    out: dict[int, tuple[int, list[frozenset[str]]]] = {}
    for i in posts_with_stems(texts, _UNMET_TAILS, fold=False):
        roles = 0
        for m in _OWN.finditer(texts[i]):
            roles |= _role_bits(m.group(1))
        cannot = []
        for m in _CANNOT.finditer(texts[i]):
            words = frozenset(w for w in _words(m.group(2)) if w not in _FILLER)
            if any(len(w) >= 5 for w in words):
                cannot.append(words)
        if roles or cannot:
            out[i] = (roles, cannot)
    return out


def unmet(title: str, roles: int, wanted: int, cannot: Sequence[frozenset[str]]) -> bool:
    """Whether a request titled ``title`` (naming ``wanted`` roles) asks for what an offer
    leaves to it (``roles``) or says it cannot do (``cannot``)."""
    if wanted & roles:
        return True
    if not cannot:
        return False
    words = set(_words(title))
    return any(c <= words for c in cannot)


# A request for a person ("share a sports coach", "looking for a coach to deliver KS1 PE") is
# not met by a field, a hall or books with nobody to come with them.
_PERSON_ASKED = re.compile(
    r"\b(?:coach|teacher|instructor|tutor|therapist|specialist|assessor|counsellor|trainer"
    r"|volunteer|speaker|interpreter|translator|driver|clerk|someone|somebody|person"
    r"|psychologist|ed psych|physio|provider|technician|officer|ewo)s?\b"
    # The therapists and psychologists schools buy, by their short names ("OT assessment -
    # 18 month wait", "EP time"), in capitals: "salt dough" is not a therapist.
    r"|\b(?-i:OTs?|EPs?|SALTs?)\b",
    re.IGNORECASE)
_PERSON_GIVEN = re.compile(
    r"\b(?:staff|teachers?|leads?|leaders?|coach(?:es|ing)?|instructors?|tutors?|specialists?"
    r"|tas?|hltas?|senco|head|headteacher|deputy|she|he|her|his|i|me|team|trainers?"
    r"|therapists?|counsellors?|assessors?|colleagues?|managers?|volunteers?|lifeguards?"
    r"|person|someone|people|speakers?|interpreters?|drivers?|clerk|practitioners?"
    # "Our family liaison worker speaks Arabic and Somali" (set 50).
    r"|workers?|liaison|mentors?|officers?|technicians?|ewos?)\b",
    re.IGNORECASE)


# Somewhere for a person to work ("Room for SALT sessions", set 49) asks for the room.
ROOM_FOR = re.compile(r"^\W*(?:a |an )?(?:spare |quiet |small )?(?:room|classroom|space|venue"
                       r"|somewhere)s? (?:for|to)\b", re.IGNORECASE)


def person_requests(titles: Sequence[str], service: np.ndarray) -> np.ndarray:
    """Per request: it asks for a service (``service``) and its title names a person, not
    somewhere for one to work."""
    return np.array([bool(s) and _PERSON_ASKED.search(t) is not None
                     and ROOM_FOR.search(t) is None
                     for t, s in zip(titles, service, strict=True)], dtype=bool)


# A request to be trained or shown how: its title asks for training, a refresher, a
# twilight, a visit or visits (of the 379 pairs of a "visits" title with things or documents
# sent alone, none was judged a fit, sets 1-57: "Reading dog visits" is not met by old guided
# reading sets) or to see the practice in a classroom ("RWI refresher for whole staff",
# "Want to see teaching for mastery in a real classroom"), or its description asks someone
# to run a session ("Looking for someone who's done it to run a twilight"). An occasion
# ("Venue for trust INSET", "Keynote for September INSET") is not training asked for.
_SHOWN_TITLE = re.compile(
    r"\b(?:training|train|refresher|cpd|twilight|staff meeting|come in and|show (?:us|them|our"
    r"|me)|visits?|model(?:led|ling)?)\b"
    r"|\b(?:see|watch) (?:[a-z]+ ){0,4}in (?:a |an |the )?(?:real |actual )?"
    r"(?:classrooms?|class|lessons?)\b"
    # Lessons or teaching to watch: "Watching maths mastery lessons elsewhere" (set 53) is not
    # met by manipulatives to borrow.
    # So is practice to see: "Reception - seeing continuous provision done well" (set 63) is
    # not met by free outdoor resources.
    r"|\b(?:watch|watching|see|seeing|observe|observing) (?:[a-z0-9-]+ ){0,4}"
    r"(?:lessons?|teaching|done well|in action|in practice|working well)\b"
    # An audit is someone coming to look: "Reading for pleasure audit" (set 54) is not met by
    # book boxes to borrow; every graded fit for an audit title sends someone (sets 15-54).
    r"|\baudits?\b(?! (?:tools?|templates?|toolkits?|forms?|checklists?)\b)",
    re.IGNORECASE)
_SHOWN_DESCRIPTION = re.compile(
    r"\b(?:twilight|staff meeting|(?:run|deliver|lead|do) (?:a |an |some )?(?:training|twilight"
    r"|cpd|inset|staff meeting)|come in and (?:train|show|model|talk))\b"
    r"|\b(?:see|watch) (?:it|how|what it looks like)(?: [a-z]+){0,4} in (?:a |an |the )?"
    r"(?:real |actual )?(?:classrooms?|class|lessons?)\b"
    # Someone to come and do it: "Anyone know someone who does drama workshops in school?"
    r"|\bsomeone who (?:does|runs|delivers|leads|could|can|would)\b",
    re.IGNORECASE)
_SHOWN_STEMS = ("train", "refresher", "cpd", "twilight", "staff meeting", "come in and",
                "show ", "visit", "model", "see ", "watch", "seeing", "observ", "someone who",
                "audit")


def asks_to_be_shown(titles: Sequence[str], descriptions: Sequence[str]) -> np.ndarray:
    """Per request: it asks for training, a visit or a session run for its staff."""
    flags = np.zeros(len(titles), dtype=bool)
    texts = [f"{t}\n{d}" for t, d in zip(titles, descriptions, strict=True)]
    for i in posts_with_stems(texts, _SHOWN_STEMS):
        flags[i] = (_SHOWN_TITLE.search(titles[i]) is not None
                    or _SHOWN_DESCRIPTION.search(descriptions[i]) is not None)
    return flags


# Things lent or given away ("Free to a good home: RWI book bag books", "Sensory equipment
# to lend"); with nobody named to come with them, they teach nobody.
_GIVES_THINGS = re.compile(
    r"\b(?:lend|lends|lending|loan|loans|borrow|free to|give away|giving away|donat\w*"
    r"|spare)\b", re.IGNORECASE)
_GIVES_STEMS = ("lend", "loan", "borrow", "free to", "give away", "giving away", "donat",
                "spare")


def things_alone(titles: Sequence[str], descriptions: Sequence[str],
                 tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per offer: it lends or gives things and names nobody to come with them."""
    flags = says(_post_texts(titles, descriptions, tags), _GIVES_THINGS, _GIVES_STEMS)
    chosen = np.flatnonzero(flags).tolist()
    if chosen:
        people = offers_a_person([titles[i] for i in chosen], [descriptions[i] for i in chosen],
                                 [tags[i] for i in chosen])
        flags[chosen] = ~people
    return flags


# Documents to send ("Filtering & monitoring annual check template", "Relational behaviour
# policy") with nobody named to run, show or talk anything through: for a request to be
# trained or shown how they are no fit. Across sets 1-54, of 1,308 such pairs with a request
# to be trained or shown, two were judged partial fits and none a strong one.
_DOCUMENT_TITLE = re.compile(
    r"\b(?:templates?|packs?|checklists?|slides|handouts?|policy|policies|documents?|toolkit"
    r"|spreadsheet|proformas?|pro-formas?)\b", re.IGNORECASE)
_DOCUMENT_STEMS = ("template", "pack", "checklist", "slides", "handout", "polic", "document",
                   "toolkit", "spreadsheet", "proforma", "pro-forma")
_WITH_PEOPLE = re.compile(r"\b(?:visit|come|train|training|deliver|run|model|coach|session"
                          r"|twilight|observe|talk|call|meet|walk)", re.IGNORECASE)


def documents_only(titles: Sequence[str], descriptions: Sequence[str],
                   tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per offer: its title is documents to send and it names no session, visit or talk."""
    flags = says(titles, _DOCUMENT_TITLE, _DOCUMENT_STEMS)
    for i in np.flatnonzero(flags).tolist():
        flags[i] = _WITH_PEOPLE.search(f"{titles[i]}\n{descriptions[i]}") is None
    return flags


# An offer of seats on a coach ("Coach share for trips", "Spare seats on our swimming coach")
# names a vehicle, not a sports coach or a mentor.
_VEHICLE = re.compile(r"\bseats?\b|\bminibus|\bsplit the cost\b|\bcoach (?:hire|company|firm|cost)",
                      re.IGNORECASE)
_COACH = re.compile(r"\bcoach(?:es)?\b", re.IGNORECASE)


def offers_a_person(titles: Sequence[str], descriptions: Sequence[str],
                    tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per offer: its words name someone who could come with it (staff, a lead, she...)."""
    out = np.zeros(len(titles), dtype=bool)
    for i, (t, d, g) in enumerate(zip(titles, descriptions, tags, strict=True)):
        text = f"{t}\n{d}\n{', '.join(g)}"
        if _VEHICLE.search(text):
            text = _COACH.sub(" ", text)
        out[i] = _PERSON_GIVEN.search(text) is not None
    return out


# A title asking for governors to join the board ("Four governor vacancies", "Governor
# with a finance background", "Governor recruitment"), not a clerk to the governors.
_GOVERNORS_WANTED = re.compile(
    r"\bgovernors? vacanc|\bvacanc\w* (?:on|for) (?:the|our) (?:governing )?board"
    r"|\bgovernors? recruitment\b|(?<!safer )\brecruit\w* (?:new |more |\w+ )?governors?\b"
    r"|\bfind(?:ing)? (?:new |more |\w+ )?governors?\b"
    r"|(?<!to )(?<!to the )\bgovernors? (?:wanted|needed)\b"
    r"|\bgovernors? with (?:a |an )?(?:\w+ ){0,2}(?:background|skills|experience)\b",
    re.IGNORECASE)
# An offer about finding governors: recruitment, vacancies, where to advertise.
_RECRUITS_GOVERNORS = re.compile(
    r"\bgovernors?\W+(?:\w+\W+){0,2}?recruit|\brecruit\w*\W+(?:\w+\W+){0,2}?governors?\b"
    r"|\bgovernors? vacanc|\bfind(?:ing)? (?:new |more )?governors\b|\binspiring governance\b"
    r"|\bgovernors for schools\b|\bacademy ambassadors\b",
    re.IGNORECASE)


def asks_for_governors(titles: Sequence[str]) -> np.ndarray:
    """Per request: its title asks for governors to join the board (a boolean array). Every
    graded fit for such a request is about finding governors (sets 10-48); governor training
    or an induction pack finds nobody."""
    return says(titles, _GOVERNORS_WANTED, ("govern",))


def recruits_governors(titles: Sequence[str], descriptions: Sequence[str],
                       tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per offer: it is about finding governors (recruitment, vacancies)."""
    texts = _post_texts(titles, descriptions, tags)
    return says(texts, _RECRUITS_GOVERNORS, ("govern", "academy ambassadors"))



# A title asking for drivers to be trained or assessed ("MiDAS", "MiDAS training for 2 staff",
# "Minibus driver training needed (MiDAS)"), not for a driver ("Minibus driver with MiDAS").
_DRIVER_TRAINING_WANTED = re.compile(
    r"^\W*midas\W*$"
    r"|^(?=.*\b(?:midas|driver|driving)\b).*\b(?:midas|driver|driving)\W+(?:\w+\W+){0,3}?"
    r"(?:training|trained|assessments?|assessors?|course|test)\b"
    r"|^\W*midas\W+(?:\w+\W+){0,2}?(?:training|trained|assessments?|assessors?|course)\b",
    re.IGNORECASE)
# An offer that trains or assesses drivers: "MiDAS minibus driver training", "our site
# manager is a MiDAS trainer", "we host a MiDAS minibus driver assessment".
_TRAINS_DRIVERS = re.compile(
    r"\bmidas\W+(?:\w+\W+){0,3}?(?:training|trainers?|assessments?|assessors?|course)\b"
    r"|\b(?:driver|driving)\W+(?:training|assessments?|course|test)\b"
    r"|\bmidas (?:trainer|assessor)s?\b"
    r"|\b(?:train|training|assess|assessing)(?: and (?:train|assess))? (?:\w+ ){0,3}"
    r"(?:drivers?|to drive)\b",
    re.IGNORECASE)


def asks_for_driver_training(titles: Sequence[str]) -> np.ndarray:
    """Per request: its title asks for minibus drivers to be trained or assessed. Every
    graded fit for such a request trains or assesses drivers (sets 11-49); a minibus to
    borrow, even with a MiDAS-trained driver, trains nobody."""
    return says(titles, _DRIVER_TRAINING_WANTED, ("midas", "river", "riving"))


def trains_drivers(titles: Sequence[str], descriptions: Sequence[str],
                   tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per offer: it trains or assesses minibus drivers."""
    return says(_post_texts(titles, descriptions, tags), _TRAINS_DRIVERS,
                 ("midas", "river", "riving"))


# A residential asked for ("Join someone's residential?", "Y6 residential for 11 children"):
# every graded fit on the read sets names one, or the nights, the centre or the camp, except
# one partial fit of shared coach costs (set 41). Spare seats on a coach for a day trip are
# not a residential (set 61). Transport for one ("Borrow a minibus for the residential") is
# the thing asked for, not the residential.
_RESIDENTIAL = re.compile(
    r"^(?!.*\b(?:minibus(?:es)?|coach(?:es)?|bus(?:es)?|transport|travel)\b).*\bresidentials?\b",
    re.IGNORECASE)
_OFFERS_RESIDENTIAL = re.compile(
    r"\b(?:residentials?|overnights?|camp(?:s|ing)?|pgl|(?:outdoor|activity|adventure"
    r"|field studies) (?:education |activity )?(?:cent(?:re|er)s?|weeks?)|nights?|sleepovers?"
    r"|youth hostels?|yha|bunks?|beds|trips? away|away from home|outward bound"
    r"|kingswood|robinwood|fsc)\b", re.IGNORECASE)


def asks_for_residential(titles: Sequence[str]) -> np.ndarray:
    """Per request: its title names a residential trip, and no transport for one."""
    return says(titles, _RESIDENTIAL, ("residential",))


def offers_a_residential(titles: Sequence[str], descriptions: Sequence[str],
                         tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per offer: its words name a residential trip, its nights or where it stays."""
    texts = _post_texts(titles, descriptions, tags)
    return says(texts, _OFFERS_RESIDENTIAL, ("residential", "overnight", "camp", "pgl",
                                             "outdoor", "activity", "adventure", "field stud",
                                             "night", "sleep", "hostel", "yha", "bunk", "beds",
                                             "away", "outward", "kingswood",
                                             "robinwood", "fsc"))


# A space lent (a hall or a room whose title says so) meets a request that mentions a space,
# a place to hold something or an event: every graded fit of such an offer on the read sets
# does (51 of 51), and without one it is only a shared topic ("Sketchbooks staff meeting" and
# a hall for INSET days, "Cleaning contract" and a hall for evening events; set 61). Lettings
# advice and visits to a place of worship are not spaces lent.
_MENTIONS_SPACE = re.compile(
    r"\b(?:halls?|rooms?|spaces?|venues?|pitch(?:es)?|fields?|sites?|somewhere|places? to"
    r"|indoors?|host(?:ing)?|studios?|stages?|kitchens?|classrooms?|theatres?|auditorium"
    r"|facilit\w*|premises|buildings?|seat(?:s|ing)?|lettings?|hire|book(?:ing)?"
    r"|sports days?|festivals?|tournaments?|events?|competitions?|performances?|concerts?"
    r"|shows?)\b", re.IGNORECASE)
_SPACE_STEMS = ("hall", "room", "space", "venue", "pitch", "field", "site", "somewhere", "place",
                "indoor", "host", "studio", "stage", "kitchen", "theatre", "auditorium",
                "facilit", "premises", "building", "seat", "letting", "hire", "book",
                "sports day", "festival", "tournament", "event", "competition", "performance",
                "concert", "show")
_NOT_LENT_SPACE = re.compile(r"\blettings?\b|\bvisits?\b", re.IGNORECASE)


def mentions_a_space(titles: Sequence[str], descriptions: Sequence[str],
                     tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per request: its words mention a space, a place to hold something or an event."""
    return says(_post_texts(titles, descriptions, tags), _MENTIONS_SPACE, _SPACE_STEMS)


def lends_a_space(titles: Sequence[str], descriptions: Sequence[str],
                  tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per offer (one whose title names a space): it lends, hires out or gives the space
    (service_flags), and is not lettings advice or a visit."""
    flags = service_flags(titles, descriptions, requests=False, tags=tags)
    for i in np.flatnonzero(flags).tolist():
        flags[i] = _NOT_LENT_SPACE.search(titles[i]) is None
    return flags
