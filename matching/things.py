"""Which things (or professionals' time) a request wants, and which an offer names.

A title that is a thing wanted ("Minibus for swimming", "iPads for EYFS", "transport to
fixtures", "space for Y6 production") asks for that thing. An offer that names nothing of
its kind cannot meet it, however close its topic: "swimming pool - spare slots" shares
swimming with "minibus for swimming" but has no minibus to lend. The matcher treats such a
pair as know-how offered for a service: listed lower and never suggested. Across the graded
sets every offer judged to fit such a request names a thing of the kind asked for. A
therapist, psychologist or counsellor wanted is read the same way (PROFESSIONALS).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from matching.needs import ROOM_FOR, THING_WANTED, posts_with_stems
from matching.wordgroups import NameGroups

__all__ = ["ALL_THINGS", "HIRED_KINDS", "PROFESSIONALS", "SPACE", "THINGS", "VEHICLE",
           "kind_names",
           "lent_kinds", "lent_thing_masks", "offered_things", "says_free", "sought_things",
           "thing_masks", "wanted_things"]

# Kinds of thing lent or shared between schools, one group each, matched as whole words
# with a plural "s". A vehicle is also met by an offer of "transport" or of a vehicle with
# its driver, but not by a driver alone ("Minibus driver - our site manager").
THINGS: tuple[tuple[str, ...], ...] = (
    ("minibus", "minibuses", "coach", "coaches", "bus", "buses", "transport", "vehicle",
     "driver"),
    ("tablet", "ipad", "laptop", "chromebook", "device", "computer", "micro:bit", "microbit",
     "micro bit", "bee-bot", "beebot", "bee bot"),
    ("microscope", "data logger", "datalogger", "science kit", "science equipment"),
    ("instrument", "ukulele", "uke", "glockenspiel", "violin", "recorder", "drum",
     "keyboard", "guitar", "djembe", "samba", "percussion", "brass", "steel pan", "cello",
     "clarinet", "flute"),
    ("costume", "dressing up", "dressing-up", "props", "wardrobe"),
    ("tent", "camping", "camp"),
    ("bike", "bicycle", "balance bike", "cycle", "bikeability", "scooter"),
    ("hob", "cooker", "oven", "kitchen", "cooking", "food tech"),
    ("hall", "venue", "space", "room", "stage", "staging", "theatre", "studio", "church",
     "auditorium", "spare classroom", "empty classroom", "classroom space"),
    # Not bare "chairs" or "tables": chairs of governors, times tables.
    ("furniture", "tables and chairs", "tables & chairs", "tables + chairs", "chairs and tables",
     "chairs & tables", "chairs + tables", "tables/chairs", "chairs/tables",
     "desks", "shelving", "bookcase", "bookshelves", "spare chair", "stacking chair",
     "hall chair", "classroom chair", "spare table", "folding table", "trestle table",
     "furnish", "furnishing"),
    # Sound for a show: "Sound desk & radio mics to borrow" is not met by a hall.
    ("sound desk", "sound system", "pa system", "radio mic", "microphone", "mixing desk"),
    # Sensory kit for a child: "wobble cushions anyone?" is not met by a sensory circuits visit
    # (set 53); every graded fit for ear defenders or wobble cushions names them (sets 42-53).
    ("ear defender", "wobble cushion", "fidget", "fidget toy", "weighted lap pad",
     "weighted blanket", "writing slope", "chewy tube", "chew toy", "sensory equipment",
     "sensory kit", "sensory resources", "sensory items", "sensory bits", "sensory toys",
     "move n sit"),
    # Lights for a show: "Stage lighting for summer show" is not met by costumes and staging
    # blocks (set 52).
    ("stage lighting", "stage light", "stage lamp", "lighting rig", "lighting desk",
     "theatre lighting", "spotlight", "spot light"),
    # A building to take away: a hall to borrow for an evening does not meet it.
    ("portakabin", "mobile classroom", "temporary classroom", "modular classroom",
     "modular building", "portable classroom", "portable building"),
    # Books that are phonically decodable. Old book-banded or reading-scheme books (Oxford
    # Reading Tree, guided reading sets) are not, and a phonics kit is not a book: every
    # graded fit for a request for decodable books names decodable or phonics books, or a
    # scheme's decodable series: Read Write Inc. Book Bag Books, Floppy's Phonics and
    # Songbirds (sets 58 and 59).
    ("decodable", "phonics book", "phonics reading book", "phonics reader", "book bag book",
     "floppy's phonics", "floppys phonics", "floppy\u2019s phonics", "songbirds",
     "big cat phonics", "phonics bug", "bug club phonics", "dandelion reader",
     "rhino reader"),
    # Kit for teaching electricity: microscopes and data loggers do not meet "Electricity
    # kits Y4/Y6" (sets 21 and 25); every graded fit names circuit or electricity kits.
    ("circuit", "circuits kit", "electricity kit", "electrical kit", "buzzer"),
    # A kiln to fire pupils' clay. Every graded fit for "Kiln?" or "Clay tiles - no kiln!"
    # names a kiln (sets 11-36); books and planning about clay do not fire anything.
    ("kiln", "nowhere to fire", "clay firing"),
    # Someone to look after a school's own kiln: "kiln safety check", "Old kiln - take it
    # away?", "kiln - how to use it" are not met by an offer to fire pupils' clay (sets 19, 20
    # and 46); every such request across the graded sets has no fit.
    ("kiln engineer", "kiln technician", "kiln servicing", "kiln service", "kiln repair",
     "kiln safety", "kiln disposal"),
    # An inflatable planetarium: a science kit loan does not meet "space dome" (set 38); the
    # graded fit on set 39 names the dome.
    ("planetarium", "space dome", "star dome", "planetarium dome", "inflatable dome"),
    # Books to take or borrow: "Books for our KS2 class libraries please!" is not met by
    # advice on running a library that gives none (set 38).
    ("books",),
    # Uniform and kit to give to families: "any spare uniform/PE kit?" is not met by a sports
    # coach (set 45); every graded fit for spare uniform names uniform.
    ("uniform", "pe kit"),
    # Chess sets to play on: a chess coach does not give "Chess sets x15" any (set 46).
    ("chess set", "chess board", "chessboard"),
    # Somewhere to store things outside: "Storage for PE kit" is met by a container or shed,
    # not by gym mats or a PE course (sets 47 and 48).
    # Not a bare "shed": Spelling Shed.
    ("storage", "shipping container", "storage container", "container", "storage shed",
     "garden shed", "outbuilding"),
    # Gazebos for a fair: pre-loved uniform given away does not meet "Gazebos for summer fair"
    # (set 57); every graded fit for a gazebo title names gazebos (sets 28-57).
    ("gazebo", "marquee", "pop up gazebo", "pop-up gazebo"),
    # Heaters for a cold classroom: a meeting room does not meet "Heaters" (set 58).
    ("heater", "oil-filled heater", "oil filled heater", "oil-filled radiator",
     "oil filled radiator", "portable heater", "fan heater", "electric heater"),
)

_NAMES = NameGroups(THINGS, plural=True)


def _kinds(*first_names: str) -> int:
    """The bits of THINGS of the kinds whose first name is given."""
    return sum(1 << i for i, names in enumerate(THINGS) if names[0] in first_names)


# Every kind's bit (not the professionals after them).
ALL_THINGS = (1 << len(THINGS)) - 1
# The vehicle kind's bit (a minibus, a coach, transport).
VEHICLE = _kinds("minibus")
# The space kind's bit (a hall, a venue, a room to meet or teach in).
SPACE = _kinds("hall")
_BOOKS = _kinds("books")
_KILN_CARE = _kinds("kiln engineer")
# A title about the school's own kiln rather than firing pupils' work.
_KILN_CARE_WANTED = re.compile(
    r"\bkilns?\b.*?\b(?:servic\w*|repairs?|engineers?|safety|check(?:ed)?|how to use"
    r"|take (?:it|them) away|dispos\w*|get rid)\b"
    r"|\b(?:servic\w*|repairs?|safety|dispos\w*)\b.*?\bkilns?\b",
    re.IGNORECASE)

# Professionals whose time a school buys or shares, one group each, after THINGS' bits: a
# speech and language therapist, an educational psychologist, an occupational therapist, a
# counsellor or play therapist. Every graded fit for a request naming one as the person
# wanted ("Speech therapist to assess 6 children", "EP time", "School counsellor / play
# therapist to share") names one of the same kind (sets 8-39); intervention packs, Makaton
# training or a mental health action plan assess and counsel nobody. The short forms count
# only in capitals: "salt dough", "ot" and "ep" are not them.
PROFESSIONALS: tuple[tuple[str, str], ...] = (
    ("speech and language therapist",
     r"\bspeech(?: (?:and|&) language)? therap(?:ist|y)s?\b|\b(?-i:SALTs?)\b"),
    ("educational psychologist",
     r"\b(?:educational )?psychologists?\b|\bed\.? psych\b|\b(?-i:EPs?)\b"),
    ("occupational therapist", r"\boccupational therap(?:ist|y)s?\b|\b(?-i:OTs?)\b"),
    ("counsellor", r"\bcounsell?(?:ors?|ing)\b|\bplace2be\b"
     r"|\b(?:play|art|drama|music|psycho) ?therap(?:ist|y)s?\b"),
    # A surveyor of the building ("Asbestos surveyor?", set 63) is not met by a colleague's
    # health and safety know-how.
    ("surveyor", r"\bsurveyors?\b"),
)
_PRO = [re.compile(pattern, re.IGNORECASE) for _, pattern in PROFESSIONALS]
# Tails of the names as written, so a plain search finds the few posts to read.
_PRO_TAILS = ("herap", "HERAP", "ounsel", "OUNSEL", "sycholog", "SYCHOLOG", "d psych",
              "d Psych", "D PSYCH", "d. psych", "SALT", "EP", "OT", "lace2", "urveyor",
              "URVEYOR")
# A title naming one as the person wanted, not the school's situation ("SALT waiting list
# is 18 months", "OT says sensory diet - now what?") or training, resources or ideas for
# its own staff ("SALT TA training", "SALT resources for TA-led interventions").
_PRO_WANTED = re.compile(
    r"^(?!.*\b(?:train|training|trained|upskill|resources?|ideas?|strategies|interventions?"
    r"|how|what can|advice|meantime)\b)"
    r".*?(?:\b(?:speech(?: (?:and|&) language)?|play|art|drama|music|occupational) therapists?\b"
    r"|\bcounsell?ors?\b|\b(?:educational )?psychologists?\b|\bed\.? psych\b|\bsurveyors?\b"
    r"|\b(?-i:SALTs?|EPs?|OTs?)\b"
    r"(?! (?:waiting|wait|list|caseload|report|says|said|discharged|referral|advice))(?!\W*$)"
    # Ending the title is the topic ("SALT"), unless said to be hired ("Independent SALT").
    r"|\b(?:independent|private|traded|locum|freelance|an?|another) (?-i:SALTs?|EPs?|OTs?)\b)",
    re.IGNORECASE)


# A professional named for what the offer is not ("resources only, not an assessment or SALT
# service") is not offered.
_NOT_PRO = re.compile(
    r"\b(?:not|no|isn'?t|aren'?t|can'?t|cannot|without)\b[^.;:!?\n]{0,40}?"
    r"(?:\w*therap\w*|counsell?\w*|\w*psycholog\w*|\bed\.? psych\b|\b(?-i:SALTs?|EPs?|OTs?)\b)",
    re.IGNORECASE)


def _professionals(text: str) -> int:
    """The professionals a text names, as bits after THINGS'."""
    return sum(1 << (len(THINGS) + k) for k, pattern in enumerate(_PRO) if pattern.search(text))

