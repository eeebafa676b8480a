"""Vocabularies of the demo exports: canonical values, their latent weights, and how each
source system spells them (variants, typos, enum styles).

Why one module: the staging engineer builds taxonomy seeds from exactly these lists, and the
tests check that every raw spelling maps back to one canonical value. Each system table is
`canonical key -> ((raw spelling, relative weight), ...)`. Raw spellings are unambiguous
within a system after `trim + lower` (tested), except where a system is coarser than our
canonical scheme (HubSpot `Original Source`, noted in `LOSSY`).
"""

from __future__ import annotations

Variants = dict[str, tuple[tuple[str, float], ...]]


def _words(text: str) -> tuple[str, ...]:
    """Whitespace-separated word list (keeps long name lists readable)."""
    return tuple(text.split())


# --- industries: key, share of accounts, fit weight (logit units before scaling) -----------
INDUSTRIES: tuple[tuple[str, float, float], ...] = (
    ("software", 0.14, 0.8),
    ("it_services", 0.10, 0.6),
    ("financial_services", 0.09, 0.4),
    ("banking", 0.05, 0.2),
    ("insurance", 0.05, 0.1),
    ("healthcare", 0.09, 0.0),
    ("retail", 0.08, -0.3),
    ("manufacturing", 0.10, 0.0),
    ("education", 0.07, -0.8),
    ("telecommunications", 0.04, 0.2),
    ("media", 0.05, -0.3),
    ("government", 0.04, -0.9),
    ("consulting", 0.06, 0.1),
    ("energy", 0.04, -0.2),
)

SF_INDUSTRY: Variants = {
    "software": (
        ("Technology", 5),
        ("Software", 4),
        ("Computer Software", 2),
        ("Tech", 1),
        ("tech ", 0.5),
        ("Sofware", 0.3),
    ),
    "it_services": (
        ("Information Technology", 5),
        ("IT Services", 3),
        ("IT", 1),
        ("Informaton Technology", 0.3),
        (" information technology", 0.3),
    ),
    "financial_services": (
        ("Finance", 4),
        ("Financial Services", 4),
        ("Fin Services", 0.5),
        ("Financial Svcs", 0.3),
    ),
    "banking": (("Banking", 5), ("Bank", 1), ("banking ", 0.3)),
    "insurance": (("Insurance", 5), ("Insurence", 0.3)),
    "healthcare": (
        ("Healthcare", 4),
        ("Health Care", 2),
        ("Hospital & Health Care", 1),
        ("Helthcare", 0.3),
    ),
    "retail": (("Retail", 5), ("Consumer Goods", 1), ("E-commerce", 1), ("retail", 0.4)),
    "manufacturing": (("Manufacturing", 5), ("Industrial", 1), ("Manufacturng", 0.3)),
    "education": (("Education", 5), ("Higher Education", 1), ("EDU", 0.3)),
    "telecommunications": (("Telecommunications", 4), ("Telecom", 2), ("Telco", 0.4)),
    "media": (("Media", 4), ("Entertainment", 1), ("Media & Entertainment", 1)),
    "government": (("Government", 4), ("Public Sector", 2), ("Govt", 0.4)),
    "consulting": (("Consulting", 5), ("Professional Services", 2), ("Consultancy", 0.5)),
    "energy": (("Energy", 4), ("Utilities", 2), ("Oil & Gas", 1)),
}

