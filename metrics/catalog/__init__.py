"""The programme catalog: priorities, goals, measures, targets, links, narratives, publishing (workspace issue)."""
