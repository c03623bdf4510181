"""Operations: the team's agent (`agent.OperationsAgent`) and its numbers (`reports`)."""