HUBSPOT_INDUSTRY: Variants = {
    "software": (("COMPUTER_SOFTWARE", 6), ("INTERNET", 2)),
    "it_services": (("INFORMATION_TECHNOLOGY_AND_SERVICES", 6), ("COMPUTER_NETWORKING", 1)),
    "financial_services": (("FINANCIAL_SERVICES", 6), ("INVESTMENT_MANAGEMENT", 1)),
    "banking": (("BANKING", 1),),
    "insurance": (("INSURANCE", 1),),
    "healthcare": (("HOSPITAL_HEALTH_CARE", 5), ("MEDICAL_DEVICES", 1), ("PHARMACEUTICALS", 1)),
    "retail": (("RETAIL", 5), ("CONSUMER_GOODS", 2)),
    "manufacturing": (
        ("MACHINERY", 2),
        ("INDUSTRIAL_AUTOMATION", 2),
        ("ELECTRICAL_ELECTRONIC_MANUFACTURING", 1),
    ),
    "education": (("HIGHER_EDUCATION", 3), ("EDUCATION_MANAGEMENT", 2), ("E_LEARNING", 1)),
    "telecommunications": (("TELECOMMUNICATIONS", 4), ("WIRELESS", 1)),
    "media": (("MEDIA_PRODUCTION", 2), ("ONLINE_MEDIA", 2), ("BROADCAST_MEDIA", 1)),
    "government": (("GOVERNMENT_ADMINISTRATION", 1),),
    "consulting": (("MANAGEMENT_CONSULTING", 1),),
    "energy": (("OIL_ENERGY", 2), ("RENEWABLES_ENVIRONMENT", 1), ("UTILITIES", 1)),
}

MARKETO_INDUSTRY: Variants = {
    "software": (("Computer Software", 4), ("SaaS", 2), ("High Tech", 2), ("Hi-Tech", 1)),
    "it_services": (
        ("IT & Services", 4),
        ("Information Technology & Services", 3),
        ("IT Svcs", 0.5),
    ),
    "financial_services": (("Financial Services", 5), ("FinServ", 1), ("Fin. Services", 0.5)),
    "banking": (("Banking", 5), ("Banks", 1)),
    "insurance": (("Insurance", 1),),
    "healthcare": (("Healthcare", 3), ("Hospital & Health Care", 2), ("Life Sciences", 1)),
    "retail": (("Retail", 4), ("Retail & CPG", 1)),
    "manufacturing": (("Manufacturing", 5), ("Industrial Manufacturing", 1)),
    "education": (("Education", 4), ("Higher Ed", 1), ("K-12", 0.5)),
    "telecommunications": (("Telecommunications", 3), ("Telecom", 2)),
    "media": (("Media", 3), ("Publishing", 1), ("Media & Publishing", 1)),
    "government": (("Government", 3), ("Public Sector", 2)),
    "consulting": (("Consulting", 3), ("Management Consulting", 1)),
    "energy": (("Energy & Utilities", 3), ("Oil & Energy", 1)),
}

# --- employee bands: (lower bound, HubSpot range label, fit weight) -------------------------
EMPLOYEE_BANDS: tuple[tuple[int, str, float], ...] = (
    (1, "1-10", -1.0),
    (11, "11-50", -0.5),
    (51, "51-200", 0.1),
    (201, "201-500", 0.4),
    (501, "501-1000", 0.5),
    (1001, "1001-5000", 0.5),
    (5001, "5001-10000", 0.3),
    (10001, "10001+", 0.2),
)

# After an `upmarket` regime shift (`leadscore generate --shift upmarket`): the ideal customer
# moves to larger companies, so the fit weight rises with size instead of peaking mid-market.
UPMARKET_BAND_WEIGHTS: tuple[float, ...] = (-1.6, -1.2, -0.7, -0.2, 0.3, 0.8, 1.2, 1.4)

# --- product lines: key, share of persons, product page path, campaign topic -------------
# Each person's main product interest (hidden). It shows in the exports as visits to that
# line's product page (web events, Marketo "Visit Webpage"); seeds/taxonomy/
# product_line_signals.csv maps those paths to product lines for the warehouse.
PRODUCT_LINES: tuple[tuple[str, float, str], ...] = (
    ("lead_scoring", 0.4, "/product/lead-scoring"),
    ("attribution", 0.25, "/product/attribution"),
    ("forecasting", 0.2, "/product/forecasting"),
    ("data_quality", 0.15, "/product/data-quality"),
)

