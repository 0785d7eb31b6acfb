"""What Works Cities: criteria standards, the city's status per criterion and its evidence."""
