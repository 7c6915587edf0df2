"""Small helpers every stage may use; they import nothing of paperfeed's apps."""