# Titles that open with transport, devices or a space wanted for something, a minibus with
# its driver, a class set of something, or name only the thing: things too, though not
# read as asking for a service (needs.THING_WANTED is).
_MORE_WANTED = re.compile(
    r"^\W*(?:transport|devices?|space) (?:for|to|needed|wanted)\b"
    # "minibus + driver for swimming", "Class set of laptops - summer term".
    r"|^\W*(?:a |an )?minibus(?:es)? (?:\+|&|and|with) (?:a |our |your )?driver\b"
    r"|^\W*(?:a )?class set of (?:[a-z0-9:-]+ )?(?:tablets?|ipads?|laptops?|chromebooks?"
    r"|micro:? ?bits?|bee-? ?bots?|microscopes?|data ?loggers?|instruments?|ukuleles?|bikes?)\b"
    # The class set named first: "Bee-Bots class set", "iPad class set?".
    r"|^\W*(?:[a-z0-9:-]+ ){1,2}class sets?\b"
    # A title that is only the thing: "Minibus", "iPads", "Minibus loan", "Bee-Bots".
    r"|^\W*(?:a )?(?:minibus(?:es)?|ipads?|tablets?|laptops?|chromebooks?|bee-? ?bots?"
    r"|micro:? ?bits?|microscopes?|data ?loggers?)"
    r"(?: loan| hire| share| sharing)?\W*$"
    # A building: "Temporary classroom / portakabin".
    r"|^\W*(?:a |an )?(?:portakabins?|(?:temporary|mobile|modular|portable) "
    r"(?:classrooms?|buildings?))\b"
    # Sound kit for a show, wanted or to borrow: "Sound desk & radio mics to borrow".
    r"|^\W*(?:a |an )?(?:sound (?:desk|system)|pa system|radio mics?|microphones?"
    r"|mixing desk)\b"
    # Sensory kit: "Ear defenders & writing slopes", "Sensory bits for two ASC pupils".
    r"|^\W*(?:(?:some|any|spare|extra|more|new|a few) )?(?:ear defenders?|wobble cushions?"
    r"|fidgets?|fidget toys?|weighted (?:lap pads?|blankets?)|writing slopes?|chewy tubes?"
    r"|sensory (?:bits|equipment|kit|items|resources|toys))\b"
    # Lights for a show: "Stage lighting for summer show", "Spotlights to borrow".
    r"|^\W*(?:(?:some|any|spare|extra|more|our) )?(?:stage|show|theatre|spot) ?"
    r"(?:lighting|lights?)\b"
    # Furniture: "Tables & chairs - new class", "need tables + chairs for new class", "small
    # chairs + tables for reception class??".
    r"|^\W*(?:(?:need|needed|wanted|spare|extra|more|new|classroom|class|school|ks\d|small"
    r"|little|reception|eyfs|nursery|pupil|pupils'?|children'?s|single|double|y\d) ){0,2}"
    r"(?:furniture|tables? ?(?:and|&|\+|/) ?chairs|chairs? ?(?:and|&|\+|/) ?tables?|desks"
    r"|shelving)\b"
    # "Furnishing a new classroom".
    r"|^\W*(furnishing|furnish) (?:a |an |our |the )?(?:new |extra |bulge )?"
    r"(?:class(?:room)?|room|nursery|reception)\b"
    # A title that opens with the vehicle and says when or what for ("Minibus - 3 Weds in
    # March", "minibus fri 21st?"), not its driver, a course, or running one's own.
    r"|^\W*(?:a )?(minibus)(?:es)?\b(?![ -]*drivers?\b)"
    r"(?!.*\b(?:training|midas|policy|permits?|insurance|licen[cs]e|lease|leasing|servic\w*"
    r"|repairs?|risk|maintenance|section 19|funding|bid|grant|driving|sharing scheme)\b)"
    # Chess sets: "Chess sets x15", "chess boards?".
    r"|^\W*(?:\d+ )?(chess (?:sets?|boards?))\b"
    # A venue or a hall wanted, however the title goes on ("Venue - joint dance festival",
    # "Hall on Saturday mornings"), not one to let out, mend or fund.
    r"|^(?!.*\b(?:lettings?|letting|let out|rent out|floor|roof|refurb\w*|heating|policy"
    r"|income|repairs?|cif)\b)\W*(?:a |the )?(?:big |large |bigger |larger )?(venue|hall)s?"
    r"(?:\W+[-\u2013]|\s+(?:on|at|in|to hire|space|please|needed|wanted)\b)"
    # A room for something: "Room for SALT sessions" (set 49).
    r"|^\W*(?:a |an )?(?:spare |quiet |small )?(room|classroom space|space)s? (?:for|to)\b"
    # Storage outside: "Storage for PE kit", "Storage - PE store condemned".
    r"|^\W*(?:(?:outdoor|outside|extra|more|pe|spare) )?(storage)\b(?!\s+(?:of|policy|rules))"
    # Costumes named with what they are for: "nativity costumes!!", "WBD costumes?".
    r"|^\W*(?:[a-z0-9'-]+ ){0,3}costumes?(?: to borrow| needed| wanted| please)?\W*$"
    # Uniform for families: "Uniform for new arrivals" (set 63).
    r"|^\W*(?:(?:spare|preloved|pre-loved|second[- ]hand|some|any|school) ){0,2}"
    r"(uniform|pe kit)s? (?:for|needed|wanted|to borrow|please)\b"
    # Two kinds of device for something: "laptops or chromebooks for our computing suite".
    r"|^\W*(?:(?:some|spare|any|old) )?(?:laptops?|chromebooks?|ipads?|tablets?)"
    r" (?:or|and|&|/|\+) (?:laptops?|chromebooks?|ipads?|tablets?|devices?)"
    r" (?:for|needed|wanted)\b"
    # "Spare chairs for hall", "Stacking chairs needed".
    r"|^\W*(?:spare|extra|stacking|hall|classroom|folding|trestle) (?:chairs|tables)\b"
    r"|\b(?:needs?|wanted|want) (?:some |more |extra )?(?:classroom |class |ks\d )?furniture\b"
    # Decodable books wanted, anywhere in the title ("Phase 3/4 decodable books - any
    # spares?", "decodables needed - LW matched"), unless it asks how to run them.
    r"|^(?!.*\b(?:how|organi[sz]|advice|manag|system|audit|choos|which|track|polic|train"
    r"|cpd)).*?\b(decodables?|phonics (?:reading )?books?)\b"
    # Electricity kit: "Electricity kits Y4/Y6", "Y6 electricity kit", "Y4 circuits - broken".
    r"|^\W*(?:(?:y\d|year \d|ks\d|class|spare|more|some)\W+){0,2}"
    r"(?:electricity|electrical|circuits?) kits?\b"
    r"|^\W*(?:y\d|year \d)\W+circuits\b"
    # Things someone may have spare: "any spare chromebooks out there", "Old laptops?".
    r"|^\W*(?:(?:has |have )?(?:anyone|anybody) (?:got |have |has )?)?(?:any |some )?"
    r"(?:spare|old|unwanted|surplus|second[- ]hand|used|donated) ((?:[a-z0-9:+&/-]+ ){0,2}"
    r"[a-z0-9:+&/-]+)"
    # Gazebos or a marquee, anywhere in the title: "summer fair gazebos", "Gazebos for summer
    # fair".
    r"|^(?!.*\b(?:how|advice|risk)\b).*?\b(gazebos?|marquees?)\b"
    # Heaters: "Heaters", "Portable heaters to borrow??" (sets 54 and 58).
    r"|^\W*(?:(?:portable|oil[- ]filled|electric|fan|spare|some|extra|temporary)\s+){0,2}"
    r"(heaters?)\b"
    # A planetarium to borrow or share, not a trip to one.
    r"|^(?!.*\btrips?\b).*?\b(planetarium|space dome|star dome|inflatable dome)s?\b"
    # Books to have: "Books for our new library", "books for class book corners", not books
    # to recommend ("Books for Y6 - recommendations?").
    r"|^(?!.*\b(?:recommend|suggest|list|ideas?|which|spine|advice|how))"
    r"\W*(?:(?:any|spare|some|more|old|new|extra|free)\s+)?(?:[a-z0-9/]+\s+){0,2}(books)\s+"
    r"(?:for|needed|wanted|please|to borrow)\b"
    # A kiln, or somewhere to fire clay: "Kiln died", "Clay tiles - no kiln!", "60 Greek pots
    # and nowhere to fire them", "clay firing"; not one to mend, check or learn to use.
    r"|^(?!.*\b(?:repair|servic|engineer|safety|check|how|fix|mend|element|install|train"
    r"|pat test|risk)).*?\b(kilns?|nowhere to fire|clay firing)\b",
    re.IGNORECASE)
