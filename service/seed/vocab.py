"""Word lists for generated people and places: plain ASCII, so no JSON escaping is ever needed.

Kept as data only; `people.py` combines them into names, emails and addresses.
"""

from __future__ import annotations

FEMALE_FIRST = tuple(
    """
    Jennifer Jessica Ashley Sarah Amanda Emily Melissa Nicole Stephanie Elizabeth Rachel Lauren Megan
    Heather Amy Michelle Kimberly Rebecca Laura Samantha Danielle Christina Kelly Angela Brittany Lisa
    Hannah Olivia Emma Sophia Isabella Mia Abigail Madison Chloe Grace Natalie Victoria Alexis Taylor
    Brianna Kayla Morgan Andrea Vanessa Erin Katherine Courtney Alyssa Jasmine Monica Crystal Tiffany
    Erica Julie Karen Patricia Susan Linda Nancy Betty Sandra Donna Carol Sharon Deborah Cynthia Diana
    Teresa Denise Tracy Kristen Allison Natasha Gabriela Sofia Camila Valeria Mariana Daniela Lucia
    Ana Maria Carmen Rosa Leticia Priya Anjali Mei Ling Yuki Hana Jin Aaliyah Imani Nia Destiny Ebony
    Keisha Tamara Renee Monique Colleen Holly Paige Sydney Jenna Leah Molly Kaitlyn Caroline Claire
    Audrey Hailey Ava Zoe Lily Ella Harper Aubrey Nora Riley Stella Violet Aurora Savannah Brooke
    """.split()
)

MALE_FIRST = tuple(
    """
    Michael Christopher Matthew Joshua David Daniel James Robert John Joseph Andrew Ryan Brandon Jason
    Justin William Jonathan Brian Anthony Kevin Eric Steven Thomas Timothy Richard Jeffrey Mark Scott
    Aaron Adam Benjamin Nicholas Tyler Jacob Zachary Kyle Nathan Samuel Gregory Patrick Sean Paul
    Jeremy Travis Derek Marcus Carlos Luis Jose Juan Miguel Diego Alejandro Antonio Rafael Omar Ahmed
    Raj Arjun Wei Kenji Hiroshi Minh Andre Darnell Terrence Malik Jamal Curtis Barry Dennis Gary Keith
    Peter George Edward Frank Raymond Ethan Noah Liam Mason Logan Lucas Owen Caleb Dylan Austin Evan
    Cole Blake Chase Trevor Grant Spencer Wesley Preston Damian Victor Hector Ivan Nolan Colin Elliot
    """.split()
)

LAST = tuple(
    """
    Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
    Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
    Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams
    Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker
    Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper
    Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James
    Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster
    Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher
    Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno
    West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall
    Owens Harrison Fernandez Mcdonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb
    Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason
    Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren
    Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne
    Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight
    Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry
    Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval Wong
    Booth Knox Johns Trevino Dawson Pineda Walsh Larson Frazier Burke Hale Wolfe Horton Yang Singh
    """.split()
)

STREET_SUFFIXES = tuple(
    """
    Street Avenue Road Drive Lane Court Place Way Boulevard Circle Terrace Trail Parkway Square Loop
    Ridge Crest Hills Heights Park Grove Meadows Springs Station Crossing Point Manor Falls Shoals
    Inlet Islands Cape Union Forest Lock Centers Village Gardens Harbor View Pass Run Knoll Glen
    """.split()
)

CITY_PREFIXES = ("North", "South", "East", "West", "New", "Lake", "Port", "Mount")

CITY_SUFFIXES = tuple(
    """
    town ton ville berg burgh borough bury view port mouth stad furt chester fort haven side shire
    land field wood dale
    """.split()
)

# (state, first three zip digits low, high), repeated to weight a California clinic's catchment:
# mostly home state, some neighbours, a few from anywhere.
_STATE_ZIPS = {
    "CA": (900, 961), "NV": (889, 898), "AZ": (850, 865), "OR": (970, 979), "WA": (980, 994),
    "TX": (750, 799), "NY": (100, 149), "FL": (320, 349), "IL": (600, 629), "CO": (800, 816),
    "UT": (840, 847), "HI": (967, 968), "MA": (10, 27), "NJ": (70, 89), "GA": (300, 319),
}
_STATE_WEIGHTS = {"CA": 40, "NV": 3, "AZ": 3, "OR": 2, "WA": 2}
STATES = tuple(
    (state, lo, hi) for state, (lo, hi) in _STATE_ZIPS.items() for _ in range(_STATE_WEIGHTS.get(state, 1))
)

# Real California area codes; the rest of the numbers get any valid area code.
LOCAL_AREA_CODES = (
    213, 310, 323, 408, 415, 424, 510, 562, 619, 626, 650, 657, 714, 760, 805, 818, 858, 909, 916, 949, 951,
)

MILITARY = (
    ("DPO", "AE"),
    ("FPO", "AA"),
    ("APO", "AP"),
    ("FPO", "AE"),
)

EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
