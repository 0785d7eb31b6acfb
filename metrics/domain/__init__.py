"""Pure domain rules: settings, vocabulary, periods, scoring, SPC, comparison, equity, certification. No I/O."""
