"""The reflective questions.

``questionnaire_form`` asks ``relationship_context`` and then ``q01``..``q16``
(ids from ``actions/content/questions.yml``), one at a time, each with answer
buttons whose payload carries the question id. Besides answering, a person
can ask why a question is asked, go back, skip, stop, continue and start
over; those intents interrupt the form and are handled by their own actions
(see ``data/rules/questionnaire.yml``).

- :mod:`.content`: the questions and answer scale as loaded from the content files;
- :mod:`.form`: the form's validation and the ask actions, one per question;
- :mod:`.navigation`: start, continue, back, skip, stop, restart, and where a
  person stands in the questions.

Typed answers are read by :mod:`actions.answer_reading`; all Dutch text comes
from the content files or from domain responses.
"""