# --- countries: code, share, fit weight, spellings, time zones (zone, share) ----------------
COUNTRIES: tuple[tuple[str, float, float], ...] = (
    ("US", 0.50, 0.3),
    ("GB", 0.10, 0.2),
    ("DE", 0.07, 0.1),
    ("CA", 0.06, 0.2),
    ("FR", 0.04, 0.0),
    ("AU", 0.04, 0.1),
    ("NL", 0.03, 0.1),
    ("IN", 0.06, -0.5),
    ("BR", 0.03, -0.4),
    ("SG", 0.02, 0.0),
    ("ES", 0.02, -0.1),
    ("SE", 0.02, 0.1),
    ("JP", 0.01, -0.3),
)

SF_COUNTRY: Variants = {
    "US": (("United States", 6), ("USA", 2), ("US", 2), ("U.S.", 0.5), ("united states", 0.3)),
    "GB": (("United Kingdom", 5), ("UK", 3), ("Great Britain", 0.5), ("England", 0.5)),
    "DE": (("Germany", 6), ("Deutschland", 1), ("DE", 0.5)),
    "CA": (("Canada", 6), ("CA", 0.5)),
    "FR": (("France", 6), ("FR", 0.5)),
    "AU": (("Australia", 6), ("AU", 0.5)),
    "NL": (("Netherlands", 5), ("The Netherlands", 1), ("Holland", 0.3)),
    "IN": (("India", 6), ("IN", 0.3)),
    "BR": (("Brazil", 5), ("Brasil", 1)),
    "SG": (("Singapore", 1),),
    "ES": (("Spain", 5), ("España", 0.5)),
    "SE": (("Sweden", 5), ("Sverige", 0.3)),
    "JP": (("Japan", 5), ("JP", 0.3)),
}
HUBSPOT_COUNTRY: dict[str, str] = {
    "US": "United States",
    "GB": "United Kingdom",
    "DE": "Germany",
    "CA": "Canada",
    "FR": "France",
    "AU": "Australia",
    "NL": "Netherlands",
    "IN": "India",
    "BR": "Brazil",
    "SG": "Singapore",
    "ES": "Spain",
    "SE": "Sweden",
    "JP": "Japan",
}
MARKETO_COUNTRY: Variants = {
    "US": (("US", 4), ("United States", 3), ("United States of America", 1), ("USA", 1)),
    "GB": (("UK", 3), ("United Kingdom", 3), ("GB", 1)),
    "DE": (("Germany", 4), ("DE", 1)),
    "CA": (("Canada", 4), ("CA", 1)),
    "FR": (("France", 4), ("FR", 1)),
    "AU": (("Australia", 4), ("AU", 1)),
    "NL": (("Netherlands", 4), ("NL", 1)),
    "IN": (("India", 4),),
    "BR": (("Brazil", 4),),
    "SG": (("Singapore", 4),),
    "ES": (("Spain", 4),),
    "SE": (("Sweden", 4),),
    "JP": (("Japan", 4),),
}
TIMEZONES: dict[str, tuple[tuple[str, float], ...]] = {
    "US": (
        ("America/New_York", 0.45),
        ("America/Chicago", 0.25),
        ("America/Denver", 0.08),
        ("America/Los_Angeles", 0.22),
    ),
    "GB": (("Europe/London", 1.0),),
    "DE": (("Europe/Berlin", 1.0),),
    "CA": (("America/Toronto", 0.7), ("America/Vancouver", 0.3)),
    "FR": (("Europe/Paris", 1.0),),
    "AU": (("Australia/Sydney", 0.7), ("Australia/Perth", 0.3)),
    "NL": (("Europe/Amsterdam", 1.0),),
    "IN": (("Asia/Kolkata", 1.0),),
    "BR": (("America/Sao_Paulo", 1.0),),
    "SG": (("Asia/Singapore", 1.0),),
    "ES": (("Europe/Madrid", 1.0),),
    "SE": (("Europe/Stockholm", 1.0),),
    "JP": (("Asia/Tokyo", 1.0),),
}
# (state, city) per time zone, for Lead.State/City and Account.BillingState.
PLACES: dict[str, tuple[tuple[str, str], ...]] = {
    "America/New_York": (
        ("NY", "New York"),
        ("MA", "Boston"),
        ("GA", "Atlanta"),
        ("FL", "Miami"),
        ("PA", "Philadelphia"),
        ("NC", "Raleigh"),
    ),
    "America/Chicago": (
        ("IL", "Chicago"),
        ("TX", "Austin"),
        ("TX", "Dallas"),
        ("MN", "Minneapolis"),
    ),
    "America/Denver": (("CO", "Denver"), ("UT", "Salt Lake City")),
    "America/Los_Angeles": (
        ("CA", "San Francisco"),
        ("CA", "Los Angeles"),
        ("WA", "Seattle"),
        ("OR", "Portland"),
    ),
    "Europe/London": (("", "London"), ("", "Manchester"), ("", "Edinburgh")),
    "Europe/Berlin": (("", "Berlin"), ("", "Munich"), ("", "Hamburg")),
    "America/Toronto": (("ON", "Toronto"), ("QC", "Montreal")),
    "America/Vancouver": (("BC", "Vancouver"),),
    "Europe/Paris": (("", "Paris"), ("", "Lyon")),
    "Australia/Sydney": (("NSW", "Sydney"), ("VIC", "Melbourne")),
    "Australia/Perth": (("WA", "Perth"),),
    "Europe/Amsterdam": (("", "Amsterdam"), ("", "Rotterdam")),
    "Asia/Kolkata": (("", "Bangalore"), ("", "Mumbai"), ("", "Pune")),
    "America/Sao_Paulo": (("", "São Paulo"), ("", "Rio de Janeiro")),
    "Asia/Singapore": (("", "Singapore"),),
    "Europe/Madrid": (("", "Madrid"), ("", "Barcelona")),
    "Europe/Stockholm": (("", "Stockholm"),),
    "Asia/Tokyo": (("", "Tokyo"), ("", "Osaka")),
}

