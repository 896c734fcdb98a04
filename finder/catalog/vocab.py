"""The fixed vocabularies of the catalog: program types, places, visas, feature kinds."""

PROGRAM_TYPES = {
    "integrated_ir": "Integrated IR residency",
    "independent_ir": "Independent IR residency",
    "diagnostic_radiology": "Diagnostic radiology residency",
    "fellowship": "Fellowship",
}

FEATURE_KINDS = {
    "fellowship": "Fellowships",
    "research": "Research",
    "mentorship": "Mentorship",
}

# The programs.csv column that lists the slugs of each feature kind.
FEATURE_COLUMNS = {
    "fellowship": "fellowships",
    "research": "research_features",
    "mentorship": "mentorship_features",
}

VISA_SPONSORSHIP = {
    "none": "No visa sponsorship",
    "j1": "J-1",
    "h1b": "H-1B",
    "j1_h1b": "J-1 and H-1B",
}

# Which visa a value sponsors, for the finder's `visa` filter.
VISAS_SPONSORED = {"none": set(), "j1": {"j1"}, "h1b": {"h1b"}, "j1_h1b": {"j1", "h1b"}}

REGIONS = {
    "northeast": "Northeast",
    "midwest": "Midwest",
    "south": "South",
    "west": "West",
}

# USPS code -> (name, US Census region). Puerto Rico counts as south.
STATES = {
    "AL": ("Alabama", "south"),
    "AK": ("Alaska", "west"),
    "AZ": ("Arizona", "west"),
    "AR": ("Arkansas", "south"),
    "CA": ("California", "west"),
    "CO": ("Colorado", "west"),
    "CT": ("Connecticut", "northeast"),
    "DE": ("Delaware", "south"),
    "DC": ("District of Columbia", "south"),
    "FL": ("Florida", "south"),
    "GA": ("Georgia", "south"),
    "HI": ("Hawaii", "west"),
    "ID": ("Idaho", "west"),
    "IL": ("Illinois", "midwest"),
    "IN": ("Indiana", "midwest"),
    "IA": ("Iowa", "midwest"),
    "KS": ("Kansas", "midwest"),
    "KY": ("Kentucky", "south"),
    "LA": ("Louisiana", "south"),
    "ME": ("Maine", "northeast"),
    "MD": ("Maryland", "south"),
    "MA": ("Massachusetts", "northeast"),
    "MI": ("Michigan", "midwest"),
    "MN": ("Minnesota", "midwest"),
    "MS": ("Mississippi", "south"),
    "MO": ("Missouri", "midwest"),
    "MT": ("Montana", "west"),
    "NE": ("Nebraska", "midwest"),
    "NV": ("Nevada", "west"),
    "NH": ("New Hampshire", "northeast"),
    "NJ": ("New Jersey", "northeast"),
    "NM": ("New Mexico", "west"),
    "NY": ("New York", "northeast"),
    "NC": ("North Carolina", "south"),
    "ND": ("North Dakota", "midwest"),
    "OH": ("Ohio", "midwest"),
    "OK": ("Oklahoma", "south"),
    "OR": ("Oregon", "west"),
    "PA": ("Pennsylvania", "northeast"),
    "PR": ("Puerto Rico", "south"),
    "RI": ("Rhode Island", "northeast"),
    "SC": ("South Carolina", "south"),
    "SD": ("South Dakota", "midwest"),
    "TN": ("Tennessee", "south"),
    "TX": ("Texas", "south"),
    "UT": ("Utah", "west"),
    "VT": ("Vermont", "northeast"),
    "VA": ("Virginia", "south"),
    "WA": ("Washington", "west"),
    "WV": ("West Virginia", "south"),
    "WI": ("Wisconsin", "midwest"),
    "WY": ("Wyoming", "west"),
}


def region_of(state: str) -> str:
    """The Census region of a USPS state code (already upper case)."""
    return STATES[state][1]
