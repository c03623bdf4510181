"""Lead nurturing's tools: lead fields out of messages, and a lead score."""

from agents.leads.extraction import LeadFields, extract_lead
from agents.leads.scoring import LeadScore, score_lead
from agents.leads.terms import BusinessTerms

__all__ = ["BusinessTerms", "LeadFields", "LeadScore", "extract_lead", "score_lead"]
