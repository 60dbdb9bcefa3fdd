"""Tests for the pure crisis detector (hechtwijzer_core/crisis.py, crisis_model.py) and its lists."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from hechtwijzer_core import crisis, crisis_model

ROOT = Path(__file__).resolve().parents[2]
DEVELOPMENT = crisis_model.read_development_list()
HELDOUT = crisis_model.read_development_list(
    ROOT / "tests" / "data" / "crisis" / "heldout.tsv"
) + crisis_model.read_development_list(
    ROOT / "tests" / "data" / "crisis" / "heldout_2.tsv"
)


def rules_fire(text: str, extra: object = None) -> bool:
    """True when the patterns alone find a clear crisis signal."""
    return crisis.detect(text, extra, use_model=False).level == "crisis"  # type: ignore[arg-type]


def test_lists_are_big_enough_and_separate() -> None:
    """Both lists hold 300+ crisis messages and 300+ near-misses; none is on both."""
    for rows in (DEVELOPMENT, HELDOUT):
        kinds = [kind for kind, _, _ in rows]
        assert kinds.count("clear") + kinds.count("passive") >= 300
        assert kinds.count("near_miss") >= 300
    overlap = {crisis.normalise(t) for _, _, t in DEVELOPMENT} & {
        crisis.normalise(t) for _, _, t in HELDOUT
    }
    assert overlap == set()


def test_the_development_list_holds_no_heldout_message() -> None:
    """The model trains on the development list, so no held-out text may be on it.

    (Very short everyday answers such as "soms" also occur among the bot's NLU
    examples; bench/crisis_eval.py counts those separately.)
    """
    trained = {crisis.normalise(t) for _, _, t in DEVELOPMENT}
    leaked = [t for _, _, t in HELDOUT if crisis.normalise(t) in trained]
    assert leaked == []


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Ik heb alle tabletten van de dokter in één keer geslikt", "crisis"),
        ("ik heb per ongeluk te veel pillen genomen, expres eigenlijk", "crisis"),
        ("ik wil dood zo moe ben ik", "crisis"),
        ("ik kan niet meer verder", "check"),
        ("ik ben levensmoe", "check"),
        ("ik ben een last voor iedereen", "check"),
        ("ik wil verdwijnen", "check"),
        ("wat heeft het nog voor zin", "check"),
        ("mijn telefoon wil niet meer", "none"),
        ("haha ik kan niet meer", "none"),
        ("ik kan niet meer 😂", "none"),
    ],
)
def test_pattern_levels(text: str, level: str) -> None:
    """The patterns alone give these messages the right one of the three answers."""
    assert crisis.detect(text, use_model=False).level == level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("i'm going to kill myself this weekend", "crisis"),
        ("took a whole box of my sleeping pills an hour ago", "crisis"),
        ("where do i even hang it, the rope is already in my closet", "crisis"),
        ("been burning my legs with a lighter again", "crisis"),
        ("my stepdad hits me whenever mom is at work", "crisis"),
        ("he forces me to have sex with him when im drunk", "crisis"),
        ("my brother has a knife and i'm hiding in the bathroom", "crisis"),
        (
            "anxious attachment explains a lot, i'm too much for people,"
            " they'd be happier without me around",
            "check",
        ),
        ("honestly nobody would miss me", "check"),
        ("i can't keep going like this", "check"),
        ("i'm so tired of existing", "check"),
        ("what's the point of living if it never gets better", "check"),
        ("i used to cut myself in high school, years ago now", "check"),
        ("after that he hit me again", "crisis"),
        ("i'll end it all with pills tonight", "crisis"),
        ("my boyfriend came back in drunk and choked me", "crisis"),
        ("he raped me when i was a guest at his place", "crisis"),
        ("i used to think it was normal but he hits me whenever he drinks", "crisis"),
        ("i'm gonna die tonight, i've decided", "crisis"),
        ("i won't be here tomorrow", "check"),
        ("i'm not suicidal, just sad about the breakup", "check"),
        ("My dad hits me with a belt", "crisis"),
        ("I'm on the bridge right now", "crisis"),
        ("He said he'd kill me if I left him", "crisis"),
        ("I just swallowed all my sleeping pills", "crisis"),
        ("I want to throw myself off a bridge", "crisis"),
        ("I keep hurting myself.", "crisis"),
        ("my stepdad comes into my room at night and touches me", "crisis"),
        ("I think about dying all the time", "check"),
    ],
)
def test_english_messages_get_their_level(text: str, level: str) -> None:
    """Visitors who switch to English are read by patterns of their own."""
    assert crisis.detect(text, use_model=False).level == level


@pytest.mark.parametrize(
    "text",
    [
        "i want to end it with him but i'm scared of being alone",
        "i was killing myself laughing at his jokes",
        "i never wake up on time when he stays over",
        "lol i can't do this questionnaire anymore",
        "it really hit me how much i need reassurance",
        "im scared of my partner leaving me",
        "my mom will kill me if i fail this test",
        "i can go on a date without panicking now",
        "als ik nog 1 keer die vraag hoor hang ik mezelf op aan de slingers",
        "growing up my mom was always cold",
        "my mind keeps racing when he doesn't text back",
        "what's the best way to go about telling him",
        "i had a panic attack in front of the train station",
        "i took 20 mg of my medication this morning like always",
        "my therapist suggested writing a goodbye letter to my ex",
        "door die burn out ben ik mezelf helemaal kwijt",
        "the anxiety hits me whenever he doesn't text back",
        "he hit me up last night",
        "why he left? beats me.",
        "it really touched me when he apologized",
        "i keep myself safe by never getting attached",
        "i burned myself cooking",
        "i'd rather die than text him first",
        "i'm going to end things with him soon",
        "i wish i'd never met him",
        "whats the point of this question?",
        "i'm sick of living with my parents",
        "i can't go to the party on saturday",
        "one day he will miss me",
        "I cut contact with my ex",
        "He showed me again that he doesn't care",
        "She made me sleep on the couch",
        "He touches me when we cuddle in bed",
        "The baby kicks me every night",
        "He locked me out of his phone again",
        "This fear has followed me since childhood",
        "I'm going to jump from one relationship to the next",
        "This is my goodbye to toxic relationships",
        "How many sleeping pills can I take and still wake up for work?",
        "I'm ready to die on this hill",
    ],
)
def test_english_idioms_stay_quiet(text: str) -> None:
    """Everyday English beside the English patterns gets no alarm."""
    assert crisis.detect(text, use_model=False).level == "none"


def test_an_idiom_never_vetoes_a_crisis_elsewhere() -> None:
    """An idiom cancels only the match it shares words with, not the rest."""
    assert crisis.detect("ik verveel me dood", use_model=False).level == "none"
    mixed = crisis.detect("ik verveel me dood. ik wil niet meer leven", use_model=False)
    assert mixed.level == "crisis"
    assert mixed.categories == ("suicide",)


@pytest.mark.parametrize(
    "text",
    [
        "ik heb per ongeluk te veel slaappillen ingenomen",
        "de pillen van de dokter heb ik allemaal in een keer geslikt",
        "ik ga mezelf ophangen, ik lach me dood om hoe makkelijk dat is",
    ],
)
def test_overdose_and_method_are_never_cancelled(text: str) -> None:
    """'per ongeluk', 'van de dokter' or a laughing idiom do not silence them."""
    result = crisis.detect(text, use_model=False)
    assert result.level == "crisis"
    assert {"overdose", "method"} & set(result.categories)


def test_short_forms_are_read() -> None:
    """M'n and 'k are spelled out before matching."""
    assert crisis.tokenize("m'n leven") == ["mn", "leven", "$"]
    assert crisis.tokenize("'k wil dood") == ["ik", "wil", "dood", "$"]
    assert (
        crisis.detect("m'n leven wil ik beëindigen", use_model=False).level == "crisis"
    )


@pytest.mark.parametrize("before", [2, 5, 20])
def test_long_sentence_cut_into_windows_keeps_a_match_on_the_cut(before: int) -> None:
    """A sentence longer than a window is read with an overlap: nothing falls between."""
    filler = ["bla"] * (crisis.WINDOW_TOKENS - before)
    words = ["alle", "pillen"] + ["bla"] * 10 + ["geslikt"]
    text = " ".join(filler + words + ["bla"] * crisis.WINDOW_TOKENS)
    assert crisis.detect(text, use_model=False).level == "crisis"


def test_a_sentence_gap_is_bounded() -> None:
    """'~~' spans at most SENTENCE_GAP_MAX words (so matches stay inside the overlap)."""
    near = "alle pillen " + "bla " * (crisis.SENTENCE_GAP_MAX - 5) + "geslikt"
    far = "alle pillen " + "bla " * (crisis.SENTENCE_GAP_MAX + 5) + "geslikt"
    assert crisis.detect(near, use_model=False).level == "crisis"
    assert crisis.detect(far, use_model=False).level == "none"
    assert crisis.WINDOW_OVERLAP > crisis.SENTENCE_GAP_MAX + 5


def test_a_giant_word_is_read_quickly() -> None:
    """A 60 KB 'word' is cut to a normal length before any typo lookup."""
    import time

    started = time.perf_counter()
    result = crisis.detect(
        "abcdefghij" * 6_000 + " ik wil niet meer leven", use_model=False, budget=30
    )
    assert time.perf_counter() - started < 5
    assert result.level == "crisis"
    assert (
        max(len(t) for t in crisis.tokenize("abcdefghij" * 50))
        == crisis.MAX_TOKEN_CHARS
    )


def test_a_farewell_is_never_cancelled() -> None:
    """'dit is mijn laatste bericht voor mijn familie' is a plan, whatever idiom is near."""
    for text in (
        "dit is mijn laatste bericht voor mijn familie",
        "dit is mijn laatste bericht voor jou",
    ):
        assert crisis.detect(text, use_model=False).level == "crisis"


def test_a_gap_without_a_word_after_it_is_refused_when_compiling() -> None:
    """A broken '~~' pattern fails at load time, not on every message."""
    with pytest.raises(ValueError):
        crisis.compile_pattern("pillen ~~ $")


def test_a_text_not_read_in_time_is_a_check() -> None:
    """When the time budget runs out, the person is asked rather than ignored."""
    text = "ik vraag me af hoe dat zit met hechting. " * 4000
    result = crisis.detect(text, budget=0.0)
    assert result.incomplete
    assert result.level == "check"
    assert crisis.detect(text, use_model=False, budget=30).level == "none"


def test_the_learned_model_adds_what_patterns_miss() -> None:
    """The model (trained on the development list) is consulted beside the patterns."""
    text = "ik zit in een kast, niet schrikken als ik niet terugtyp"
    assert crisis.detect(text, use_model=False).level == "none"
    result = crisis.detect(text)
    assert result.model_level != "none"
    assert result.level == result.model_level


@pytest.mark.parametrize(
    "text",
    [
        "hoe lang duurt het voor je doodvriest",
        "hoe lang duurt het voordat je sterft als je niet eet",
        "hoelang duurt het voordat je bewusteloos raakt zonder zuurstof",
    ],
)
def test_how_long_dying_takes_is_a_method_question_for_the_patterns(text: str) -> None:
    """Not left to the learned model: the patterns give the help lines."""
    assert crisis.detect(text, use_model=False).level == "crisis"


def test_freezing_oneself_to_death_is_a_method_for_the_patterns() -> None:
    """Without the model's help; the everyday idiom stays quiet."""
    text = "als iemand zichzelf wil laten doodvriezen, hoe lang duurt dat"
    assert crisis.detect(text, use_model=False).level == "crisis"
    assert crisis.detect("brr ik vries me dood hier", use_model=False).level == "none"


