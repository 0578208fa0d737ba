"""Reading documents: formats, web chrome, the heading grammar, clauses, 责任 notes, metadata."""
