SELECT id, name, description, sort FROM priorities ORDER BY sort
