"""The programme catalog: priorities, goals, measures, targets, links, narratives, annotations, publishing.

Every function here is a write: it takes the actor as a required keyword, asks
`access.ensure_allowed` first, runs in one `db.writer` transaction, validates everything before
changing anything (CatalogError with one sentence per problem), refuses a stale edit form
(StaleEdit), and records who, when and old → new in the audit log. Reads are views
(metrics/views/catalog.py, metrics/views/audit.py).
"""

from metrics.catalog._common import CatalogError, StaleEdit, version_of
from metrics.catalog.entry import enter_value
from metrics.catalog.goals import (
    add_goal,
    add_priority,
    edit_goal,
    edit_priority,
    reorder_goals,
    reorder_priorities,
    set_goal_public,
)
from metrics.catalog.links import add_link, remove_link
from metrics.catalog.measures import (
    add_measure,
    delete_measures,
    edit_measure,
    publish_measures,
    restore_measures,
    retire_measures,
    unpublish_measures,
)
from metrics.catalog.notes import annotate_measure, remove_annotation, set_narrative
from metrics.catalog.targets import set_target

__all__ = ["CatalogError", "StaleEdit", "annotate_measure", "enter_value", "add_goal", "add_link", "add_measure", "add_priority",
           "delete_measures", "edit_goal", "edit_measure", "edit_priority", "publish_measures", "remove_annotation",
           "remove_link", "reorder_goals", "reorder_priorities", "restore_measures", "retire_measures",
           "set_goal_public", "set_narrative", "set_target", "unpublish_measures", "version_of"]