# --- seniority (from title): key, share, fit weight, titles ({f} = function) --------------
FUNCTIONS: tuple[str, ...] = (
    "Marketing",
    "Sales",
    "IT",
    "Engineering",
    "Operations",
    "Finance",
    "Data",
    "Revenue Operations",
)
SENIORITY: tuple[tuple[str, float, float, tuple[str, ...]], ...] = (
    (
        "c_level",
        0.05,
        0.5,
        (
            "CEO",
            "CTO",
            "CMO",
            "CFO",
            "COO",
            "CRO",
            "Chief Executive Officer",
            "Chief Marketing Officer",
            "Chief Technology Officer",
            "Founder",
            "Co-Founder & CEO",
            "President",
            "Owner",
        ),
    ),
    (
        "vp",
        0.09,
        0.7,
        ("VP of {f}", "Vice President, {f}", "VP {f}", "SVP {f}", "Head of {f}"),
    ),
    (
        "director",
        0.16,
        0.6,
        ("Director of {f}", "{f} Director", "Sr. Director, {f}", "Director, {f}"),
    ),
    (
        "manager",
        0.25,
        0.2,
        ("{f} Manager", "Manager, {f}", "Senior {f} Manager", "{f} Team Lead"),
    ),
    (
        "individual",
        0.35,
        -0.3,
        (
            "{f} Specialist",
            "{f} Analyst",
            "Senior {f} Analyst",
            "{f} Coordinator",
            "{f} Associate",
            "Software Engineer",
            "Data Engineer",
            "Account Executive",
        ),
    ),
    (
        "other",
        0.10,
        -1.2,
        ("Student", "Intern", "Consultant", "Freelancer", "Retired", "Professor", "test", "n/a"),
    ),
)

