"""The demo city's shape: priorities, goals and measure templates.

Kept apart from the generator so a reader can see the city at a glance. Each measure
template is (slug, name, kind, unit, direction, frequency, base, trend_per_year, noise).
"""

from __future__ import annotations

PRIORITIES = [
    ("housing", "Housing & Homelessness", "Every resident has a safe, stable, affordable home."),
    ("safety", "Safe Neighborhoods", "Residents are safe and feel safe in every district."),
    ("mobility", "Mobility & Infrastructure", "Getting around is safe, reliable and affordable."),
    ("economy", "Economic Opportunity", "Residents share in a growing economy."),
    ("health", "Healthy Residents & Environment", "Residents live long, healthy lives in a clean city."),
    ("government", "Effective Government", "City services are responsive, fair and well run."),
]

DEPARTMENTS = {
    "housing": "Human Services Department",
    "safety": "Police Department",
    "mobility": "Department of Transportation",
    "economy": "Office of Economic Development",
    "health": "Public Health Department",
    "government": "Department of Finance & Administration",
}

# goal id, priority, name, statement, owner, target_date, measures
# measures: (slug, name, kind, unit, direction, frequency, base, trend/yr, noise)
GOALS = [
    ("affordable-homes", "housing", "Build and preserve affordable homes",
     "Add 12,000 income-restricted homes by 2028.", "Office of Housing", "2028-12-31", [
         ("affordable-units-permitted", "Affordable units permitted", "output", "units", "higher", "quarter", 420, 25, 60),
         ("affordable-units-completed", "Affordable units completed", "outcome", "units", "higher", "quarter", 300, 30, 45),
         ("rent-burdened-households", "Rent-burdened households", "outcome", "%", "lower", "year", 47, -0.4, 0.8),
         ("housing-trust-spending", "Housing trust fund spending", "input", "USD", "higher", "fiscal_year", 9.5e7, 6e6, 4e6),
         ("cost-per-affordable-unit", "City subsidy per affordable unit", "efficiency", "USD", "lower", "fiscal_year", 142000, 2500, 6000),
     ]),
    ("eviction-prevention", "housing", "Prevent evictions",
     "Keep families housed through legal aid and rental assistance.", "Human Services Department", "2027-06-30", [
         ("eviction-filings", "Eviction filings", "outcome", "filings", "lower", "month", 610, -12, 55),
         ("legal-aid-cases", "Tenants given legal representation", "output", "tenants", "higher", "month", 180, 14, 20),
         ("rental-assistance-grants", "Rental assistance grants paid", "output", "grants", "higher", "month", 520, 20, 60),
     ]),
    ("violent-crime", "safety", "Reduce violent crime",
     "Cut violent crime 20% from the 2019 level by 2027.", "Police Department", "2027-12-31", [
         ("violent-crimes", "Violent crimes reported", "outcome", "incidents", "lower", "month", 410, -6, 30),
         ("shootings", "Shooting victims", "outcome", "victims", "lower", "month", 38, -0.8, 6),
         ("violence-interrupter-contacts", "Violence interrupter contacts", "output", "contacts", "higher", "month", 900, 60, 80),
         ("patrol-hours", "Patrol hours", "output", "hours", "higher", "month", 52000, 300, 2500),
         ("police-overtime-spending", "Police overtime spending", "input", "USD", "lower", "month", 3.1e6, 8e4, 3e5),
     ]),
    ("emergency-response", "safety", "Fast emergency response",
     "Reach 90% of priority-1 calls within 7 minutes.", "Fire Department", "2026-12-31", [
         ("p1-response-within-7", "Priority-1 calls reached within 7 minutes", "outcome", "%", "higher", "month", 84, 0.6, 1.5),
         ("fire-travel-time", "Average travel time to fire incidents", "outcome", "minutes", "lower", "month", 4.9, -0.04, 0.15),
         ("ems-calls", "EMS calls answered", "output", "calls", "higher", "month", 8200, 150, 400),
         ("fire-inspections", "Fire safety inspections", "output", "inspections", "higher", "month", 1400, 40, 120),
     ]),
    ("safe-streets", "mobility", "Vision Zero: no traffic deaths",
     "Eliminate traffic deaths and serious injuries by 2030.", "Department of Transportation", "2030-12-31", [
         ("traffic-deaths", "Traffic deaths", "outcome", "deaths", "lower", "quarter", 9, -0.3, 2),
         ("serious-injuries", "Serious traffic injuries", "outcome", "injuries", "lower", "quarter", 58, -1.5, 6),
         ("protected-bike-lane-miles", "Protected bike lane miles built", "output", "miles", "higher", "quarter", 3.5, 0.3, 0.8),
         ("speed-cameras-active", "Speed cameras active", "output", "cameras", "higher", "quarter", 20, 4, 2),
     ]),
    ("reliable-transit", "mobility", "Reliable, well-used transit",
     "Grow weekday ridership back above 2019 levels.", "Transit Agency", "2027-12-31", [
         ("bus-on-time", "Buses on time", "outcome", "%", "higher", "month", 74, 0.5, 2),
         ("weekday-ridership", "Average weekday transit boardings", "outcome", "boardings", "higher", "month", 180000, 2500, 6000),
         ("bus-service-hours", "Bus service hours delivered", "output", "hours", "higher", "month", 110000, 1500, 2500),
     ]),
    ("good-roads", "mobility", "Streets in good repair",
     "Raise the pavement condition index to 70.", "Department of Transportation", "2028-06-30", [
         ("pavement-condition", "Pavement condition index", "outcome", "index", "higher", "fiscal_year", 61, 0.8, 1),
         ("potholes-filled", "Potholes filled", "output", "potholes", "higher", "month", 2600, 50, 400),
         ("pothole-days-to-fill", "Days to fill a reported pothole", "efficiency", "days", "lower", "month", 6, -0.2, 1),
         ("paving-spending", "Street paving spending", "input", "USD", "higher", "fiscal_year", 4.2e7, 2e6, 2e6),
         ("streetlight-outage-days", "Single streetlight outage response time", "efficiency", "days", "lower", "month", 9, -0.3, 1.5),
     ]),
    ("jobs-wages", "economy", "More residents in good jobs",
     "Cut unemployment among residents to below 4%.", "Office of Economic Development", "2027-12-31", [
         ("unemployment-rate", "Unemployment rate", "outcome", "%", "lower", "month", 5.6, -0.15, 0.25),
         ("job-training-completions", "Job training completions", "output", "residents", "higher", "quarter", 640, 40, 70),
         ("placed-in-jobs", "Training graduates placed in jobs within 6 months", "outcome", "%", "higher", "quarter", 58, 1.2, 3),
         ("workforce-grants", "Workforce development grants", "input", "USD", "higher", "fiscal_year", 1.2e7, 8e5, 5e5),
     ]),
    ("small-business", "economy", "Help small businesses start and grow",
     "Halve the time to open a small business.", "Office of Economic Development", "2027-06-30", [
         ("business-licenses", "New business licenses issued", "output", "licenses", "higher", "month", 540, 15, 60),
         ("days-to-open", "Days from application to opening", "outcome", "days", "lower", "quarter", 96, -5, 6),
         ("mwbe-contract-share", "City contract dollars to minority- and women-owned firms", "outcome", "%", "higher", "fiscal_year", 14, 1.2, 1),
     ]),
    ("youth-opportunity", "economy", "Opportunity for young people",
     "Every young person who wants a summer job gets one.", "Parks & Youth Department", "2026-09-30", [
         ("summer-youth-jobs", "Summer youth jobs filled", "output", "jobs", "higher", "year", 3200, 250, 150),
         ("youth-disconnected", "Young adults not in work or school", "outcome", "%", "lower", "year", 12.5, -0.3, 0.4),
     ]),
    ("healthy-births", "health", "Healthy starts for every baby",
     "Close the gap in low birthweight between groups.", "Public Health Department", "2028-12-31", [
         ("low-birthweight", "Babies born at low birthweight", "outcome", "%", "lower", "year", 8.8, -0.08, 0.2),
         ("home-visits", "Nurse home visits", "output", "visits", "higher", "month", 1900, 40, 150),
         ("prenatal-first-trimester", "Mothers with first-trimester prenatal care", "outcome", "%", "higher", "year", 74, 0.6, 1),
     ]),
    ("overdose", "health", "Reduce overdose deaths",
     "Cut overdose deaths by a third by 2027.", "Public Health Department", "2027-12-31", [
         ("overdose-deaths", "Overdose deaths", "outcome", "deaths", "lower", "month", 34, 0.6, 5),
         ("naloxone-kits", "Naloxone kits distributed", "output", "kits", "higher", "month", 2100, 220, 180),
         ("recovery-placements", "Individuals placed in recovery services", "output", "people", "higher", "quarter", 2300, 60, 150),
         ("health-line-calls", "Individuals served by the health line", "output", "people", "higher", "quarter", 3800, 40, 250),
     ]),
    ("clean-air", "health", "Clean air and a cooler city",
     "Cut citywide greenhouse gas emissions 40% from 2015.", "Office of Sustainability", "2030-12-31", [
         ("ghg-emissions", "Citywide greenhouse gas emissions", "outcome", "tCO2e (thousands)", "lower", "year", 5200, -120, 60),
         ("trees-planted", "Street trees planted", "output", "trees", "higher", "quarter", 1200, 80, 150),
         ("good-air-days", "Days with good air quality", "outcome", "%", "higher", "year", 78, 0.5, 2),
         ("recycling-diversion", "Waste diverted from landfill", "outcome", "%", "higher", "month", 31, 0.7, 1.5),
     ]),
    ("parks-access", "health", "A park within a 10-minute walk",
     "Every resident lives within a 10-minute walk of a park.", "Parks & Youth Department", "2029-12-31", [
         ("park-walk-access", "Residents within a 10-minute walk of a park", "outcome", "%", "higher", "year", 81, 1, 0.5),
         ("rec-center-visits", "Recreation center visits", "output", "visits", "higher", "month", 64000, 1800, 5000),
     ]),
    ("responsive-311", "government", "Responsive 311 service",
     "Close 90% of service requests on time.", "311 Customer Service", "2026-12-31", [
         ("311-on-time", "311 requests closed on time", "outcome", "%", "higher", "month", 78, 1.2, 2),
         ("311-requests", "311 requests received", "output", "requests", "higher", "month", 52000, 900, 3500),
         ("311-answer-seconds", "Average speed of answer", "efficiency", "seconds", "lower", "month", 95, -4, 12),
         ("resident-satisfaction", "Residents satisfied with city services", "outcome", "%", "higher", "year", 61, 0.8, 1.5),
     ]),
    ("sound-finances", "government", "Sound, transparent finances",
     "Keep reserves above 10% and pay vendors on time.", "Department of Finance & Administration", "2027-06-30", [
         ("reserve-ratio", "General fund reserves", "outcome", "% of spending", "higher", "fiscal_year", 8.5, 0.4, 0.5),
         ("invoices-paid-30-days", "Vendor invoices paid within 30 days", "outcome", "%", "higher", "month", 82, 0.8, 2),
         ("days-to-process-po", "Days to process purchase orders", "efficiency", "days", "lower", "month", 21, -0.8, 2),
     ]),
    ("digital-services", "government", "Digital-first services",
     "Offer every common transaction online.", "Information Technology Agency", "2027-12-31", [
         ("services-online", "Common transactions available online", "outcome", "%", "higher", "quarter", 48, 4, 2),
         ("website-sessions", "City website sessions", "output", "sessions", "higher", "month", 910000, 30000, 60000),
         ("system-uptime", "Core system availability", "outcome", "%", "higher", "month", 99.2, 0.05, 0.2),
     ]),
    ("workforce", "government", "A skilled, representative city workforce",
     "Fill critical positions within 90 days.", "Human Resources", "2027-12-31", [
         ("days-to-hire", "Days to fill a vacancy", "efficiency", "days", "lower", "quarter", 118, -4, 7),
         ("vacancy-rate", "Budgeted positions vacant", "outcome", "%", "lower", "quarter", 11, -0.3, 0.8),
         ("training-hours", "Staff training hours", "output", "hours", "higher", "quarter", 21000, 800, 1500),
     ]),
    ("library-learning", "economy", "Lifelong learning",
     "Grow library use across every district.", "Public Library", "2027-12-31", [
         ("library-visits", "Library visits", "output", "visits", "higher", "month", 410000, 6000, 25000),
         ("library-cards", "Residents with an active library card", "outcome", "%", "higher", "year", 44, 0.7, 1),
         ("literacy-third-grade", "Third graders reading at grade level", "outcome", "%", "higher", "year", 52, 0.8, 1.5),
     ]),
]