def test_model_is_deterministic() -> None:
    """Two trainings on the same files give the same probabilities."""
    texts, labels = crisis_model.training_corpus()
    settings = crisis_model.ModelSettings()
    a = crisis_model.CrisisModel(settings).fit(texts, labels)
    b = crisis_model.CrisisModel(settings).fit(texts, labels)
    probe = ["ik kan niet meer", "wat is hechting", "ik heb pillen gespaard"]
    assert a.probabilities(probe) == b.probabilities(probe)


def test_a_sure_model_silences_a_lone_topic_word_but_never_a_crisis() -> None:
    """A `check` pattern alone gives way to a very sure model; `crisis` never does."""
    topic = crisis.detect(
        "hoeveel mensen plegen jaarlijks zelfmoord in nederland", use_model=False
    )
    assert topic.level == "check"
    silenced = crisis.CrisisResult(topic.matches, model_none=0.99, silence_at=0.9)
    assert silenced.level == "none"
    clear = crisis.detect("ik wil niet meer leven", use_model=False)
    kept = crisis.CrisisResult(clear.matches, model_none=0.99, silence_at=0.9)
    assert kept.level == "crisis"


def test_an_unsilenced_pattern_is_never_silenced_by_the_model() -> None:
    """An English passive signal keeps its check-in however sure the Dutch model is."""
    english = crisis.detect("my family would be happier without me", use_model=False)
    assert english.level == "check"
    assert any(m.unsilenced for m in english.matches)
    sure = crisis.CrisisResult(english.matches, model_none=0.99, silence_at=0.9)
    assert sure.level == "check"
    assert crisis.detect("honestly my family would be happier without me").level in (
        "check",
        "crisis",
    )


