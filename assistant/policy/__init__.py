"""Policy documents, their clauses, the clause index and quoted answers."""
