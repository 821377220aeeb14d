/**
 * The holiday regions a calendar can follow (German-speaking countries and their states, named in the
 * reader's language by date-holidays) and the public holidays a region yields in a year — the same
 * holidays business-time arithmetic closes on (businessTime.ts: date-holidays, type "public").
 */
import Holidays from 'date-holidays';

const COUNTRIES = ['DE', 'AT', 'CH'] as const;

export type HolidayRegion = { value: string; label: string };
export type HolidaySpec = { country: string; region?: string };

/** "DE" (nationwide) and "DE-NW" (a state), labelled "Deutschland – Nordrhein-Westfalen". */
export function holidayRegions(locale: 'de' | 'en'): HolidayRegion[] {
  const directory = new Holidays();
  const countries = directory.getCountries(locale);
  return COUNTRIES.flatMap((country) => {
    const name = countries[country] ?? country;
    const states = Object.entries(directory.getStates(country, locale) ?? {}).sort(([, a], [, b]) => a.localeCompare(b, locale));
    return [{ value: country, label: name }, ...states.map(([code, state]) => ({ value: `${country}-${code}`, label: `${name} – ${state}` }))];
  });
}

/** The region's public holidays in `year`, by local date ("2026-10-03"), named in the reader's language. */
export function publicHolidays(spec: HolidaySpec, year: number, locale: 'de' | 'en'): { date: string; name: string }[] {
  const options = { types: ['public' as const], languages: [locale] };
  const source = spec.region ? new Holidays(spec.country, spec.region, options) : new Holidays(spec.country, options);
  return source
    .getHolidays(year)
    .filter((h) => h.type === 'public')
    .map((h) => ({ date: h.date.slice(0, 10), name: h.name }));
}