_STEMS = ("minibus", "coach", "tablet", "ipad", "laptop", "chromebook", "micro", "bot",
          "logger", "instrument", "ukulele", "costume", "tent", "bike", "hob", "hall", "venue",
          "transport", "device", "space", "furniture", "table", "desk", "shelving", "chair",
          "class set", "sound", "pa system", "radio mic", "portakabin", "temporary", "mobile",
          "modular", "portable", "decodable", "phonics book", "phonics reading", "electric",
          "circuit", "kiln", "nowhere to fire", "clay firing", "planetarium", "dome", "books",
          "furnish", "chess", "storage", "container", "shed", "outbuilding",
          "spare", "old", "unwanted", "surplus", "second", "used", "donated", "room", "light",
          "ear def", "wobble", "fidget", "weighted", "writing slope", "chew", "sensory",
          "gazebo", "marquee", "heater", "uniform", "pe kit")


# A description asking whether anyone has one spare ("KS2 laptops dying" - "Any spare devices
# going?"). Not books: "Any spare books going?" under "Library restock" is met by advice on a
# library revamp that gives none (set 10).
_SPARE_ASKED = re.compile(
    r"\b(?:any|(?:has |does )?(?:anyone|anybody) (?:got|have|has))\s+(?:any\s+)?"
    r"(?:spare|old|unwanted|surplus)\s+((?:[a-z0-9:+&/-]+ ){0,2}[a-z0-9:+&/-]+)",
    re.IGNORECASE)