# --- channels: key, share, weight; spellings per system -------------------------------------
CHANNELS: tuple[tuple[str, float, float], ...] = (
    ("organic_search", 0.20, 0.2),
    ("paid_search", 0.15, 0.0),
    ("paid_social", 0.10, -0.4),
    ("email", 0.08, 0.0),
    ("referral", 0.07, 1.0),
    ("event", 0.08, 0.3),
    ("webinar", 0.10, 0.5),
    ("content_syndication", 0.08, -0.6),
    ("purchased_list", 0.05, -1.0),
    ("direct", 0.07, 0.4),
    ("other", 0.02, -0.2),
)
SF_LEAD_SOURCE: Variants = {
    "organic_search": (("Organic Search", 5), ("SEO", 1)),
    "paid_search": (("Paid Search", 3), ("Google AdWords", 2), ("Google Ads", 1), ("PPC", 0.5)),
    "paid_social": (("LinkedIn", 3), ("Social Media", 2), ("Facebook Ads", 0.5)),
    "email": (("Email", 4), ("Email Campaign", 1)),
    "referral": (("Partner Referral", 3), ("Employee Referral", 1), ("Customer Referral", 1)),
    "event": (("Trade Show", 4), ("Conference", 2), ("Event", 1)),
    "webinar": (("Webinar", 1),),
    "content_syndication": (("Content Syndication", 1),),
    "purchased_list": (("Purchased List", 3), ("List Import", 1)),
    "direct": (("Web", 5), ("Website", 2)),
    "other": (("Other", 1),),
}
HUBSPOT_SOURCE: dict[str, tuple[str, tuple[str, ...]]] = {
    # canonical -> (Original Source, Original Source Drill-Down 1 choices)
    "organic_search": ("ORGANIC_SEARCH", ("google", "bing", "duckduckgo")),
    "paid_search": ("PAID_SEARCH", ("google", "bing")),
    "paid_social": ("PAID_SOCIAL", ("LinkedIn", "Facebook")),
    "email": ("EMAIL_MARKETING", ("Newsletter", "Product Update", "Nurture Track")),
    "referral": ("REFERRALS", ("partner.example.com", "g2.com", "capterra.com")),
    "event": ("OFFLINE", ("CRM_UI",)),
    "webinar": ("OTHER_CAMPAIGNS", ("webinar",)),
    "content_syndication": ("OTHER_CAMPAIGNS", ("content-syndication",)),
    "purchased_list": ("OFFLINE", ("IMPORT",)),
    "direct": ("DIRECT_TRAFFIC", ("",)),
    "other": ("SOCIAL_MEDIA", ("twitter", "reddit")),
}
MARKETO_LEAD_SOURCE: dict[str, str] = {
    "organic_search": "Website - Organic",
    "paid_search": "Paid Search",
    "paid_social": "Paid Social",
    "email": "Email",
    "referral": "Referral",
    "event": "Tradeshow",
    "webinar": "Webinar",
    "content_syndication": "Content Syndication",
    "purchased_list": "List Upload",
    "direct": "Website",
    "other": "Other",
}
# Where one system is coarser than the canonical scheme (raw value -> several canonical keys).
LOSSY: dict[str, tuple[str, ...]] = {
    "hubspot.Original Source": ("OFFLINE", "OTHER_CAMPAIGNS"),
}

