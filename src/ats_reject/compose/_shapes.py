"""Shapes of messages: which of a context's values a plan stands in for, and its key.

Messages of one shape (template, purpose, language, role, company, stage, and the same kind
of values: a name or not, two strengths, an invitation ...) share a plan. The composer
renders a shape's skeleton once with a slot character for each value.
"""

from __future__ import annotations

from typing import Any

from ats_reject.compose._closure import MAX_SLOTS, slot_char
from ats_reject.compose.context import MessageContext, Purpose, Sender, TalentPoolInvitation

__all__ = ["plan_values", "shape_of", "stand_ins"]


def plan_values(context: MessageContext) -> list[str]:
    """The context's values that a plan stands in for, in slot order.

    The role and the company stay in the template text: they are the same for many
    messages, and the words around them ("the ... role at ...") would otherwise need
    checking in every message.
    """
    sender = context.sender
    values = [] if context.candidate_name is None else [context.candidate_name]
    values.append(sender.name)
    if sender.title is not None:
        values.append(sender.title)
    if sender.reply_to is not None:
        values.append(sender.reply_to)
    values.extend(context.strengths)
    values.extend(context.growth_areas)
    values.extend(context.links.values())
    if context.talent_pool is not None:
        values.append(context.talent_pool.consent_url)
    return values


def stand_ins(variables: dict[str, Any], context: MessageContext) -> dict[str, Any]:
    """*variables* with a slot character for each value (in the order of :func:`plan_values`).

    Models are built without validation: a slot character is no e-mail address.
    """
    slots = iter(slot_char(index) for index in range(MAX_SLOTS))
    sender = context.sender
    stand_in = dict(variables)
    if context.candidate_name is not None:
        stand_in["candidate_name"] = next(slots)
    stand_in["sender"] = Sender.model_construct(
        name=next(slots),
        title=None if sender.title is None else next(slots),
        reply_to=None if sender.reply_to is None else next(slots),
    )
    stand_in["strengths"] = tuple(next(slots) for _ in context.strengths)
    stand_in["growth_areas"] = tuple(next(slots) for _ in context.growth_areas)
    stand_in["links"] = {name: next(slots) for name in context.links}
    invitation = context.talent_pool
    if invitation is not None:
        stand_in["talent_pool"] = TalentPoolInvitation.model_construct(
            consent_url=next(slots), retention_months=invitation.retention_months
        )
    return stand_in


def shape_of(
    template_id: str, purpose: Purpose, locale: str, context: MessageContext
) -> tuple[object, ...]:
    """What decides a message's template text apart from its values: the key of its plan.

    A shape that leaves something out costs no exactness (the plan checks each message
    against its skeleton), only plans that never fit.
    """
    sender = context.sender
    invitation = context.talent_pool
    return (
        template_id,
        purpose,
        locale,
        context.role,
        context.company,
        context.stage,
        context.feedback_scope,
        context.candidate_name is None,
        sender.title is None,
        sender.reply_to is None,
        len(context.strengths),
        len(context.growth_areas),
        tuple(context.links),
        None if invitation is None else (invitation.retention_months,),
        context.talent_pool_consented,
        context.next_update_by,
    )