def test_a_positive_pattern_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    """A misspelt flag ('unsilent') would silently do nothing: the loader refuses it."""
    path = tmp_path / "p.yml"
    path.write_text(
        "categories: {soft: {level: check}}\n"
        "positive:\n  - {category: soft, pattern: 'x', unsilent: true}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError):
        crisis.load_patterns(path)


@pytest.mark.parametrize(
    "entry",
    [
        "{category: soft, pattern: 'x', unsilenced: 'false'}",
        "{category: loud, pattern: 'x', unsilenced: true}",
    ],
)
def test_unsilenced_is_a_bool_on_a_check_category(tmp_path: Path, entry: str) -> None:
    """A quoted 'false' or a crisis-level category with the flag is refused."""
    path = tmp_path / "p.yml"
    path.write_text(
        "categories: {soft: {level: check}, loud: {level: crisis}}\n"
        f"positive:\n  - {entry}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError):
        crisis.load_patterns(path)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("ik wil niet meer leven", "suicide"),
        ("ik kras in mijn armen", "self_harm"),
        ("mijn vriend slaat me", "violence"),
        ("ik werd weer door haar geschopt", "violence"),
        ("we worden door onze vader geslagen", "violence"),
        ("heb zo'n sh drang vanavond", "self_harm"),
        ("stuur alsjeblieft politie", "danger"),
        ("ik sta op het spoor", "danger"),
        ("ik heb een doosje paracetamol geslikt", "overdose"),
        ("ik ben door mijn oom misbruikt", "sexual_abuse"),
        ("ik ben levensmoe", "passive"),
        ("hoeveel slaappillen zijn fataal voor een volwassene", "method"),
        ("wat is een letale dosis lithium", "method"),
        ("waar moet je snijden in je polsen", "method"),
        ("wat moet ik doen zodat ik zeker dood ben", "method"),
        ("wat is de meest pijnloze manier om te sterven", "method"),
        ("hoe hoog moet een brug zijn om dood te gaan", "method"),
        ("een plastieken zak om mijn kop trekken", "method"),
        ("hoe verhang je jezelf", "method"),
        ("hoe lang duurt het voordat je doodbloedt", "method"),
        ("sos, help me", "danger"),
        ("ik ben echt bang dat ik vannacht vermoord word", "danger"),
        ("heb weer zh drang", "self_harm"),
        ("bellen jullie alsjeblieft een ambulance nu", "danger"),
        ("we hebben dringend de politie nodig", "danger"),
        ("kan er politie naar ons huis komen", "danger"),
        ("he beats me when he drinks", "violence"),
        ("i swallowed too many meds", "overdose"),
        ("what is a deadly dose of insulin", "method"),
        ("ik neem de ene tablet na de andere", "overdose"),
        ("vanavond stop ik met leven", "suicide"),
        ("everyone would be better off without me", "passive"),
        ("steeds met de passer op mijn benen", "self_harm"),
        ("ik stap gewoon uit het leven", "suicide"),
        ("ik heb net een hele strip paracetamol op", "overdose"),
        ("werkt het als je de motor laat draaien in een dichte garage", "method"),
    ],
)
def test_categories(text: str, category: str) -> None:
    """Each kind of crisis is labelled with its category."""
    assert category in crisis.detect(text).categories


