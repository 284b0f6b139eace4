import { CmsInvalidRequestError } from './errors.js';

/** The widest window cti/sysindex answers: 31 days, in milliseconds (the server rounds up to days). */
export const SYSINDEX_MAX_WINDOW_MS = 31 * 24 * 60 * 60 * 1000;

/**
 * Formats an instant as the CMS date `yyyy-MM-dd HH:mm:ss`, always in UTC (the documents say the
 * UTC time zone is used), whatever the process's TZ. Sub-second parts are dropped.
 */
export function formatCmsDate(at: Date): string {
  const iso = at.toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ for years 0000-9999
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** The `beginDate`/`endDate` strings of one sysindex request. */
export interface SysindexWindow {
  beginDate: string;
  endDate: string;
}

const MIN_MS = Date.UTC(1970, 0, 1);
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/**
 * Checks a sysindex window and formats it. Refuses (CmsInvalidRequestError, before any request)
 * an invalid date, a date outside 1970-9999, begin after end, or a window over 31 days. The width
 * is measured between the whole seconds that are sent, because that is what the server sees.
 */
export function checkSysindexWindow(begin: Date, end: Date): SysindexWindow {
  const b = begin instanceof Date ? begin.getTime() : Number.NaN;
  const e = end instanceof Date ? end.getTime() : Number.NaN;
  for (const [name, ms] of [
    ['begin', b],
    ['end', e],
  ] as const) {
    if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) {
      throw new CmsInvalidRequestError('sysindex', `${name} is not a date between 1970 and 9999`);
    }
  }
  const bSec = Math.floor(b / 1000) * 1000;
  const eSec = Math.floor(e / 1000) * 1000;
  if (bSec > eSec) throw new CmsInvalidRequestError('sysindex', 'begin is after end');
  if (eSec - bSec > SYSINDEX_MAX_WINDOW_MS) {
    throw new CmsInvalidRequestError('sysindex', 'window is wider than 31 days');
  }
  return { beginDate: formatCmsDate(new Date(bSec)), endDate: formatCmsDate(new Date(eSec)) };
}