_SPARE_STEMS = ("spare", "old ", "unwanted", "surplus")


def wanted_things(titles: Sequence[str], descriptions: Sequence[str] | None = None) -> np.ndarray:
    """Per request: the kinds of thing its title (or its description, asking for spares)
    asks for, as bits of THINGS, and the professionals it asks for, as bits of PROFESSIONALS
    after those (0: none)."""
    out = np.zeros(len(titles), dtype=np.int64)
    if descriptions is not None:
        for i in posts_with_stems(descriptions, _SPARE_STEMS):
            m = _SPARE_ASKED.search(descriptions[i])
            if m:
                out[i] = _NAMES.mask(m.group(1)) & ~_BOOKS
    for i in posts_with_stems(titles, _STEMS):
        m = THING_WANTED.search(titles[i]) or _MORE_WANTED.search(titles[i])
        if m:
            # A pattern that finds its kind anywhere in the title captures just the kind, so
            # that other words before it ("Space topic Y5 - a planetarium?") do not count.
            # The kind a title names replaces the description's: it is the request's own.
            out[i] = _NAMES.mask(m.group(m.lastindex or 0))
    for i in posts_with_stems(titles, _PRO_TAILS, fold=False):
        # Not somewhere for one to work ("Room for SALT sessions", set 49).
        if _PRO_WANTED.search(titles[i]) and not ROOM_FOR.search(titles[i]):
            out[i] |= _professionals(titles[i])
    for i in posts_with_stems(titles, ("kiln",)):
        if _KILN_CARE_WANTED.search(titles[i]):
            out[i] = _KILN_CARE
    return out