def test_fold_removes_accents_case_and_stretched_letters() -> None:
    """Folding makes 'SUÏCIDAAAAL' and 'suicidaal' the same word."""
    assert crisis.fold("SUÏCIDAAAAL") == "suicidaal"
    assert crisis.fold("leeeeeven") == "leeven"


def test_tokenize_marks_sentence_boundaries() -> None:
    """Punctuation becomes one boundary token; the message always ends with one."""
    assert crisis.tokenize("Ik kan niet meer. Echt!!") == [
        "ik",
        "kan",
        "niet",
        "meer",
        "$",
        "echt",
        "$",
    ]
    assert crisis.tokenize("") == ["$"]


@pytest.mark.parametrize(
    "text",
    [
        "ik wil mezelf ombregen",
        "ik denk aan zelfmord",
        "ik ben suicdaal",
        "ik wil nie meer leeeeven",
    ],
)
def test_typos_still_fire(text: str) -> None:
    """One typo in a longer word, dropped letters or stretched letters still match."""
    assert rules_fire(text)


def test_short_words_need_exact_match() -> None:
    """'leven' (5 letters) allows no typo, so 'lezen' is not 'leven'."""
    assert not rules_fire("ik wil nooit meer lezen")
    assert rules_fire("ik wil nooit meer leven")


