"""Patient by patient, a year of visits up to the anchor plus bookings ahead of it.

Each patient gets a profile (gender, age, acquisition source) and, unless they never booked, a
first booking somewhere in the year (more of them later: the spa is growing), then repeat visits
at the rhythm of their treatment (see `catalog.py`). Every visit becomes an appointment with one
to three service lines and, once it is in the past, usually a payment. All of a patient's rows are
produced together, so a block of patients can be generated and written independently of the rest.

Time is in integer minutes on a `Clock`; "now" is the anchor date at 00:00: everything created
or finished lies before it, bookings ahead of it start on or after it.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from math import sqrt

from service.seed import people
from service.seed.catalog import SERVICES, Catalog, qualified_providers
from service.seed.clock import MINUTES_PER_DAY, Clock
from service.seed.output import (
    appointment_record,
    line_record,
    make_id,
    patient_record,
    payment_record,
)
from service.seed.phones import phone_number

HISTORY_DAYS = 365
HORIZON_DAYS = 60  # bookings reach this many days past the anchor
BLOCK_SIZE = 1000  # patients per independently seeded block
BLOCK_BITS = 20  # appointment and payment counters: block index above, count within the block below

# Shares of the whole population or of the relevant rows.
NEVER_BOOKED = 0.37
GROWTH = 1.5  # new patients per day at the anchor are 1 + GROWTH times those a year before
MULTI_LINE = 0.33  # appointments with two or three services
THREE_LINES = 0.2  # of the multi-line ones
LINE_GAP = 0.2  # a 15-minute gap before a following line
SAME_PROVIDER = 0.5  # a following line stays with the previous line's provider when qualified
CANCELLED = 0.085  # of past appointments
REBOOK_AFTER_CANCEL = 0.7
PAST_CONFIRMED = 0.55  # the rest of past visits stay "pending": nobody closes them (as in the export)
LATE_RECORD = 0.12  # patients whose record was created only after their first visit
REBOOK_AT_CHECKOUT = 0.3
UNPAID = 0.03  # past visits without any payment row
FAILED = 0.015  # of payments
PENDING = 0.02  # of payments
CROSS_SELL = 0.05  # a returning patient switches to another treatment
COURSE_FOLLOW_UP = 0.35  # after a finished course, a patient starts another treatment
LAPSED_COMEBACK = 0.12  # a patient who skipped a session comes back later for something else

SOURCES = ("instagram", "google", "tiktok", "in_person", "phone", "website")
_SOURCE_WEIGHTS = (25, 20, 18, 14, 11, 12)
_SOURCE_MEAN_AGE = (36.0, 43.0, 31.0, 45.0, 47.0, 41.0)  # tiktok skews young, phone callers older
GENDERS = ("female", "male", "other")
_GENDER_WEIGHTS = (70, 28, 2)
METHODS = ("credit_card", "debit_card", "cash", "check")
_METHOD_WEIGHTS = (40, 29, 20, 11)
_WEEKDAY_WEIGHTS = (1.0, 1.1, 1.1, 1.2, 1.25, 0.95, 0.12)  # Monday first; few Sunday appointments
_WEEKDAY_MAX = max(_WEEKDAY_WEIGHTS)
OPENS, CLOSES = 9 * 60, 19 * 60
_HOUR_WEIGHTS = (0.7, 1.1, 1.3, 1.1, 0.9, 1.0, 1.1, 1.25, 1.1, 0.6)  # 9:00 .. 18:00 starts
_WEEKEND_HOUR_WEIGHTS = (1.0, 1.3, 1.3, 1.2, 1.0, 0.8, 0.5, 0.3, 0.15, 0.05)


def _cumulative(weights: tuple[float, ...] | list[float]) -> tuple[list[float], float]:
    cum = list(accumulate(weights))
    return cum, cum[-1]


@dataclass
class Block:
    """The rows of one block of patients, as record text per file kind."""

    patient: list[str] = field(default_factory=list)
    appointment: list[str] = field(default_factory=list)
    appointment_service: list[str] = field(default_factory=list)
    payment: list[str] = field(default_factory=list)


class History:
    """Deterministic generator of the catalog and of patient blocks for one (seed, anchor)."""

    def __init__(self, seed: int, anchor: date) -> None:
        self.seed = seed
        self.clock = clock = Clock(anchor, HISTORY_DAYS + 10, HORIZON_DAYS + 20)
        self.first_day = clock.anchor_day - HISTORY_DAYS
        self.now = clock.anchor_day * MINUTES_PER_DAY
        self.horizon_day = clock.anchor_day + HORIZON_DAYS
        catalog = Catalog(random.Random(f"medspa-seed:{seed}:catalog"), anchor - timedelta(days=HISTORY_DAYS))
        self.service_ids, self.provider_ids = catalog.service_ids, catalog.provider_ids
        self.catalog_rows = catalog.provider_rows, catalog.service_rows
        self._primary = _cumulative([s.primary_weight for s in SERVICES])
        self._addon = _cumulative([s.addon_weight for s in SERVICES])
        self._qualified = [qualified_providers(s) for s in SERVICES]
        self._can_do = [{p for p, _ in q} for q in self._qualified]
        self._provider_pick = [(
            [p for p, _ in q], *_cumulative([w for _, w in q])) for q in self._qualified
        ]
        self._sources = _cumulative(_SOURCE_WEIGHTS)
        self._genders = _cumulative(_GENDER_WEIGHTS)
        self._methods = _cumulative(_METHOD_WEIGHTS)
        self._hours = _cumulative(_HOUR_WEIGHTS)
        self._weekend_hours = _cumulative(_WEEKEND_HOUR_WEIGHTS)
        self._anchor_ordinal = anchor.toordinal()

    def _growth_day(self, rng: random.Random) -> int:
        """A day of the history, with density rising linearly from 1 to 1 + GROWTH."""
        u = rng.random()
        x = (sqrt(1.0 + GROWTH * (2.0 + GROWTH) * u) - 1.0) / GROWTH
        return self.first_day + min(HISTORY_DAYS - 1, int(x * HISTORY_DAYS))

    def block(self, index: int, patients: int) -> Block:
        """Rows of patients index * BLOCK_SIZE .. + patients, from the block's own random stream."""
        rng = random.Random(f"medspa-seed:{self.seed}:block:{index}")
        out = Block()
        counters = [index << BLOCK_BITS, index << BLOCK_BITS]  # appointments, payments
        for number in range(index * BLOCK_SIZE, index * BLOCK_SIZE + patients):
            self._patient(rng, number, counters, out)
        return out

    def _patient(self, rng: random.Random, number: int, counters: list[int], out: Block) -> None:
        rand = rng.random
        patient_id = make_id("pat_", rng, number)
        cum, total = self._sources
        source_index = bisect(cum, rand() * total)
        cum, total = self._genders
        gender = GENDERS[bisect(cum, rand() * total)]
        first = people.first_name(rng, gender)
        last = people.last_name(rng)
        age = min(75.0, max(19.0, rng.gauss(_SOURCE_MEAN_AGE[source_index], 11.0)))
        birth = date.fromordinal(self._anchor_ordinal - int(age * 365.25)).isoformat() + "T00:00:00"
        address = people.address(rng)
        phone = phone_number(rng)
        email = people.email(rng, first, last)
        if rand() < NEVER_BOOKED:
            created_second = self._growth_day(rng) * 86_400 + 8 * 3600 + int(rand() * 13 * 3600)
        else:
            first_booked, first_start = self._visits(rng, patient_id, counters, out)
            if rand() < LATE_RECORD and first_start >= 0:  # entered at the desk on the day or weeks later
                created_second = min(self.now * 60 - 1, first_start * 60 + int(rand() * 45 * 86_400))
            else:  # usually the record is made just before the first booking
                created_second = first_booked * 60 - 60 - int(rand() ** 2 * 3 * 86_400)
        created = self.clock.micro_text(created_second, int(rand() * 1_000_000))
        out.patient.append(patient_record(
            patient_id, first, last, birth, gender, SOURCES[source_index], address, phone, email, created,
        ))

    def _booking_minute(self, rng: random.Random, day: int) -> int:
        """When a booking was made: a 15-minute slot between 8:00 and 21:00 (phone, desk or online)."""
        return day * MINUTES_PER_DAY + (32 + int(rng.random() * 53)) * 15

    def _visit_day(self, rng: random.Random, day: int, booked_day: int) -> int:
        """Nudges a target day so that busy weekdays get more visits and Sundays few."""
        clock, rand = self.clock, rng.random
        for _ in range(4):
            if rand() * _WEEKDAY_MAX < _WEEKDAY_WEIGHTS[clock.weekday(day)]:
                break
            day = max(booked_day + 1, day + int(rand() * 7) - 3)
        return day

    def _visits(
        self, rng: random.Random, patient_id: str, counters: list[int], out: Block
    ) -> tuple[int, int]:
        """Writes the patient's appointments; returns when the first was booked and when it starts."""
        rand = rng.random
        cum, total = self._primary
        service = bisect(cum, rand() * total)
        booked = first_booked = self._booking_minute(rng, self._growth_day(rng))
        day = booked // MINUTES_PER_DAY + 1 + int(rand() ** 2 * 35)
        cum, total = self._methods
        method = METHODS[bisect(cum, rand() * total)]
        providers: dict[int, int] = {}
        sessions, first_start = 0, -1
        while booked < self.now and day <= self.horizon_day + 3:
            day = self._visit_day(rng, day, booked // MINUTES_PER_DAY)
            if day > self.horizon_day:
                break
            start, end, cancelled = self._appointment(
                rng, patient_id, service, day, booked, method, providers, counters, out
            )
            if first_start < 0:
                first_start = start
            if day >= self.clock.anchor_day:
                break  # one booking ahead is all a patient holds
            if cancelled:
                if rand() >= REBOOK_AFTER_CANCEL:
                    break
                booked = max(booked + 15, self._booking_minute(rng, day - 1 - int(rand() * 3)))
                day += 4 + int(rand() * 21)
                continue
            spec = SERVICES[service]
            sessions += 1
            gap = spec.interval_days + int((rand() + rand() - 1.0) * spec.interval_jitter)
            if spec.series_length and sessions >= spec.series_length:
                if rand() >= COURSE_FOLLOW_UP:
                    break
                service, sessions, gap = self._other_service(rng, service), 0, 30 + int(rand() * 90)
            elif rand() >= spec.return_rate:
                if rand() >= LAPSED_COMEBACK:
                    break
                service, sessions, gap = self._other_service(rng, service), 0, 30 + int(rand() * 150)
            elif rand() < CROSS_SELL:
                service, sessions = self._other_service(rng, service), 0
            day += max(7, gap)
            if rand() < REBOOK_AT_CHECKOUT:
                booked = (end // 15 + 1 + int(rand() * 2)) * 15
            else:
                lead = 2 + int(rand() ** 2 * 30)
                booked = max((end // 15 + 1) * 15, self._booking_minute(rng, day - lead))
        return first_booked, first_start

    def _other_service(self, rng: random.Random, current: int) -> int:
        cum, total = self._primary
        for _ in range(8):
            picked = bisect(cum, rng.random() * total)
            if picked != current:
                return picked
        return (current + 1) % len(SERVICES)

    def _provider(self, rng: random.Random, service: int, providers: dict[int, int]) -> int:
        """The patient's usual provider for this service; now and then someone else."""
        provider = providers.get(service)
        if provider is None or rng.random() < 0.15:
            choices, cum, total = self._provider_pick[service]
            provider = choices[bisect(cum, rng.random() * total)]
            providers[service] = provider
        return provider

    def _appointment(
        self, rng: random.Random, patient_id: str, primary: int, day: int, booked: int, method: str,
        providers: dict[int, int], counters: list[int], out: Block,
    ) -> tuple[int, int, bool]:
        """Writes one appointment with its lines and payment; returns (start, end, cancelled)."""
        rand = rng.random
        services = [primary]
        if rand() < MULTI_LINE:
            cum, total = self._addon
            wanted = 3 if rand() < THREE_LINES else 2
            for _ in range(12):
                extra = bisect(cum, rand() * total)
                if extra not in services:
                    services.append(extra)
                    if len(services) == wanted:
                        break
        length = sum(SERVICES[s].duration for s in services) + 15 * (len(services) - 1)
        weekend = self.clock.weekday(day) >= 5
        cum, total = self._weekend_hours if weekend else self._hours
        start = OPENS + bisect(cum, rand() * total) * 60 + int(rand() * 4) * 15
        start = day * MINUTES_PER_DAY + min(start, (CLOSES - length) // 15 * 15)

        future = day >= self.clock.anchor_day
        if future:
            status = "confirmed" if rand() < (0.75 if day - self.clock.anchor_day < 7 else 0.35) else "pending"
        elif rand() < CANCELLED:
            status = "cancelled"
        else:
            status = "confirmed" if rand() < PAST_CONFIRMED else "pending"
        appointment_id = make_id("apt_", rng, counters[0])
        counters[0] += 1
        text = self.clock.minute_text
        out.appointment.append(appointment_record(appointment_id, patient_id, status, text(booked)))

        amount, previous, first_provider, t = 0, -1, -1, start
        for s in services:
            spec = SERVICES[s]
            if previous >= 0 and previous in self._can_do[s] and rand() < SAME_PROVIDER:
                provider = previous
            else:
                provider = self._provider(rng, s, providers)
            if first_provider < 0:
                first_provider = provider
            if previous >= 0 and rand() < LINE_GAP:
                t += 15
            out.appointment_service.append(line_record(
                appointment_id, self.service_ids[s], self.provider_ids[provider], text(t), text(t + spec.duration)
            ))
            t += spec.duration
            amount += spec.price
            previous = provider
        end = t

        if not future and status != "cancelled" and rand() >= UNPAID:
            self._payment(rng, patient_id, appointment_id, primary, first_provider, amount, booked, end,
                          method, counters, out)
        return start, end, status == "cancelled"

    def _payment(
        self, rng: random.Random, patient_id: str, appointment_id: str, service: int, provider: int,
        amount: int, booked: int, end: int, method: str, counters: list[int], out: Block,
    ) -> None:
        rand = rng.random
        r = rand()
        status = "failed" if r < FAILED else "pending" if r < FAILED + PENDING else "paid"
        if rand() >= 0.75:
            cum, total = self._methods
            method = METHODS[bisect(cum, rand() * total)]
        if status == "failed" and method == "cash":
            method = "credit_card"  # cash does not bounce
        paid_at = end if rand() < 0.6 else end + 15 * (1 + int(rand() * 8))
        # Invoices are raised up to a few days ahead, never before the booking itself.
        days_before = min(int(rand() * 5), (paid_at - booked) // MINUTES_PER_DAY)
        payment_id = make_id("pay_", rng, counters[1])
        counters[1] += 1
        text = self.clock.minute_text
        out.payment.append(payment_record(
            payment_id, patient_id, amount, text(paid_at), method, status, self.provider_ids[provider],
            appointment_id, self.service_ids[service], text(paid_at - days_before * MINUTES_PER_DAY),
        ))
