-- +goose Up

-- Statutory interest rates (percent a year, as basis points) with their sources.
-- Consumer rate: art. 6:119 BW, set by Order in Council (AMvB) published in the Staatsblad.
-- Commercial rate: art. 6:119a BW, the ECB main refinancing rate of the last operation
-- before 1 January / 1 July plus 8 percentage points.
-- Operators add later rows with `settle rates add` (no release needed).
INSERT INTO interest_rates (kind, valid_from, basis_points, source) VALUES
    ('consumer',   '2015-07-01', 200,  'AMvB art. 6:119 BW (wettelijke rente 2%), Staatsblad; per rijksoverheid.nl rate table'),
    ('consumer',   '2023-01-01', 400,  'AMvB art. 6:119 BW (wettelijke rente 4%), Staatsblad; per rijksoverheid.nl rate table'),
    ('consumer',   '2023-07-01', 600,  'AMvB art. 6:119 BW (wettelijke rente 6%), Staatsblad; per rijksoverheid.nl rate table'),
    ('consumer',   '2024-01-01', 700,  'AMvB art. 6:119 BW (wettelijke rente 7%), Staatsblad; per rijksoverheid.nl rate table'),
    ('consumer',   '2024-07-01', 700,  'rate unchanged on 1 July 2024 (no new decree)'),
    ('consumer',   '2025-01-01', 600,  'AMvB art. 6:119 BW (wettelijke rente 6%), Staatsblad; per rijksoverheid.nl rate table'),
    ('consumer',   '2025-07-01', 600,  'rate unchanged on 1 July 2025 (no new decree)'),
    ('consumer',   '2026-01-01', 400,  'decree of December 2025 (wettelijke rente 4%), per public rate tables'),
    ('consumer',   '2026-07-01', 400,  'no new decree known for 1 July 2026; 4% continues'),
    ('commercial', '2016-01-01', 800,  'ECB MRO 0.00% + 8'),
    ('commercial', '2022-07-01', 800,  'ECB MRO 0.00% + 8'),
    ('commercial', '2023-01-01', 1050, 'ECB MRO 2.50% (21 Dec 2022) + 8'),
    ('commercial', '2023-07-01', 1200, 'ECB MRO 4.00% (21 Jun 2023) + 8'),
    ('commercial', '2024-01-01', 1250, 'ECB MRO 4.50% (20 Sep 2023) + 8'),
    ('commercial', '2024-07-01', 1225, 'ECB MRO 4.25% (12 Jun 2024) + 8'),
    ('commercial', '2025-01-01', 1115, 'ECB MRO 3.15% (18 Dec 2024) + 8'),
    ('commercial', '2025-07-01', 1015, 'ECB MRO 2.15% (11 Jun 2025) + 8'),
    ('commercial', '2026-01-01', 1015, 'ECB MRO 2.15% (December 2025) + 8'),
    ('commercial', '2026-07-01', 1040, 'ECB MRO 2.40% (June 2026) + 8, per public rate tables');

-- Days equated with a public holiday for the Algemene termijnenwet (art. 3 lid 3),
-- by decrees in the Staatscourant. Operators add later decrees with `settle holidays add`.
INSERT INTO equated_holidays (day, source) VALUES
    ('2023-04-28', 'Stcrt. decree equating days 2023-2025'),
    ('2023-05-19', 'Stcrt. decree equating days 2023-2025'),
    ('2024-05-10', 'Stcrt. decree equating days 2023-2025'),
    ('2024-12-27', 'Stcrt. decree equating days 2023-2025'),
    ('2025-05-30', 'Stcrt. decree equating days 2023-2025'),
    ('2026-01-02', 'Stcrt. decree equating days 2026-2028'),
    ('2026-05-15', 'Stcrt. decree equating days 2026-2028'),
    ('2027-05-07', 'Stcrt. decree equating days 2026-2028'),
    ('2028-04-28', 'Stcrt. decree equating days 2026-2028'),
    ('2028-05-26', 'Stcrt. decree equating days 2026-2028');

-- +goose Down
DELETE FROM equated_holidays;
DELETE FROM interest_rates;