# A course to drive ("MiDAS minibus driver training - places"): it lends no vehicle and no
# driver, and a title that is one has tags ("minibus") naming its topic, not a thing it lends.
_DRIVING_COURSE = re.compile(r"\b(?:driver|driving)\W+(?:training|assessments?|course|test)\b",
                             re.IGNORECASE)
_DRIVING_STEMS = ("river", "riving")

# Names that are not the thing: decodable named to say what the books are not ("ORT / Bug
# Club banded books (not fully decodable)") or what the school has moved to ("We've gone
# fully decodable so they need a home"), sensory circuits, which are not electricity, and a
# kiln the school has not got ("clay work without a kiln"), a course to drive, and a coach who
# teaches.
_NOT_THE_THING = re.compile(
    r"\b(?:not|non|aren'?t|isn'?t)[\s-]+(?:fully |phonically |really )?decodables?\b"
    r"|\b(?:gone|went|go|going|moved|moving|switched|switching)(?: over)?(?: to)?(?: a| an)?"
    r"(?: fully| phonically)? decodable\b"
    r"|\bsensory circuits?\b"
    r"|\b(?:without|no|not got|don'?t have|do not have|haven'?t got) (?:a |any |our own )?kilns?\b"
    r"|\b(?:midas\W+)?(?:minibus\W+)?" + _DRIVING_COURSE.pattern +
    # A coach who teaches ("Sports coach - Friday afternoons") is not a coach to travel in.
    r"|\b(?:sports?|pe|football|netball|cricket|rugby|hockey|dance|gym|gymnastics|swimming"
    r"|swim|tennis|athletics|multi-?skills|chess|music|maths|reading|literacy|phonics"
    r"|leadership|executive|instructional|wellbeing|play|premier league|specialist|club)"
    r"\W+coach(?:es)?\b"
    # Nor one who coaches: "RWI trainer - can come and coach your phonics team", "Head coach
    # for NPQH", "RWI Portal coach" (sets 36, 56 and 60).
    r"|\b(?:can|could|will|would|happy to|able to|come and|head|portal) coach(?:es)?\b",
    re.IGNORECASE)


