-- An optional work-in-progress limit per card (column): moves and creates beyond it are refused.
ALTER TABLE cards ADD COLUMN wip_limit INTEGER CHECK (wip_limit IS NULL OR wip_limit >= 1);

-- The per-board live stream reads a board's events after a position; this keeps that read indexed.
CREATE INDEX events_board_idx ON events ((coalesce(data ->> 'boardId', data -> 'task' ->> 'boardId')), position);
