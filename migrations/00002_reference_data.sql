-- +goose Up

-- Statutory interest rates (percent a year, as basis points) with their sources.
-- Consumer rate: art. 6:119 BW, set by Order in Council (AMvB) published in the Staatsblad.
-- Commercial rate: art. 6:119a BW, the ECB main refinancing rate of the last operation
-- before 1 January / 1 July plus 8 percentage points.
-- Operators add later rows with `settle rates add` (no release needed).
INSERT INTO interest_rates (kind, valid_from, basis_points, source) VALUES
    ('consumer',   '2015-01-01', 200,  'Stb. 2014, 491 (2% from 1 January 2015), in force until 1 January 2023'),
    ('consumer',   '2023-01-01', 400,  'Besluit vaststelling wettelijke rente (AMvB of 15 December 2022): 4%; several public sources'),
    ('consumer',   '2023-07-01', 600,  'AMvB art. 6:119/6:120 BW: 6% from 1 July 2023; several public sources'),
    ('consumer',   '2024-01-01', 700,  'Stb. 2023, 484: 7% from 1 January 2024; several public sources'),
    ('consumer',   '2024-07-01', 700,  'unchanged at 7% on 1 July 2024 (public rate tables)'),
    ('consumer',   '2025-01-01', 600,  'AMvB of 10 December 2024: 6% from 1 January 2025; single public source'),
    ('consumer',   '2025-07-01', 600,  'unchanged at 6% per team brief; NOT confirmed by a public source found (method MRO 2.40 + 2.25 would give 5%)'),
    ('consumer',   '2026-01-01', 400,  '4% per team brief; decree not found; consistent with method (ECB MRO 2.15 + 2.25, rounded)'),
    ('consumer',   '2026-07-01', 400,  'no new decree known for 1 July 2026; 4% continues (method: MRO 2.15 end of April 2026 + 2.25)'),
    ('commercial', '2016-01-01', 805,  'ECB MRO 0.05% (10 Sep 2014) + 8 = 8.05%'),
    ('commercial', '2016-07-01', 800,  'ECB MRO 0.00% (16 Mar 2016) + 8'),
    ('commercial', '2022-07-01', 800,  'ECB MRO 0.00% + 8 (the first hike took effect 27 July 2022)'),
    ('commercial', '2023-01-01', 1050, 'ECB MRO 2.50% (21 Dec 2022) + 8'),
    ('commercial', '2023-07-01', 1200, 'ECB MRO 4.00% (21 Jun 2023) + 8'),
    ('commercial', '2024-01-01', 1250, 'ECB MRO 4.50% (20 Sep 2023) + 8'),
    ('commercial', '2024-07-01', 1225, 'ECB MRO 4.25% (12 Jun 2024) + 8'),
    ('commercial', '2025-01-01', 1115, 'ECB MRO 3.15% (18 Dec 2024) + 8'),
    ('commercial', '2025-07-01', 1015, 'ECB MRO 2.15% (11 Jun 2025) + 8'),
    ('commercial', '2026-01-01', 1015, 'ECB MRO 2.15% (unchanged since 11 Jun 2025; last operation of Dec 2025) + 8'),
    ('commercial', '2026-07-01', 1040, 'per team brief (ECB MRO 2.40% + 8); NOT confirmed: latest MRO found is 2.15% on 1 Apr 2026; verify');

-- Days equated with a public holiday for the Algemene termijnenwet (art. 3 lid 3),
-- by decrees in the Staatscourant. Operators add later decrees with `settle holidays add`.
INSERT INTO equated_holidays (day, source) VALUES
    ('2023-04-28', 'Besluit gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024, 27 december 2024 en 30 mei 2025 met een algemeen erkende feestdag (Stcrt.)'),
    ('2023-05-19', 'Besluit gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024, 27 december 2024 en 30 mei 2025 met een algemeen erkende feestdag (Stcrt.)'),
    ('2024-05-10', 'Besluit gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024, 27 december 2024 en 30 mei 2025 met een algemeen erkende feestdag (Stcrt.)'),
    ('2024-12-27', 'Besluit gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024, 27 december 2024 en 30 mei 2025 met een algemeen erkende feestdag (Stcrt.)'),
    ('2025-05-30', 'Besluit gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024, 27 december 2024 en 30 mei 2025 met een algemeen erkende feestdag (Stcrt.)'),
    ('2026-01-02', 'Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, 28 april 2028 en 26 mei 2028 met een algemeen erkende feestdag (Stcrt.)'),
    ('2026-05-15', 'Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, 28 april 2028 en 26 mei 2028 met een algemeen erkende feestdag (Stcrt.)'),
    ('2027-05-07', 'Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, 28 april 2028 en 26 mei 2028 met een algemeen erkende feestdag (Stcrt.)'),
    ('2028-04-28', 'Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, 28 april 2028 en 26 mei 2028 met een algemeen erkende feestdag (Stcrt.)'),
    ('2028-05-26', 'Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, 28 april 2028 en 26 mei 2028 met een algemeen erkende feestdag (Stcrt.)');

-- +goose Down
DELETE FROM equated_holidays;
DELETE FROM interest_rates;
