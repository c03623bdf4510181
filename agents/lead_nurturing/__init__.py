"""Lead nurturing: the agent (`agent.LeadNurturingAgent`) and its tools.

Lead fields out of a message (`extraction`, dates in `dates`), what to ask next
(`asking`), the lead score (`scoring`) against the business's terms
(`business_terms`), and price estimates (`pricing`, `quote`).

The agent class is not re-exported here: `agents.base` and `agents.business`
import these tools, and importing the agent from this package's start would
make that a cycle.
"""