# --- statuses -------------------------------------------------------------------------------
SF_STATUS: dict[str, str] = {
    "open": "Open - Not Contacted",
    "mql": "Marketing Qualified",
    "working": "Working - Contacted",
    "sql": "Sales Qualified",
    "converted": "Closed - Converted",
    "closed_lost": "Closed - Not Converted",
    "recycled": "Recycled",
}
MARKETO_STATUS: dict[str, str] = {
    "open": "New",
    "mql": "MQL",
    "working": "SAL",
    "sql": "SQL",
    "converted": "Opportunity",
    "closed_lost": "Disqualified",
    "recycled": "Recycled",
}
HUBSPOT_LEAD_STATUS: dict[str, str] = {
    "open": "NEW",
    "mql": "OPEN",
    "working": "IN_PROGRESS",
    "sql": "CONNECTED",
    "converted": "OPEN_DEAL",
    "closed_lost": "UNQUALIFIED",
    "recycled": "BAD_TIMING",
}
OPEN_STAGES: tuple[str, ...] = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
)
CAMPAIGN_TYPES: tuple[tuple[str, float], ...] = (
    ("Webinar", 0.3),
    ("Email", 0.3),
    ("Conference", 0.1),
    ("Advertisement", 0.15),
    ("Content Syndication", 0.1),
    ("Other", 0.05),
)
CAMPAIGN_TOPICS: tuple[str, ...] = (
    "Data Quality 101",
    "Lead Scoring Playbook",
    "Pipeline Forecasting",
    "RevOps Summit",
    "Customer 360",
    "AI for Sales Teams",
    "Attribution Deep Dive",
    "Q4 Product Launch",
    "State of B2B Marketing",
    "Warehouse-Native Analytics",
)

