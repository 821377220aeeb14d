-- A team's default slots per channel class ({"chat": 1, ...}; a class not set falls back to the global default).
-- An agent without slots of their own for a class gets the largest default of their teams for it.
ALTER TABLE teams ADD COLUMN default_capacity jsonb NOT NULL DEFAULT '{}';
