"""The spa's service menu and staff: what the generator books, who performs it, how often it recurs.

Prices are list prices in cents. Each service also carries the treatment rhythm that drives
repeat visits (Botox about every three months, laser hair removal as a series of sessions six
weeks apart, ...) and the staff roles allowed to perform it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from service.seed.output import make_id, provider_record, service_record
from service.seed.phones import phone_number

INJECTOR, AESTHETICIAN, LASER = "injector", "aesthetician", "laser"


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    name: str
    description: str
    price: int  # cents
    duration: int  # minutes
    primary_weight: float  # how often it is the reason for a visit
    addon_weight: float  # how often it is added to another service's visit
    interval_days: int  # typical days between two sessions
    interval_jitter: int  # +/- days around it
    return_rate: float  # chance that a patient comes back for the next session
    series_length: int  # sessions in a treatment course; 0 for open-ended maintenance
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    first_name: str
    last_name: str
    roles: tuple[str, ...]
    workload: float  # relative share of the bookings for the services they perform
    tenure_days: int  # hired this many days before the history starts


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "Botox Injection",
        "Neuromodulator injections that relax the muscles behind frown lines, crow's feet and "
        "forehead lines. Priced per treatment of up to 30 units; results show within a week "
        "and last three to four months.",
        42_500, 30, 0.25, 0.17, 95, 18, 0.82, 0, (INJECTOR,),
    ),
    ServiceSpec(
        "Dermal Filler",
        "Hyaluronic acid filler (one syringe) to restore volume in the lips, cheeks or "
        "nasolabial folds. Includes a two-week follow-up check; results last six to twelve months.",
        72_500, 45, 0.17, 0.12, 180, 30, 0.70, 0, (INJECTOR,),
    ),
    ServiceSpec(
        "Chemical Peel",
        "Medium-depth glycolic and salicylic peel that evens tone, softens fine lines and clears "
        "congested pores. Expect light flaking for three to five days; best as a series of three to six.",
        18_500, 30, 0.06, 0.16, 35, 7, 0.72, 6, (AESTHETICIAN,),
    ),
    ServiceSpec(
        "Microneedling",
        "Collagen induction therapy with a medical-grade pen and hyaluronic serum for acne scars, "
        "texture and enlarged pores. A course of three sessions four to six weeks apart is recommended.",
        39_500, 60, 0.07, 0.05, 35, 7, 0.80, 4, (AESTHETICIAN, INJECTOR),
    ),
    ServiceSpec(
        "HydraFacial",
        "Three-step cleanse, extraction and hydration facial with an antioxidant serum infusion. "
        "No downtime; most clients book it monthly.",
        22_500, 60, 0.12, 0.15, 30, 7, 0.80, 0, (AESTHETICIAN,),
    ),
    ServiceSpec(
        "Laser Hair Removal",
        "Diode laser hair reduction for one medium area (underarms, bikini line or lower legs). "
        "Six to eight sessions about six weeks apart give lasting results.",
        27_500, 45, 0.10, 0.06, 42, 7, 0.90, 8, (LASER,),
    ),
    ServiceSpec(
        "CoolSculpting",
        "Cryolipolysis that freezes and eliminates fat cells in one area such as the abdomen, "
        "flanks or chin. One applicator cycle plus massage; results appear over one to three months.",
        85_000, 75, 0.05, 0.03, 56, 14, 0.50, 3, (LASER,),
    ),
    ServiceSpec(
        "RF Skin Tightening",
        "Radiofrequency treatment that heats the deeper skin layers to firm the jawline, neck and "
        "abdomen. Comfortable, no downtime; typically three sessions a month apart.",
        65_000, 60, 0.05, 0.04, 32, 6, 0.78, 3, (LASER, INJECTOR),
    ),
    ServiceSpec(
        "Facial Treatment",
        "Signature facial tailored to the skin type: deep cleanse, exfoliation, extractions, "
        "mask and LED light therapy. A relaxing monthly reset.",
        14_500, 60, 0.09, 0.17, 30, 7, 0.76, 0, (AESTHETICIAN,),
    ),
    ServiceSpec(
        "Body Contouring",
        "Electromagnetic muscle stimulation that builds muscle and burns fat on the abdomen or "
        "buttocks. A course of four sessions a week or two apart.",
        55_000, 45, 0.04, 0.05, 10, 3, 0.90, 4, (LASER,),
    ),
)

PROVIDERS: tuple[ProviderSpec, ...] = (
    ProviderSpec("Elena", "Vasquez", (INJECTOR,), 1.4, 900),
    ProviderSpec("Daniel", "Okafor", (INJECTOR,), 1.0, 420),
    ProviderSpec("Priya", "Raman", (INJECTOR,), 1.1, 610),
    ProviderSpec("Rachel", "Kim", (INJECTOR, LASER), 0.7, 120),
    ProviderSpec("Sofia", "Marino", (AESTHETICIAN,), 1.3, 1300),
    ProviderSpec("Jasmine", "Brooks", (AESTHETICIAN,), 1.0, 350),
    ProviderSpec("Hannah", "Lindqvist", (AESTHETICIAN,), 0.8, 60),
    ProviderSpec("Marcus", "Hale", (LASER,), 1.2, 700),
    ProviderSpec("Tina", "Nguyen", (LASER,), 1.0, 480),
    ProviderSpec("Colleen", "Foster", (LASER, AESTHETICIAN), 0.6, 200),
)


def qualified_providers(service: ServiceSpec) -> list[tuple[int, float]]:
    """(provider index, workload) of everyone allowed to perform the service, in menu order."""
    return [
        (index, provider.workload)
        for index, provider in enumerate(PROVIDERS)
        if any(role in provider.roles for role in service.roles)
    ]


class Catalog:
    """Ids and export rows of the menu and the staff, drawn from the catalog's own random stream.

    The menu was set up a month before the history starts; providers were hired at their tenure and
    have work emails; their phones are as messy as the patients'.
    """

    def __init__(self, rng: random.Random, history_start: date) -> None:
        self.service_ids = [make_id("svc_", rng, i) for i in range(len(SERVICES))]
        self.provider_ids = [make_id("prv_", rng, i) for i in range(len(PROVIDERS))]
        setup = datetime.combine(history_start - timedelta(days=30), time(9, 12, 5))
        self.service_rows = [
            service_record(
                self.service_ids[i], s.name, s.description, s.price, s.duration,
                (setup + timedelta(microseconds=1013 + 41 * i)).isoformat(timespec="microseconds"),
            )
            for i, s in enumerate(SERVICES)
        ]
        self.provider_rows = []
        for i, p in enumerate(PROVIDERS):
            hired = datetime.combine(history_start - timedelta(days=p.tenure_days), time(9)) + timedelta(
                seconds=int(rng.random() * 8 * 3600), microseconds=1 + int(rng.random() * 999_999)
            )
            self.provider_rows.append(provider_record(
                self.provider_ids[i], p.first_name, p.last_name,
                f"{p.first_name}.{p.last_name}@example.com".lower(), phone_number(rng),
                hired.isoformat(timespec="microseconds"),
            ))