HOMELESS_GOAL = ("reduce-homelessness", "housing", "Move people experiencing homelessness into stable housing",
                 "Pay for results: move 3,500 households a quarter into stable housing by 2027.",
                 "Human Services Department", "2027-12-31")

# Measures whose disaggregation the demo fills (dimension -> members).
DISTRICTS = [str(d) for d in range(1, 8)]
RACES = ["Black", "Hispanic/Latino", "Asian", "White", "Other"]
DISAGGREGATED = {
    "households-stable-housing": "race",
    "outreach-contacts": "district",
    "violent-crimes": "district",
    "p1-response-within-7": "district",
    "311-on-time": "district",
    "eviction-filings": "district",
    "unemployment-rate": "race",
    "low-birthweight": "race",
    "park-walk-access": "district",
    "library-visits": "district",
    "traffic-deaths": "district",
    "overdose-deaths": "race",
}
STALE = {"rent-burdened-households": "2023", "fire-inspections": "2025-03", "trees-planted": "2025-Q1",
         "youth-disconnected": "2023"}
DRAFTS = {"speed-cameras-active", "mwbe-contract-share", "good-air-days", "website-sessions"}
PRIVATE = {"police-overtime-spending", "days-to-hire"}

# Operational measures that round out each goal (goal id, template).
EXTRA = [
    ("affordable-homes", ("inclusionary-units", "Inclusionary units in market-rate projects", "output", "units", "higher", "quarter", 80, 6, 15)),
    ("affordable-homes", ("permit-review-days", "Days to review a housing permit", "efficiency", "days", "lower", "month", 74, -3, 6)),
    ("affordable-homes", ("homes-repaired", "Owner-occupied homes repaired", "output", "homes", "higher", "quarter", 140, 5, 20)),
    ("eviction-prevention", ("eviction-judgments", "Eviction judgments", "outcome", "judgments", "lower", "month", 290, -6, 30)),
    ("eviction-prevention", ("rental-assistance-dollars", "Rental assistance paid", "input", "USD", "higher", "month", 1.3e6, 9e4, 1.5e5)),
    ("violent-crime", ("homicides", "Homicides", "outcome", "victims", "lower", "quarter", 24, -0.6, 4)),
    ("violent-crime", ("guns-recovered", "Illegal guns recovered", "output", "guns", "higher", "month", 160, 4, 18)),
    ("violent-crime", ("feel-safe-night", "Residents who feel safe walking at night", "outcome", "%", "higher", "year", 52, 0.9, 1.5)),
    ("violent-crime", ("clearance-rate", "Violent crime clearance rate", "efficiency", "%", "higher", "quarter", 41, 0.6, 2)),
    ("emergency-response", ("call-answer-10s", "911 calls answered within 10 seconds", "efficiency", "%", "higher", "month", 88, 0.5, 1.5)),
    ("emergency-response", ("cardiac-survival", "Cardiac arrest survival to discharge", "outcome", "%", "higher", "year", 9.5, 0.3, 0.6)),
    ("emergency-response", ("fire-overtime", "Fire overtime spending", "input", "USD", "lower", "month", 1.8e6, 5e4, 2e5)),
    ("safe-streets", ("pedestrian-injuries", "Pedestrian injuries", "outcome", "injuries", "lower", "quarter", 120, -3, 12)),
    ("safe-streets", ("crosswalks-upgraded", "Crosswalks upgraded", "output", "crosswalks", "higher", "quarter", 60, 5, 10)),
    ("safe-streets", ("speeding-share", "Vehicles speeding on arterials", "outcome", "%", "lower", "quarter", 22, -0.8, 1.5)),
    ("reliable-transit", ("bus-lane-miles", "Bus lane miles", "output", "miles", "higher", "quarter", 12, 1.5, 0.5)),
    ("reliable-transit", ("fare-capping-riders", "Riders reaching the fare cap", "output", "riders", "higher", "month", 21000, 2500, 1800)),
    ("reliable-transit", ("cost-per-boarding", "Operating cost per boarding", "efficiency", "USD", "lower", "fiscal_year", 4.6, 0.05, 0.15)),
    ("good-roads", ("sidewalk-repaired", "Square feet of sidewalk repaired", "output", "sq ft", "higher", "month", 110000, 4000, 12000)),
    ("good-roads", ("lane-miles-paved", "Lane miles paved", "output", "lane miles", "higher", "quarter", 70, 3, 9)),
    ("good-roads", ("traffic-signal-uptime", "Traffic signals operating", "outcome", "%", "higher", "month", 97, 0.1, 0.6)),
    ("jobs-wages", ("median-wage", "Median hourly wage", "outcome", "USD", "higher", "year", 21.5, 0.9, 0.3)),
    ("jobs-wages", ("apprenticeships", "Apprenticeship starts", "output", "residents", "higher", "quarter", 210, 15, 25)),
    ("jobs-wages", ("cost-per-placement", "Cost per job placement", "efficiency", "USD", "lower", "fiscal_year", 6400, -120, 250)),
    ("small-business", ("small-biz-loans", "Small business loans closed", "output", "loans", "higher", "quarter", 90, 6, 12)),
    ("small-business", ("storefront-vacancy", "Ground-floor storefront vacancy", "outcome", "%", "lower", "quarter", 12.5, -0.2, 0.6)),
    ("youth-opportunity", ("youth-program-slots", "Youth program slots", "output", "slots", "higher", "year", 9000, 450, 300)),
    ("youth-opportunity", ("hs-graduation", "High school graduation rate", "outcome", "%", "higher", "year", 81, 0.8, 0.8)),
    ("healthy-births", ("infant-mortality", "Infant deaths per 1,000 live births", "outcome", "per 1,000", "lower", "year", 6.1, -0.1, 0.3)),
    ("healthy-births", ("wic-enrollment", "WIC enrollment", "output", "participants", "higher", "month", 14500, 150, 400)),
    ("overdose", ("overdose-ed-visits", "Overdose emergency department visits", "outcome", "visits", "lower", "month", 310, 2, 25)),
    ("overdose", ("treatment-on-demand", "People starting treatment within 48 hours", "outcome", "%", "higher", "quarter", 38, 2, 3)),
    ("clean-air", ("ev-chargers", "Public EV chargers", "output", "chargers", "higher", "quarter", 140, 45, 10)),
    ("clean-air", ("building-energy", "Large-building energy use intensity", "outcome", "kBtu/sq ft", "lower", "year", 78, -1.5, 1.2)),
    ("clean-air", ("missed-collections", "Missed trash collections", "efficiency", "per 10,000 pickups", "lower", "month", 3.8, -0.1, 0.5)),
    ("parks-access", ("park-acres-added", "Park acres added", "output", "acres", "higher", "year", 14, 1, 4)),
    ("parks-access", ("park-maintenance-score", "Park maintenance inspection score", "outcome", "%", "higher", "quarter", 84, 0.5, 1.5)),
    ("responsive-311", ("graffiti-days", "Days to remove graffiti", "efficiency", "days", "lower", "month", 5.5, -0.2, 0.8)),
    ("responsive-311", ("abandoned-vehicle-days", "Days to resolve abandoned vehicle reports", "efficiency", "days", "lower", "month", 12, -0.5, 1.5)),
    ("responsive-311", ("311-self-service", "311 requests made online or in the app", "output", "%", "higher", "month", 38, 3, 1.5)),
    ("sound-finances", ("bond-rating-notches", "Notches below AAA bond rating", "outcome", "notches", "lower", "year", 2, -0.1, 0.2)),
    ("sound-finances", ("audit-findings", "Open audit findings", "outcome", "findings", "lower", "quarter", 34, -2, 3)),
    ("sound-finances", ("budget-variance", "Spending variance from adopted budget", "efficiency", "%", "lower", "fiscal_year", 3.5, -0.15, 0.6)),
    ("digital-services", ("open-datasets", "Datasets on the open data portal", "output", "datasets", "higher", "quarter", 310, 35, 8)),
    ("digital-services", ("digital-satisfaction", "Online service satisfaction", "outcome", "%", "higher", "quarter", 71, 1, 2)),
    ("workforce", ("staff-turnover", "Staff turnover", "outcome", "%", "lower", "quarter", 9.5, -0.2, 0.7)),
    ("workforce", ("workforce-representation", "Workforce reflecting city demographics (index)", "outcome", "index", "higher", "year", 0.82, 0.01, 0.01)),
    ("library-learning", ("library-programs", "Library program attendance", "output", "attendees", "higher", "month", 23000, 700, 2500)),
    ("library-learning", ("digital-checkouts", "Digital checkouts", "output", "checkouts", "higher", "month", 120000, 15000, 8000)),
]

# Levels (a stock counted at the end of each period): rolled up to a coarser period they take the
# last value, not a sum (three months of "40 cameras active" is 40 cameras, not 120).
LEVEL_MEASURES = frozenset({"speed-cameras-active", "ev-chargers", "bus-lane-miles"})

# Each goal's own target, apart from its measures' per-period targets:
# goal id -> (value, unit in the goal's words, cumulative | per_period, the measure that tracks it, counted from)
GOAL_TARGETS = {
    "affordable-homes": (12000, "income-restricted homes", "cumulative", "affordable-units-completed", "2023-01-01"),
    "reduce-homelessness": (3500, "households a quarter", "per_period", "households-stable-housing", None),
    "emergency-response": (90, "%", "per_period", "p1-response-within-7", None),
    "good-roads": (70, "on the pavement condition index", "per_period", "pavement-condition", None),
    "safe-streets": (0, "traffic deaths in a quarter", "per_period", "traffic-deaths", None),
    "reliable-transit": (190000, "weekday boardings", "per_period", "weekday-ridership", None),
    "clean-air": (60000, "street trees planted", "cumulative", "trees-planted", "2024-01-01"),
}

