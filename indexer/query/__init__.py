"""The query pipeline: engine, filters, fusion, collapsing, answers, JSON shapes."""