def test_lemma_table_matches_inflected_forms() -> None:
    """'sneed' is matched through its lemma 'snijden'."""
    assert rules_fire("gisteren sneed ik mezelf")


def test_extra_lemmas_from_pipeline_are_used() -> None:
    """Lemmas handed in by the NLU tokenizer extend the built-in table."""
    assert not rules_fire("ik wil mezelf fribbelen")
    assert rules_fire("ik wil mezelf fribbelen", {"fribbelen": "ombrengen"})


def test_boundary_anchor() -> None:
    """'ik kan niet meer' is a check at a sentence end but not when a verb follows."""
    assert crisis.detect("ik kan niet meer, echt", use_model=False).level == "check"
    assert crisis.detect("ik kan niet meer fietsen", use_model=False).level == "none"


def test_negative_span_suppresses_only_its_own_match() -> None:
    """'dood van het lachen' is dropped, but a real crisis later in the text survives."""
    quiet = crisis.detect("ik ga dood van het lachen", use_model=False)
    assert quiet.level == "none"
    loud = crisis.detect(
        "ik ging dood van het lachen. maar eigenlijk wil ik niet meer leven",
        use_model=False,
    )
    assert loud.is_crisis
    assert loud.categories == ("suicide",)


def test_gap_does_not_cross_sentences() -> None:
    """A gap never spans a sentence boundary."""
    assert not rules_fire("ik wil. niet meer leven met die regel in de code")
    assert rules_fire("ik wil echt niet meer leven")


def test_empty_and_whitespace() -> None:
    """Nothing to detect in nothing."""
    assert not rules_fire("")
    assert not rules_fire("   \n\t")


def test_long_text_with_crisis_at_the_end() -> None:
    """The guard runs the detector on messages too long for NLU (20,000+ chars)."""
    text = "bla " * 5000 + "ik wil er een eind aan maken"
    assert rules_fire(text)
    assert not rules_fire("bla " * 5000)


def test_compile_rejects_leading_gap() -> None:
    """A pattern cannot start with a gap."""
    with pytest.raises(ValueError):
        crisis.compile_pattern("~ dood")


def test_custom_pattern_set(tmp_path: Path) -> None:
    """load_patterns reads a patterns file of the documented format."""
    path = tmp_path / "p.yml"
    path.write_text(
        "lemmas: {blub: blob}\n"
        "categories: {test: {level: crisis}, soft: {level: check}}\n"
        "positive:\n  - {category: test, pattern: 'blob ~ x|y $'}\n"
        "  - {category: soft, pattern: 'moe ~~ alles'}\n"
        "negative:\n  - {pattern: 'y z'}\n",
        encoding="utf-8",
    )
    patterns = crisis.load_patterns(path)
    found = crisis.detect("een blub en y", patterns=patterns, use_model=False)
    assert found.categories == ("test",)
    cancelled = crisis.detect("een blub en y z", patterns=patterns, use_model=False)
    assert cancelled.level == "none"
    assert (
        crisis.detect("blub y is het", patterns=patterns, use_model=False).level
        == "none"
    )
    soft = crisis.detect(
        "moe ben ik van echt alles", patterns=patterns, use_model=False
    )
    assert soft.level == "check"