# --- names, companies, free mail ------------------------------------------------------------
FIRST_NAMES: tuple[str, ...] = _words(
    """James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara
    Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew
    Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna
    Joshua Michelle Kenneth Carol Kevin Amanda Brian Dorothy George Melissa Timothy Deborah Ronald
    Stephanie Edward Rebecca Jason Sharon Jeffrey Laura Ryan Cynthia Jacob Kathleen Gary Amy
    Nicholas Angela Eric Shirley Jonathan Anna Stephen Brenda Larry Pamela Justin Emma Scott Nicole
    Brandon Helen Benjamin Samantha Samuel Katherine Gregory Christine Alexander Debra Frank Rachel
    Patrick Carolyn Raymond Janet Jack Catherine Dennis Maria Jerry Heather Tyler Diane Aaron Ruth
    Jose Julie Adam Olivia Nathan Joyce Henry Virginia Douglas Victoria Zachary Kelly Peter Lauren
    Kyle Christina Ethan Joan Walter Evelyn Noah Judith Jeremy Megan Christian Andrea Keith Cheryl
    Roger Hannah Terry Jacqueline Gerald Martha Harold Gloria Sean Teresa Austin Ann Carl Sara
    Arthur Madison Lawrence Frances Dylan Kathryn Jesse Janice Jordan Jean Bryan Abigail Billy
    Alice Joe Judy Bruce Sophia Gabriel Grace Logan Denise Albert Amber Willie Doris Alan Marilyn
    Juan Danielle Wayne Beverly Elijah Isabella Randy Theresa Roy Diana Vincent Natalie Ralph
    Brittany Eugene Charlotte Russell Marie Bobby Kayla Mason Alexis Philip Lori Priya Rahul Wei
    Mei Hiroshi Yuki Lukas Sofia Mateo Lucia Lars Ingrid Pierre Camille Hans Greta Arjun Ananya
    Chen Fatima Omar Aisha Carlos Ana Diego Valentina"""
)
LAST_NAMES: tuple[str, ...] = _words(
    """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
    Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
    Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
    Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips
    Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers
    Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson
    Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders
    Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler
    Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton
    Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina
    Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington
    Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter
    Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black
    Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson
    Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce
    Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll
    Lane Riley Andrews Ray Berry Perkins Hoffman Johnston Matthews Pena Richards Willis Carpenter
    Lawrence Sandoval Mueller Schneider Fischer Weber Becker Dubois Lefevre Moreau Sharma Gupta
    Singh Kumar Tanaka Suzuki Sato Wang Zhang Liu Larsson Nilsson Jansen deVries Rossi Costa"""
)
COMPANY_FIRST: tuple[str, ...] = _words(
    """Acme Blue Nova Apex Summit Vertex Bright North Silver Granite Harbor Pioneer Quantum Red
    Cedar Atlas Orbit Prime Clear Evergreen Falcon Golden Horizon Iron Lunar Maple Nimbus Oak
    Pacific Radiant Sierra Stellar Terra Union Vista Willow Zenith Alpine Beacon Cobalt Delta
    Ember Fusion Glacier Helix Indigo Juniper Keystone Lakeside Meridian Northstar Onyx Pinnacle
    Quartz Redwood Sapphire Titan Upland Vector Westfield Yellowstone Arrow Bay Canyon Crest Echo
    Frontier Grove Highland Insight Jade Kinetic Legacy Mosaic Noble Optima Paragon Crimson
    Riverside Spark Tidal Unity Valor Wave Axis Bold Core Dawn Elm Flux Gateway Hub Ivy Jet Kite
    Lumen Metro Nexus Omni Peak Quest Ridge Solar True Urban Vivid Wind Xeno Yield Zephyr"""
)
COMPANY_SECOND: dict[str, tuple[str, ...]] = {
    "software": ("Software", "Labs", "Cloud", "Systems", "Apps", "AI", "Data"),
    "it_services": ("Technologies", "IT Solutions", "Networks", "Digital", "Tech Services"),
    "financial_services": ("Capital", "Financial", "Investments", "Wealth", "Payments"),
    "banking": ("Bank", "Bancorp", "Savings", "Credit Union"),
    "insurance": ("Insurance", "Assurance", "Mutual", "Underwriters"),
    "healthcare": ("Health", "Medical", "Care", "Clinics", "Biotech"),
    "retail": ("Retail", "Stores", "Outfitters", "Market", "Brands"),
    "manufacturing": ("Manufacturing", "Industries", "Machining", "Components", "Works"),
    "education": ("University", "Academy", "Learning", "College", "Schools"),
    "telecommunications": ("Telecom", "Communications", "Wireless", "Broadband"),
    "media": ("Media", "Studios", "Publishing", "Entertainment"),
    "government": ("County", "City Services", "Agency", "Authority"),
    "consulting": ("Consulting", "Advisors", "Partners", "Group"),
    "energy": ("Energy", "Power", "Utilities", "Renewables", "Petroleum"),
}
LEGAL_SUFFIX: dict[str, tuple[tuple[str, float], ...]] = {
    "US": (("Inc.", 4), ("LLC", 2), ("Corp", 1), ("", 3)),
    "GB": (("Ltd", 5), ("plc", 1), ("", 3)),
    "DE": (("GmbH", 6), ("AG", 1), ("", 2)),
    "FR": (("SA", 3), ("SAS", 3), ("", 3)),
    "NL": (("B.V.", 5), ("", 3)),
    "_": (("", 4), ("Ltd", 1), ("Inc.", 1)),
}
COUNTRY_TLD: dict[str, tuple[tuple[str, float], ...]] = {
    "GB": ((".co.uk", 3), (".com", 2)),
    "DE": ((".de", 3), (".com", 2)),
    "FR": ((".fr", 3), (".com", 2)),
    "NL": ((".nl", 3), (".com", 2)),
    "AU": ((".com.au", 3), (".com", 2)),
    "IN": ((".in", 2), (".com", 3)),
    "BR": ((".com.br", 3), (".com", 2)),
    "_": ((".com", 8), (".io", 1), (".co", 0.5), (".net", 0.5)),
}
FREE_MAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("gmail.com", 0.55),
    ("yahoo.com", 0.12),
    ("outlook.com", 0.1),
    ("hotmail.com", 0.1),
    ("icloud.com", 0.05),
    ("aol.com", 0.03),
    ("protonmail.com", 0.02),
    ("gmx.de", 0.03),
)