def _unsaid(texts: Sequence[str]) -> list[str]:
    return [_NOT_THE_THING.sub(" ", t) if any(stem in t for stem in _UNSAID_STEMS) else t
            for t in texts]


# Tails of the words _NOT_THE_THING starts from, capitalised or not.
_UNSAID_STEMS = ("ecodab", "ircuit", "iln", "oach", *_DRIVING_STEMS)


_DRIVER_TITLE = re.compile(
    r"^\W*(?:(?:a|an|our|minibus|coach|bus|d1|midas(?:[- ]trained)?|qualified|spare)\s+){0,3}"
    r"drivers?\b", re.IGNORECASE)


def thing_masks(titles: Sequence[str], descriptions: Sequence[str],
                tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per post, the kinds of thing and the professionals it names, as a bit set (0: none)."""
    tags = [() if any(stem in t for stem in _DRIVING_STEMS) and _DRIVING_COURSE.search(t) else g
            for t, g in zip(titles, tags, strict=True)]
    out = _NAMES.masks(_unsaid(titles), _unsaid(descriptions), tags)
    # A driver to come and drive the other school's minibus ("Minibus driver - our site
    # manager") lends no vehicle, whatever its tags say (set 46).
    for i in posts_with_stems(titles, _DRIVING_STEMS):
        if _DRIVER_TITLE.search(titles[i]) and not _DRIVING_COURSE.search(titles[i]):
            out[i] &= ~VEHICLE
    # Professionals from the words only: a tag ("SALT" on intervention packs) is the topic.
    texts = [f"{t}\n{d}" for t, d in zip(titles, descriptions, strict=True)]
    for i in posts_with_stems(texts, _PRO_TAILS, fold=False):
        out[i] |= _professionals(_NOT_PRO.sub(" ", texts[i]))
    return out


# Kinds whose mere naming in an offer is the thing itself. Instruments, bikes, kitchens and
# halls are as often a subject taught ("Whole-class ukulele", "Bikeability", "cooking club")
# as a thing lent, so for those the offer must say it lends (needs.provides_service).
_LENT = _kinds("minibus", "tablet", "microscope", "costume", "tent", "furniture", "sound desk",
               "portakabin", "decodable", "kiln", "planetarium", "gazebo", "heater")

# Kinds that are the thing itself only where the offer says it lends, hires out or gives
# them (needs.provides_service): a hall, a kitchen, instruments, bikes, uniform, chess sets,
# storage, sensory kit (a sensory room "full of sensory equipment" lends none), stage
# lighting. Not books: "Free to a good home: decodable readers" are books given, but not the
# ones "Books for Y5/6 who read at a Y2 level" asks for (set 14).
HIRED_KINDS = _kinds("instrument", "bike", "hob", "hall", "uniform", "chess set", "storage",
                     "ear defender", "stage lighting")

# How a reason names each kind that the offer lends ("Offers the furniture you asked for").
_KIND_NAMES = {"minibus": "transport", "tablet": "devices", "microscope": "science kit",
               "costume": "costumes", "tent": "tents", "furniture": "furniture",
               "sound desk": "sound kit", "portakabin": "portable building",
               "decodable": "decodable books", "kiln": "kiln", "planetarium": "planetarium",
               "instrument": "instruments", "bike": "bikes", "hob": "kitchen", "hall": "space",
               "uniform": "uniform", "chess set": "chess sets",
               "storage": "storage", "ear defender": "sensory kit",
               "stage lighting": "stage lighting", "gazebo": "gazebos", "heater": "heaters"}


def kind_names(mask: int) -> list[str]:
    """The names of the kinds in a bit set of THINGS that a reason can use, in THINGS order."""
    return [_KIND_NAMES[names[0]] for i, names in enumerate(THINGS)
            if mask >> i & 1 and names[0] in _KIND_NAMES]


# A title about learning to use a thing ("Minibus driver training (MiDAS)", "iPad course",
# "Moving to Little Wandle? We did it - happy to talk it through") offers the know-how, not
# the thing.
_TRAINING = re.compile(r"\b(?:training|trained|course|cpd|advice|workshop|how (?:to|we)"
                       r"|talk (?:it |you )?through"
                       # "Moving to Google Workspace - our IT lead will help" (set 51).
                       r"|moving to|switch(?:ed|ing)? to|migrat\w*|will help|happy to help"
                       # "Google Workspace for Education - help setting up" (set 53).
                       r"|help(?:ing)? (?:you )?(?:with )?setting (?:it |them )?up"
                       # "MiDAS assessor on staff" trains drivers; it lends no minibus (set 56).
                       r"|midas (?:assessors?|trainers?))\b",
                       re.IGNORECASE)
# Training as what the thing is for is no training about it: "Spare classroom for
# training/meetings" (set 62), "Free rooms for partnership training".
_FOR_TRAINING = re.compile(r"\bfor (?:[a-z]+ ){0,2}(?:training|cpd|courses?)\b",
                           re.IGNORECASE)


def _is_training(title: str) -> bool:
    """Whether a title is training or advice about the thing it names (_TRAINING), not a
    thing to use for training."""
    return _TRAINING.search(_FOR_TRAINING.sub(" ", title)) is not None


def lent_kinds(named: np.ndarray, title_of: Callable[[int], str]) -> np.ndarray:
    """The kinds in ``named`` (bit sets from thing_masks) whose naming is the thing itself
    (vehicles, devices, science kit, costumes, tents, furniture, sound kit, buildings,
    decodable books, kilns, planetaria), 0
    where the title of entry i, ``title_of(i)``, is training or advice about them. Only
    those entries' titles are read."""
    out = named & _LENT
    for i in np.flatnonzero(out).tolist():
        if _is_training(title_of(i)):
            out[i] = 0
    return out


def lent_thing_masks(titles: Sequence[str], descriptions: Sequence[str],
                     tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per offer, the kinds of thing it names whose naming is the thing itself (lent_kinds
    of its thing_masks)."""
    return lent_kinds(thing_masks(titles, descriptions, tags), titles.__getitem__)


# Someone who comes, or a visit to see the thing: "Music teacher can come and lead singing
# or whole-class ukulele" lends no ukuleles (set 61), nor "Mud kitchen - come and look" a
# kitchen.
_COMES = re.compile(r"\b(?:can|could|will|happy to) (?:come|visit|lead|run|teach|deliver)\b"
                    r"|\bcome and (?:see|look|watch|visit)\b|\bvisit (?:us|our)\b",
                    re.IGNORECASE)


def offered_things(titles: Sequence[str]) -> np.ndarray:
    """Per offer, the kinds of thing its title names that it may lend, hire out or give
    (the kinds of lent_kinds and HIRED_KINDS; 0 where the title is training or advice about
    them, or someone who comes or a visit to see them). Titles only: at national scale every
    offer is read, and the thing an offer gives is in its title ("15 Chromebooks on loan",
    "Community room", "Spare furniture")."""
    blank = [""] * len(titles)
    named = thing_masks(titles, blank, [()] * len(titles)) & (_LENT | HIRED_KINDS)
    for i in np.flatnonzero(named).tolist():
        if _is_training(titles[i]) or _COMES.search(titles[i]):
            named[i] = 0
            continue
        # A space to use is a hall, a venue or a room to meet or teach in: not staging to
        # lend ("Staging and PA to lend" for "Room for SENCo cluster", set 58), a sensory or
        # cookery room to bring pupils to, or room for one more school in a choir (sets
        # 20-60).
        if named[i] & SPACE and not _VENUE.search(titles[i]):
            named[i] &= ~SPACE
        # Devices are computers: micro:bits or Bee-Bots do not meet "Devices for Y6", nor
        # iPads "micro:bits class set?" (sets 27, 42 and 57).
        if named[i] & _DEVICES and not _COMPUTERS.search(titles[i]):
            named[i] &= ~_DEVICES
    return named


# A thing given away in so many words: "Furniture - free", "FREE 20 tables + 40 chairs",
# "KS2 tables and chairs. Free, collect." (read only with a kind named, so "free" alone
# here is the thing's price, not a free course).
_FREE_THING = re.compile(r"^\W*free\b|\bfree\W*$|\bfree\W+(?:to )?(?:collect|a good home|you "
                         r"collect|just collect)\b", re.IGNORECASE | re.MULTILINE)


def says_free(titles: Sequence[str], descriptions: Sequence[str]) -> np.ndarray:
    """Per offer: its title or description gives the thing it names for free."""
    return np.fromiter((_FREE_THING.search(f"{t}\n{d}") is not None
                        for t, d in zip(titles, descriptions, strict=True)),
                       dtype=bool, count=len(titles))


def sought_things(titles: Sequence[str], wanted: np.ndarray) -> np.ndarray:
    """The kinds in ``wanted`` (wanted_things bits of requests titled ``titles``) that an
    offer's title must name to be offered_things' match: devices only where the title
    asks for computers, not micro:bits or Bee-Bots."""
    out = wanted & ALL_THINGS
    for i in np.flatnonzero(out & _DEVICES).tolist():
        if not _COMPUTERS.search(titles[i]):
            out[i] &= ~_DEVICES
    return out


_DEVICES = _kinds("tablet")
_VENUE = re.compile(
    r"\b(?:halls?|venues?|auditorium|theatre|studio|church"
    r"|(?:meeting|community|training|conference|function|parish|staff|class) ?rooms?"
    r"|space to (?:hire|let|use))\b", re.IGNORECASE)
_COMPUTERS = re.compile(r"\b(?:tablets?|ipads?|laptops?|chromebooks?|devices?|computers?"
                        r"|pcs)\b", re.IGNORECASE)
