/** A chat site's opening hours (its channel's calendar, compiled) and the time zone its callback windows are read in. */
import type { DbOrTx } from '../../db/client';
import type { ChatSite } from '../../db/repositories/chatSites.repo';
import { findCalendar } from '../../db/repositories/sla.repo';
import { DEFAULT_TIME_ZONE } from '../../i18n/translate';
import type { CompiledCalendar } from '../sla/businessTime';
import { compiledCalendarOf } from '../sla/calendarCache';
import { addDays, localDate } from '../time/zonedTime';
import { CALLBACK_DAYS } from './callbackDue';

export async function siteCalendar(db: DbOrTx, site: Pick<ChatSite, 'calendarId'>): Promise<{ cal: CompiledCalendar | null; timeZone: string }> {
  const stored = site.calendarId ? await findCalendar(db, site.calendarId) : undefined;
  const cal = stored ? compiledCalendarOf({ calendarId: stored.id, calendarDefinition: stored.definition, calendarUpdatedAt: stored.updatedAt }) : null;
  return { cal, timeZone: cal?.timeZone ?? DEFAULT_TIME_ZONE };
}

/** What the widget's callback form offers: the site's time zone and the local dates a window may fall on. */
export async function callbackOptions(db: DbOrTx, site: ChatSite, now: Date) {
  const { timeZone } = await siteCalendar(db, site);
  const firstDay = localDate(timeZone, now);
  return { timeZone, firstDay, lastDay: addDays(firstDay, CALLBACK_DAYS - 1), minutes: site.callbackMinutes };
}