# --- intent topics (Bombora-style), with relevance to our product (for surge weighting) -----
INTENT_TOPICS: tuple[tuple[str, str], ...] = (
    ("Lead Scoring", "Sales"),
    ("Predictive Analytics", "Technology"),
    ("Marketing Automation", "Marketing"),
    ("Customer Data Platform", "Technology"),
    ("Sales Intelligence", "Sales"),
    ("Revenue Operations", "Sales"),
    ("Data Warehousing", "Technology"),
    ("Account-Based Marketing", "Marketing"),
    ("CRM Software", "Technology"),
    ("Demand Generation", "Marketing"),
    ("Business Intelligence", "Technology"),
    ("Sales Enablement", "Sales"),
    ("Data Quality", "Technology"),
    ("Machine Learning", "Technology"),
    ("Marketing Attribution", "Marketing"),
    ("Pipeline Management", "Sales"),
    ("Cloud Computing", "Technology"),
    ("Email Marketing", "Marketing"),
    ("Conversion Rate Optimization", "Marketing"),
    ("Data Integration", "Technology"),
)

# --- owners ---------------------------------------------------------------------------------
OWNER_NAMES: tuple[str, ...] = (
    "Alex Morgan",
    "Jamie Chen",
    "Priya Nair",
    "Marcus Webb",
    "Sofia Rossi",
    "Daniel Okafor",
    "Hannah Becker",
    "Lucas Martin",
    "Emily Tanaka",
    "Omar Haddad",
    "Grace Kim",
    "Noah Fischer",
)

# --- web ------------------------------------------------------------------------------------
WEB_HOST = "https://www.leadscore-demo.com"
WEB_PAGES: tuple[tuple[str, float, float], ...] = (
    # path, base weight, extra weight for high-interest visitors
    ("/", 5, 0),
    ("/blog/lead-scoring-101", 3, 0),
    ("/blog/warehouse-native-analytics", 2, 0),
    ("/product", 2, 1),
    ("/product/integrations", 1, 1),
    ("/customers", 1, 1),
    ("/docs/getting-started", 1, 1),
    ("/pricing", 0.5, 2.5),
    ("/demo", 0.2, 1.5),
    ("/careers", 0.5, 0),
)
TRACK_EVENTS: tuple[tuple[str, float, float], ...] = (
    # event, base weight, extra weight for high-interest visitors
    ("Content Downloaded", 2, 1),
    ("Form Submitted", 1, 1),
    ("Pricing Page Viewed", 0.5, 2),
    ("Feature Used", 0.3, 1.5),
    ("Trial Started", 0.1, 1),
    ("Demo Requested", 0.05, 1),
)

# --- Marketo activity types: id, name, base weight, extra weight for high interest ----------
MARKETO_ACTIVITY_TYPES: tuple[tuple[int, str, float, float], ...] = (
    (6, "Send Email", 4, 0.5),
    (7, "Email Delivered", 3.5, 0.5),
    (10, "Open Email", 1.5, 3),
    (11, "Click Email", 0.3, 1.5),
    (1, "Visit Webpage", 0.7, 2.5),
    (3, "Click Link", 0.2, 0.8),
    (2, "Fill Out Form", 0.1, 1.0),
    (104, "Change Status in Progression", 0.05, 0.6),
    (13, "Change Data Value", 0.4, 0.3),
    (8, "Email Bounced", 0.15, 0),
    (9, "Unsubscribe Email", 0.12, 0),
)
MARKETO_NEW_LEAD = (12, "New Lead")
MARKETO_EMAILS: tuple[str, ...] = (
    "Newsletter - Monthly",
    "Nurture 1 - Welcome",
    "Nurture 2 - Case Study",
    "Nurture 3 - Pricing Guide",
    "Webinar Invite",
    "Webinar Reminder",
    "Product Update",
    "Event Follow-up",
)
MARKETO_FORMS: tuple[str, ...] = (
    "Contact Us",
    "Demo Request",
    "Ebook Download - Lead Scoring Guide",
    "Webinar Registration",
    "Free Trial Sign-up",
)


def owner_email(name: str) -> str:
    """A rep's work email: the same in every CRM they are an owner in (Salesforce User,
    HubSpot owner), as at a real company."""
    return f"{name.lower().replace(' ', '.')}@{WEB_HOST.split('//')[-1].removeprefix('www.')}"
