"""The result of the questions, as a conversation.

After the last question a short headline, the picture of the two axes and
buttons for what the person wants next; every follow-up answers in one short
bubble and offers the remaining ones. One concern per module:

- ``content``: the Dutch words (``actions/content/results.yml``) and short question forms
- ``records``: the ``profiles`` slot, one record per relationship
- ``messages``: the texts of a result (pure)
- ``follow_ups``: the follow-up topics and their buttons
- ``picture``: sending the picture of the two axes
- ``self_check``: the rated self-check (pure)
- ``result_actions``, ``self_check_actions``: the Rasa actions

Other concerns use :func:`describe_profiles` and :func:`stored_profiles`.
"""

from actions.results.content import question_items, texts
from actions.results.messages import describe_profiles
from actions.results.records import stored_profiles
from actions.results.result_actions import ActionDescribeResult

__all__ = [
    "ActionDescribeResult",
    "describe_profiles",
    "question_items",
    "stored_profiles",
    "texts",
]