def test_a_negative_pattern_takes_no_scope(tmp_path: Path) -> None:
    """Sentence-wide negatives are gone: a file that still has one is refused."""
    path = tmp_path / "p.yml"
    path.write_text(
        "categories: {test: {level: crisis}}\n"
        "positive:\n  - {category: test, pattern: 'x'}\n"
        "negative:\n  - {pattern: 'y', scope: sentence}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError):
        crisis.load_patterns(path)


def test_patterns_never_call_a_training_example_of_another_intent_a_crisis() -> None:
    """No example of an ordinary intent reaches level crisis by the patterns alone."""
    wrong = [
        f"{label}: {text}"
        for label, text in crisis_model.read_nlu_examples()
        if label == "none" and crisis.detect(text, use_model=False).level == "crisis"
    ]
    assert wrong == []


@pytest.mark.parametrize(
    "text",
    ["Soms.", "1.", "echt niet", "ik denk het niet", "zeker en vast", "gewoon soms"],
)
def test_a_plain_answer_is_not_read_by_the_model(text: str) -> None:
    """A few everyday answer words get no check-in from the model's guess."""
    assert crisis.plain_answer(text)
    assert crisis.detect(text).level == crisis.NONE


@pytest.mark.parametrize(
    ("text", "level"),
    [("niet meer", "check"), ("ik wil niet", "check"), ("genoeg", "crisis")],
)
def test_short_messages_with_other_words_are_still_read(text: str, level: str) -> None:
    """Words that can carry a crisis keep short messages in the model's hands."""
    assert not crisis.plain_answer(text)
    assert crisis.detect(text).level == level


def test_no_known_crisis_message_is_a_plain_answer() -> None:
    """The rule cannot silence any clear or passive message of the development list."""
    silenced = [
        text
        for kind, _, text in crisis_model.read_development_list()
        if kind in ("clear", "passive") and crisis.plain_answer(text)
    ]
    assert silenced == []


def test_answer_words_refuse_a_word_that_can_carry_a_crisis(tmp_path: Path) -> None:
    """The loader refuses an answer word that is on the never list."""
    source = crisis.PATTERNS_PATH.read_text(encoding="utf-8")
    broken = source.replace("answer_words: [", "answer_words: [\n  meer,", 1)
    path = tmp_path / "patterns.yml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ValueError, match="meer"):
        crisis.load_patterns(path)


@pytest.mark.parametrize("text", ["nog noit", "hellemaal niet", "af en to", "sosm"])
def test_a_plain_answer_with_a_typo_is_still_plain(text: str) -> None:
    """One typo in a longer answer word keeps a plain answer plain."""
    assert crisis.plain_answer(text)
    assert crisis.detect(text).level == crisis.NONE


@pytest.mark.parametrize("text", ["niet mer", "ik kan nie meer", "niet meer"])
def test_a_typo_never_turns_a_never_word_into_an_answer_word(text: str) -> None:
    """'mer' is one typo from 'meer' (never) as well as from 'keer': not plain."""
    assert not crisis.plain_answer(text)
    assert crisis.detect(text).level != crisis.NONE


@pytest.mark.parametrize(
    ("a", "b", "close"),
    [
        ("noit", "nooit", True),
        ("smos", "soms", True),
        ("vaka", "vaak", True),
        ("dood", "goed", False),
        ("soms", "soms", True),
        ("nooit", "altijd", False),
    ],
)
def test_one_edit(a: str, b: str, close: bool) -> None:
    """Insertions, deletions, changes and swaps of neighbours are one edit."""
    assert crisis.one_edit(a, b) is close


def test_an_exact_word_is_never_read_as_a_typo(tmp_path: Path) -> None:
    """'verwachting' is two letters from 'verkrachting' but only ever itself."""
    path = tmp_path / "p.yml"
    body = (
        "categories: {abuse: {level: crisis}}\n"
        "positive:\n  - {category: abuse, pattern: 'mijn ~ verkrachting'}\n"
    )
    path.write_text(body, encoding="utf-8")
    loose = crisis.load_patterns(path)
    assert crisis.detect("mijn verwachting", patterns=loose, use_model=False).level == (
        "crisis"
    )
    strict_path = tmp_path / "strict.yml"
    strict_path.write_text(body + "exact_words: [verwachting]\n", encoding="utf-8")
    strict = crisis.load_patterns(strict_path)
    assert crisis.detect(
        "mijn verwachting", patterns=strict, use_model=False
    ).level == ("none")
    assert crisis.detect(
        "mijn verkachting", patterns=strict, use_model=False
    ).level == ("crisis")


@pytest.mark.parametrize(
    "text",
    [
        "wat is de beste manier om een einde aan een ruzie te maken",
        "sos ik snap die vraag niet",
        "ik woon in zh en het regent weer",
        "die plant is echt dood",
        "hoe hoog is de kans dat mijn stijl verandert",
        "moet ik de politie bellen als mijn ex blijft appen",
        "hoe hang je een schilderij op",
        "wat is de beste manier om met de dood van mijn opa om te gaan",
        "de arts zei dat ze meteen dood was",
        "hoe hoog is de kans dat je aan een hartaanval dood gaat",
        "ik wil stoppen met snoepen en gezonder leven",
        "ik stap uit het leven van mijn ex",
        "ik heb nog nooit de politie nodig gehad",
        "that song really hit me and i cried",
        "ik ben bang voor de naald in mijn arm bij het bloedprikken",
        "mijn buurman laat de motor draaien in de garage",
        "ik wil stoppen met leven voor anderen en meer voor mezelf kiezen",
    ],
)
def test_everyday_words_near_a_method_question_stay_quiet(text: str) -> None:
    """The method-question patterns keep to ways of dying, not every 'manier' or 'sos'."""
    assert crisis.detect(text, use_model=False).level == "none"


@pytest.mark.parametrize(
    "text",
    [
        "ik neem steeds dezelfde verwachtingen mee in elke relatie",
        "kunnen goede ervaringen mijn oude verwachtingen veranderen",
        "kan je me een boek aanraden over hechting",
        "welk boek is een aanrader als ik verder wil lezen",
        "wat raad je aan, kun je iets aanraden",
    ],
)
def test_everyday_attachment_words_are_no_crisis_for_the_patterns(text: str) -> None:
    """'verwachtingen' is no typo of 'verkrachting', 'aanraden' none of 'aanranden'."""
    assert crisis.detect(text, use_model=False).level == "none"


@pytest.mark.parametrize(
    "text",
    ["ik ben vroeger aangerand", "de aanranding door mijn oom", "ik ben aanrgerand"],
)
def test_assault_is_still_read_beside_the_recommend_words(text: str) -> None:
    """The exact 'aanraden' words take nothing from the assault patterns."""
    assert crisis.detect(text, use_model=False).level != "none"


@pytest.mark.parametrize(
    "text",
    [
        "ik heb de neiging om me terug te trekken",
        "bij ruzie heb ik de neiging om weg te lopen",
        "ik voel de drang om te sporten",
        "ik heb de neiging om te vluchten als het serieus wordt",
        "waarom hebben mensen die drang om zich aan iemand te binden",
    ],
)
def test_an_urge_that_names_no_harm_is_no_crisis(text: str) -> None:
    """'de neiging om ... te' is how people tell their attachment: no help lines."""
    assert crisis.detect(text, use_model=False).level == "none"
    assert crisis.detect(text).level != "crisis"


@pytest.mark.parametrize(
    "text",
    [
        "ik heb de neiging om me snel iets aan te trekken van wat hij zegt",
        "ik heb de neiging om contact af te snijden",
        "ik heb de neiging om mijn relaties te beschadigen",
        "ik heb de neiging om me tegen pijn te beschermen",
        "ik kras een kraslot",
    ],
)
def test_near_an_urge_pattern_but_no_harm_named(text: str) -> None:
    """'iets aantrekken', 'contact afsnijden', 'een kraslot': no pattern fires."""
    assert crisis.detect(text, use_model=False).level == "none"


@pytest.mark.parametrize(
    "text",
    [
        "ik heb de drang om mezelf iets aan te doen",
        "neiging om me pijn te doen",
        "de drang om mezelf te straffen is groot",
        "ik kras al een jaar en het wordt erger",
        "ik heb de neiging om me te bezeren",
        "soms heb ik de neiging om mezelf te vergiftigen",
        "ik heb de neiging om mezelf uit te hongeren",
        "de drang om te snijden is zo groot",
        "drang om mezelf kapot te maken",
        "drang om pillen te slikken",
        "drang om een eind te maken",
    ],
)
def test_an_urge_that_names_the_harm_is_a_crisis(text: str) -> None:
    assert crisis.detect(text, use_model=False).level == "crisis"


@pytest.mark.parametrize(
    "text",
    [
        "de drang om te verdwijnen is groot",
        "bij ruzie heb ik de neiging om te verdwijnen",
    ],
)
def test_an_urge_to_disappear_is_asked_about(text: str) -> None:
    """Passive, and also how people tell withdrawing: the check-in question."""
    assert crisis.detect(text, use_model=False).level == "check"


@pytest.mark.parametrize(
    "text",
    [
        "ik heb de neiging om mezelf te snijden",
        "ik voel de neiging om me te verwonden",
        "ik voel de drang om te krassen",
        "hij duwde me zo hard weg dat ik viel",
        "mijn vader duwde mij van de fiets af",
        "hij duwde me tegen de muur",
        "ik ben verkracht",
    ],
)
def test_the_crisis_forms_next_to_them_still_fire(text: str) -> None:
    """Urges, pushing and abuse stay crises, by pattern and with the model."""
    assert crisis.detect(text, use_model=False).level == "crisis"
    assert crisis.detect(text).level == "crisis"


@pytest.mark.parametrize(
    "text",
    [
        "als puber kraste ik in mijn armen, dat is allang verleden tijd",
        "mijn vader sloeg me toen ik klein was, ik heb er vrede mee gevonden",
        "ik ben jaren geleden aangerand, daar heb ik hulp voor gehad",
        "in mijn jonge jaren sloeg mijn vader me, dat heb ik verwerkt",
    ],
)
def test_harm_told_as_long_past_gets_a_check_in_not_the_help_lines(text: str) -> None:
    """Long past and over: a check-in question, which a sure model cannot silence."""
    result = crisis.detect(text, use_model=False)
    assert result.level == "check"
    assert any(m.past for m in result.matches)
    sure = crisis.CrisisResult(result.matches, model_none=0.99, silence_at=0.9)
    assert sure.level == "check"


@pytest.mark.parametrize(
    "text",
    [
        "vroeger kraste ik in mijn armen en sinds gisteren doe ik het weer",
        "vroeger sloeg hij me af en toe, tegenwoordig elke dag",
        "als kind werd ik geslagen en nu slaat mijn man me",
        "als kind ben ik misbruikt en ik wil niet meer leven",
        "mijn man slaat me. vroeger dacht ik dat dat normaal was",
        "als student word ik misbruikt door mijn docent",
        "mijn oom misbruikte me en sindsdien snijd ik in mijn armen",
        "toen ik klein was sloeg mijn vader me, dat doet hij nog",
        "hij kwam vroeger thuis dan normaal en sloeg me",
        "in de vroege ochtend sloeg hij me",
        "in mijn jeugd heeft hij aan me gezeten, ik heb het nooit aan iemand verteld",
    ],
)
def test_harm_that_is_back_or_goes_on_keeps_the_help_lines(text: str) -> None:
    """A sign that it is happening again, or a crisis of another kind, stays clear."""
    assert crisis.detect(text, use_model=False).level == "crisis"


def test_the_past_reading_never_softens_an_unconditional_category(
    tmp_path: Path,
) -> None:
    """An overdose or a method is never read as long past by the loader's rules."""
    path = tmp_path / "p.yml"
    path.write_text(
        "categories: {overdose: {level: crisis, unconditional: true}}\n"
        "positive:\n  - {category: overdose, pattern: 'pillen geslikt'}\n"
        "past: {categories: [overdose], markers: [vroeger]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="conditional"):
        crisis.load_patterns(path)


@pytest.mark.parametrize(
    "text", ["sos, hij heeft me geghost", "SOS! mijn schoonmoeder komt logeren"]
)
def test_a_lone_sos_is_a_check_in_not_the_help_lines(text: str) -> None:
    """'SOS' without a call for help is asked about, not answered with help lines."""
    assert crisis.detect(text, use_model=False).level == "check"
    assert crisis.detect("sos, help me", use_model=False).level == "crisis"


def test_a_pattern_set_rebuilt_without_the_past_reading_reads_markers_as_nothing() -> (
    None
):
    """The word index is always built from the set's own patterns."""
    patterns = crisis.load_patterns()
    text = "vroeger sneed ik mezelf, nu gaat het al jaren goed"
    assert crisis.detect(text, patterns=patterns, use_model=False).level == "check"
    plain = dataclasses.replace(patterns, past=None)
    assert crisis.detect(text, patterns=plain, use_model=False).level == "crisis"


def test_english_signals_train_the_classifier_not_the_learned_model() -> None:
    """data/nlu/safety_en is Rasa's (it reads data/ whole), never the learned model's.

    Each change to the learned model's training data moved its boundary on the blind
    crisis lists, so the English examples stay out of it.
    """
    from rasa.shared.nlu.training_data.loading import load_data

    english = load_data(str(ROOT / "data" / "nlu" / "safety_en"))
    by_intent = {
        intent: {
            m.get("text")
            for m in english.training_examples
            if m.get("intent") == intent
        }
        for intent in ("crisis", "crisis_check")
    }
    assert all(len(texts) >= 15 for texts in by_intent.values())
    learned = {text for _, text in crisis_model.read_nlu_examples()}
    assert not set().union(*by_intent.values()) & learned
    blind = {
        t
        for _, _, t in crisis_model.read_development_list(
            ROOT / "tests" / "data" / "crisis" / "heldout_en.tsv"
        )
    }
    assert len(blind) == 160
