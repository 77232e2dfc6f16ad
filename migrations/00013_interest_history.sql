-- +goose Up

-- Statutory interest back to 2002, so that invoices fallen due since then
-- have a rate for every day (issue H.4). Same units and citation style as
-- 00002_reference_data.sql: basis points, one source per row.
--
-- Consumer rate (art. 6:119 BW): each row cites the decree amending the
-- Koninklijk Besluit of 18 January 1971, Stb. 27 (the AMvB of art. 6:120 BW).
-- The 2003-2012 decrees were read in the Staatsblad or in the explanatory note
-- (nota van toelichting) of the next decree, which names its predecessor.
INSERT INTO interest_rates (kind, valid_from, basis_points, source) VALUES
    ('consumer',   '2002-01-01', 700,  '7% from 1 January 2002 (historical table of art. 6:119 BW, raadvanarbitrage.nl); decree itself not found; in force until 1 August 2003 per Stb. 2003, 280'),
    ('consumer',   '2003-08-01', 500,  'Besluit van 3 juli 2003, Stb. 2003, 280: 5% from 1 August 2003 (named in the note to Stb. 2004, 13)'),
    ('consumer',   '2004-02-01', 400,  'Besluit van 15 januari 2004, Stb. 2004, 13: from five to four percent from 1 February 2004'),
    ('consumer',   '2007-01-01', 600,  'Besluit van 11 december 2006, Stb. 2006, 700: 6% from 1 January 2007 (named in the note to Stb. 2009, 262)'),
    ('consumer',   '2009-07-01', 400,  'Besluit van 19 juni 2009, Stb. 2009, 262: «zes» replaced by «vier» from 1 July 2009'),
    ('consumer',   '2010-01-01', 300,  'Besluit van 23 december 2009, Stb. 2009, 618: from 4% to 3% from 1 January 2010'),
    ('consumer',   '2011-07-01', 400,  'Besluit van 23 juni 2011 (uitgegeven 29 juni 2011): «drie» replaced by «vier» from 1 July 2011'),
    ('consumer',   '2012-07-01', 300,  'Besluit van 25 juni 2012, Stb. 2012, 285: 3% from 1 July 2012 (named in the note to Stb. 2014, 491, which lowers 3% to 2%)');

-- Commercial rate (art. 6:119a BW). Art. 6:119a came into force on
-- 1 December 2002 (Wet van 7 november 2002, Stb. 2002, 545, implementing
-- Directive 2000/35/EC); before that every debt carried the art. 6:119 rate.
-- Until 16 March 2013: the ECB rate of the last main refinancing operation
-- before 1 January / 1 July (the marginal rate while the ECB held variable
-- rate tenders, June 2000 - October 2008) plus 7 points; from 16 March 2013
-- (Directive 2011/7/EU) plus 8 points. ECB dates are from the ECB's table of
-- key interest rates.
INSERT INTO interest_rates (kind, valid_from, basis_points, source) VALUES
    ('commercial', '2002-01-01', 700,  'art. 6:119a BW not yet in force: the art. 6:119 rate of 7% applies (see the consumer row of 2002-01-01)'),
    ('commercial', '2002-12-01', 1035, 'art. 6:119a BW in force (Stb. 2002, 545): 10.35% (historical table of art. 6:119a BW, raadvanarbitrage.nl)'),
    ('commercial', '2003-01-01', 985,  '9.85% (historical table of art. 6:119a BW, raadvanarbitrage.nl)'),
    ('commercial', '2003-07-01', 910,  '9.10% (historical table of art. 6:119a BW, raadvanarbitrage.nl)'),
    ('commercial', '2004-01-01', 901,  '9.01% (historical table of art. 6:119a BW, raadvanarbitrage.nl; no change listed for 1 July 2004)'),
    ('commercial', '2005-01-01', 909,  '9.09% (historical table of art. 6:119a BW, raadvanarbitrage.nl)'),
    ('commercial', '2005-07-01', 905,  '9.05% (historical table of art. 6:119a BW, raadvanarbitrage.nl)'),
    ('commercial', '2006-01-01', 925,  '9.25% (historical table of art. 6:119a BW, raadvanarbitrage.nl)'),
    ('commercial', '2006-07-01', 983,  '9.83% (historical table of art. 6:119a BW, raadvanarbitrage.nl)'),
    ('commercial', '2007-01-01', 1058, '10.58% (raadvanarbitrage.nl and vdkraan.nl tables agree)'),
    ('commercial', '2007-07-01', 1107, '11.07% (raadvanarbitrage.nl and vdkraan.nl tables agree)'),
    ('commercial', '2008-01-01', 1120, '11.20% (raadvanarbitrage.nl and vdkraan.nl tables agree)'),
    ('commercial', '2008-07-01', 1107, '11.07% (raadvanarbitrage.nl and vdkraan.nl tables agree)'),
    ('commercial', '2009-01-01', 950,  'ECB MRO 2.50% (10 Dec 2008) + 7 = 9.50% (raadvanarbitrage.nl and vdkraan.nl agree)'),
    ('commercial', '2009-07-01', 800,  'ECB MRO 1.00% (13 May 2009) + 7 = 8% (raadvanarbitrage.nl, vdkraan.nl, wieringa-advocaten.nl)'),
    ('commercial', '2010-01-01', 800,  'ECB MRO 1.00% (13 May 2009) + 7 = 8%'),
    ('commercial', '2010-07-01', 800,  'ECB MRO 1.00% (13 May 2009) + 7 = 8%'),
    ('commercial', '2011-01-01', 800,  'ECB MRO 1.00% (13 May 2009) + 7 = 8%'),
    ('commercial', '2011-07-01', 825,  'ECB MRO 1.25% (13 Apr 2011) + 7 = 8.25%; the vdkraan.nl summary lists 8% for all of 2011-2012, which the ECB table contradicts'),
    ('commercial', '2012-01-01', 800,  'ECB MRO 1.00% (14 Dec 2011) + 7 = 8%'),
    ('commercial', '2012-07-01', 800,  'ECB MRO 1.00% (14 Dec 2011; the cut of 11 Jul 2012 came after 1 July) + 7 = 8%'),
    ('commercial', '2013-01-01', 775,  'ECB MRO 0.75% (11 Jul 2012) + 7 = 7.75% (vdkraan.nl agrees)'),
    ('commercial', '2013-03-16', 875,  'Directive 2011/7/EU implemented (Wet van 12 december 2012), margin 8 points from 16 March 2013: ECB MRO 0.75% + 8'),
    ('commercial', '2013-07-01', 850,  'ECB MRO 0.50% (8 May 2013) + 8'),
    ('commercial', '2014-01-01', 825,  'ECB MRO 0.25% (13 Nov 2013) + 8'),
    ('commercial', '2014-07-01', 815,  'ECB MRO 0.15% (11 Jun 2014) + 8'),
    ('commercial', '2015-01-01', 805,  'ECB MRO 0.05% (10 Sep 2014) + 8 = 8.05%'),
    ('commercial', '2015-07-01', 805,  'ECB MRO 0.05% (10 Sep 2014) + 8 = 8.05%');

-- +goose Down
DELETE FROM interest_rates WHERE (kind = 'consumer' AND valid_from < '2015-01-01')
    OR (kind = 'commercial' AND valid_from < '2016-01-01');
